"""The object store: resourceVersions, uids, generations and the event log that watches read."""

from __future__ import annotations

import copy
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from .clock import SimClock, rfc3339
from .resources import BY_PLURAL, Resource

Key = tuple[str, str, str]  # (plural, namespace or "", name)


@dataclass(frozen=True)
class Event:
    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    plural: str
    namespace: str
    obj: dict[str, Any]


def spec_changed(res: Resource, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether an update bumps metadata.generation, per the type's registry strategy."""
    if not res.has_generation:
        return False
    if old.get("spec") != new.get("spec"):
        return True
    # Deployments also bump on annotation changes: annotations are copied to their ReplicaSets.
    return res.kind == "Deployment" and (old["metadata"].get("annotations") or {}) != (
        new["metadata"].get("annotations") or {}
    )


class Store:
    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.rv = 1
        self.objects: dict[Key, dict[str, Any]] = {}
        self.events: list[Event] = []
        self.closed = False

    # reads -----------------------------------------------------------------------
    def get(self, res: Resource, namespace: str, name: str) -> dict[str, Any] | None:
        with self.lock:
            obj = self.objects.get((res.plural, namespace if res.namespaced else "", name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, res: Resource, namespace: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            keys = sorted(
                k for k in self.objects if k[0] == res.plural and (namespace is None or k[1] == namespace)
            )
            return [copy.deepcopy(self.objects[k]) for k in keys]

    def by_uid(self, uid: str) -> dict[str, Any] | None:
        with self.lock:
            return next((o for o in self.objects.values() if o["metadata"].get("uid") == uid), None)

    # writes ----------------------------------------------------------------------
    def _key(self, res: Resource, obj: dict[str, Any]) -> Key:
        md = obj["metadata"]
        return (res.plural, md.get("namespace", "") if res.namespaced else "", md["name"])

    def _record(self, kind: str, res: Resource, obj: dict[str, Any]) -> None:
        self.events.append(Event(self.rv, kind, res.plural, obj["metadata"].get("namespace", ""), copy.deepcopy(obj)))
        self.changed.notify_all()

    def create(
        self, res: Resource, obj: dict[str, Any], dry_run: bool = False, keep_meta: bool = False
    ) -> dict[str, Any]:
        """Store a new object, assigning uid, resourceVersion, creationTimestamp and generation."""
        with self.lock:
            obj = copy.deepcopy(obj)
            md = obj.setdefault("metadata", {})
            obj["apiVersion"], obj["kind"] = res.group_version, res.kind
            if not (keep_meta and md.get("uid")):
                md["uid"] = str(uuid.uuid4())
            if not (keep_meta and md.get("creationTimestamp")):
                md["creationTimestamp"] = rfc3339(self.clock.now())
            if res.has_generation:
                md["generation"] = md.get("generation", 1) if keep_meta else 1
            else:
                md.pop("generation", None)
            for transient in ("deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"):
                md.pop(transient, None)
            if not res.namespaced:
                md.pop("namespace", None)
            if dry_run:
                md.pop("resourceVersion", None)
                return obj
            self.rv += 1
            md["resourceVersion"] = str(self.rv)
            self.objects[self._key(res, obj)] = obj
            self._record("ADDED", res, obj)
            return copy.deepcopy(obj)

    def update(
        self, res: Resource, obj: dict[str, Any], dry_run: bool = False, status_write: bool = False
    ) -> dict[str, Any]:
        """Replace a stored object (which must exist); a no-op write keeps its resourceVersion."""
        with self.lock:
            key = self._key(res, obj)
            old = self.objects[key]
            new = copy.deepcopy(obj)
            md = new["metadata"]
            for keep in ("uid", "creationTimestamp"):
                md[keep] = old["metadata"][keep]
            if res.has_generation:
                md["generation"] = old["metadata"].get("generation", 1)
                if not status_write and spec_changed(res, old, new):
                    md["generation"] += 1
            md["resourceVersion"] = old["metadata"]["resourceVersion"]
            new["apiVersion"], new["kind"] = res.group_version, res.kind
            if new == old or dry_run:
                return new
            self.rv += 1
            md["resourceVersion"] = str(self.rv)
            self.objects[key] = new
            self._record("MODIFIED", res, new)
            return copy.deepcopy(new)

    def delete(self, res: Resource, namespace: str, name: str, dry_run: bool = False) -> dict[str, Any] | None:
        with self.lock:
            key = (res.plural, namespace if res.namespaced else "", name)
            obj = self.objects.get(key)
            if obj is None or dry_run:
                return copy.deepcopy(obj) if obj is not None else None
            del self.objects[key]
            self.rv += 1
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self._record("DELETED", res, obj)
            return obj

    def put_raw(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Seed an object exactly as given (tests use it for states the API would not produce)."""
        res = BY_PLURAL[_plural_of(obj)]
        with self.lock:
            if self._key(res, obj) in self.objects:
                return self.update(res, obj, status_write=True)
            return self.create(res, obj, keep_meta=True)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.changed.notify_all()


def _plural_of(obj: dict[str, Any]) -> str:
    from .resources import BY_KIND

    return BY_KIND[obj["kind"]].plural
