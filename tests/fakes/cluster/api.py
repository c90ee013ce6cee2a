"""REST semantics of the API server: routing, create/update/patch/delete, subresources, lists and watches."""

from __future__ import annotations

import base64
import bisect
import copy
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from . import objects
from .clock import rfc3339
from .controller import Controller
from .errors import ApiError, already_exists, bad_request, conflict, not_found
from .patch import PatchError, json_patch, merge_patch, strategic_merge_patch
from .resources import BY_PATH, BY_PLURAL, Resource
from .selectors import (
    SelectorError,
    check_field_selector,
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
    selector_string,
)
from .store import Store

Obj = dict[str, Any]
NAMESPACES = BY_PLURAL["namespaces"]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"


@dataclass
class Route:
    res: Resource
    namespace: str | None  # None: all namespaces (or a cluster-scoped type)
    name: str | None
    sub: str | None


@dataclass
class Reply:
    code: int
    body: Obj | None = None
    stream: Iterator[Obj] | None = None  # watch events


def route(parts: list[str]) -> Route | None:
    """Map /api/v1/... or /apis/G/V/... path segments to a resource, or None for discovery paths."""
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return None

    def res(plural: str) -> Resource:
        r = BY_PATH.get((group, version, plural))
        if r is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
        return r

    if rest[0] == "namespaces" and len(rest) >= 3 and (group, version, rest[2]) in BY_PATH:
        r = res(rest[2])
        if len(rest) > 5:
            raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
        return Route(r, rest[1], rest[3] if len(rest) > 3 else None, rest[4] if len(rest) > 4 else None)
    r = res(rest[0])
    if len(rest) > 3:
        raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
    return Route(r, None, rest[1] if len(rest) > 1 else None, rest[2] if len(rest) > 2 else None)


def _drop_zero_status(res: Resource, obj: Obj) -> None:
    if res.kind in ("Deployment", "ReplicaSet"):
        obj["status"] = {}
    elif res.kind == "Pod":
        obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    elif not res.builtin:
        obj.pop("status", None)


class Api:
    def __init__(self, store: Store, controller: Controller) -> None:
        self.store = store
        self.controller = controller
        self.closing = threading.Event()
        self.watch_started = threading.Event()  # set whenever a client opens a watch
        self._rng = random.Random(1)
        self._next_ip = 10

    # ------------------------------------------------------------------ entry point
    def handle(
        self, method: str, parts: list[str], query: dict[str, str], content_type: str, body: bytes
    ) -> Reply:
        r = route(parts)
        if r is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
        if r.sub is not None and r.sub not in r.res.subresources:
            raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
        dry = query.get("dryRun")
        if dry not in (None, "", "All"):
            raise bad_request(f'Invalid dryRun value: "{dry}"')
        dry_run = dry == "All"
        if method == "GET" and r.name is None:
            if query.get("watch") in ("true", "1"):
                return Reply(200, stream=self.watch(r, query))
            return Reply(200, self.list(r, query))
        if method == "GET":
            return Reply(200, self.get(r))
        if method == "POST" and r.name is None:
            reply = Reply(201, self.create(r, self._decode(body, content_type), dry_run))
        elif method == "PUT" and r.name is not None:
            reply = Reply(200, self.update(r, self._decode(body, content_type), dry_run))
        elif method == "PATCH" and r.name is not None:
            reply = self.patch(r, content_type, body, dry_run, query)
        elif method == "DELETE" and r.name is not None:
            opts = self._decode(body, "application/json") if body.strip() else {}
            reply = Reply(200, self.delete(r, opts or {}, query, dry_run))
        elif method == "DELETE":
            reply = Reply(200, self.delete_collection(r, query, dry_run))
        else:
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed", {})
        if not dry_run:
            self.controller.reconcile()
        return reply

    @staticmethod
    def _decode(body: bytes, content_type: str) -> Any:
        if "protobuf" in content_type or "cbor" in content_type:
            raise ApiError(
                415,
                'the body of the request was in an unknown format - accepted media types include: '
                'application/json, application/yaml',
                "UnsupportedMediaType", {},
            )
        try:
            if "yaml" in content_type:
                return yaml.safe_load(body.decode() or "null")
            return json.loads(body.decode() or "null")
        except (ValueError, yaml.YAMLError) as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from exc

    # ------------------------------------------------------------------ reads
    def _ns_of(self, r: Route) -> str:
        return (r.namespace or "") if r.res.namespaced else ""

    def _current(self, r: Route) -> Obj:
        assert r.name is not None
        obj = self.store.get(r.res, self._ns_of(r), r.name)
        if obj is None:
            raise not_found(r.res, r.name)
        return obj

    def get(self, r: Route) -> Obj:
        obj = self._current(r)
        if r.sub == "scale":
            return self._scale_of(r.res, obj)
        return obj

    def _matcher(self, r: Route, query: dict[str, str]) -> Callable[[Obj], bool]:
        try:
            labels = parse_label_selector(query.get("labelSelector", ""))
            fields = parse_field_selector(query.get("fieldSelector", ""))
            check_field_selector(fields, r.res.kind)
        except SelectorError as exc:
            raise bad_request(str(exc)) from exc

        def match(obj: Obj) -> bool:
            return labels_match(labels, obj["metadata"].get("labels")) and fields_match(fields, obj)

        return match

    def list(self, r: Route, query: dict[str, str]) -> Obj:
        if r.res.namespaced is False and r.namespace is not None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
        match = self._matcher(r, query)
        with self.store.lock:
            rv = self.store.rv
            items = [o for o in self.store.list(r.res, r.namespace if r.res.namespaced else None) if match(o)]
        meta: Obj = {"resourceVersion": str(rv)}
        start = 0
        if query.get("continue"):
            try:
                start = int(json.loads(base64.b64decode(query["continue"]))["start"])
            except (ValueError, KeyError) as exc:
                raise bad_request("continue key is not valid") from exc
        limit = int(query.get("limit") or 0)
        page = items[start:start + limit] if limit else items[start:]
        if limit and start + limit < len(items):
            meta["continue"] = base64.b64encode(json.dumps({"start": start + limit}).encode()).decode()
            meta["remainingItemCount"] = len(items) - start - limit
        if r.res.builtin:  # the real server leaves kind/apiVersion off built-in list items
            for o in page:
                o.pop("kind", None)
                o.pop("apiVersion", None)
        return {"kind": f"{r.res.kind}List", "apiVersion": r.res.group_version, "metadata": meta, "items": page}

    def watch(self, r: Route, query: dict[str, str]) -> Iterator[Obj]:
        match = self._matcher(r, query)
        namespace = r.namespace if r.res.namespaced else None
        if r.name is not None:
            raise bad_request("watch of a single object: use a fieldSelector")
        timeout = float(query.get("timeoutSeconds") or 300)
        since = query.get("resourceVersion") or "0"
        with self.store.lock:
            if since == "0":
                initial = [o for o in self.store.list(r.res, namespace) if match(o)]
                start_rv = self.store.rv
            else:
                initial, start_rv = [], int(since)
            index = bisect.bisect_right([e.rv for e in self.store.events], start_rv)
        self.watch_started.set()
        return self._watch_stream(r, namespace, match, initial, index, time.monotonic() + timeout)

    def _watch_stream(
        self, r: Route, namespace: str | None, match: Callable[[Obj], bool], initial: list[Obj], index: int,
        deadline: float,
    ) -> Iterator[Obj]:
        seen: set[tuple[str, str]] = set()
        for obj in initial:
            seen.add((obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
            yield {"type": "ADDED", "object": obj}
        while not self.closing.is_set():
            with self.store.lock:
                while index >= len(self.store.events) and not self.store.closed:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return
                    self.store.changed.wait(min(left, 0.5))
                    if self.closing.is_set():
                        return
                events = self.store.events[index:]
                index = len(self.store.events)
            if self.store.closed:
                return
            for ev in events:
                if ev.plural != r.res.plural or (namespace is not None and ev.namespace != namespace):
                    continue
                key = (ev.namespace, ev.obj["metadata"]["name"])
                if ev.type == "DELETED":
                    if key in seen:
                        seen.discard(key)
                        yield {"type": "DELETED", "object": ev.obj}
                elif match(ev.obj):
                    kind = "MODIFIED" if key in seen or ev.type == "MODIFIED" else "ADDED"
                    seen.add(key)
                    yield {"type": kind, "object": ev.obj}
                elif key in seen:
                    seen.discard(key)
                    yield {"type": "DELETED", "object": ev.obj}

    # ------------------------------------------------------------------ writes
    def _check_body(self, r: Route, obj: Any) -> Obj:
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be a JSON object")
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if r.sub is None and (api_version not in (None, "", r.res.group_version) or kind not in (None, "", r.res.kind)):
            raise bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({r.res.group_version})"
            )
        obj.setdefault("metadata", {})
        if r.res.namespaced:
            ns = obj["metadata"].get("namespace")
            if ns and r.namespace and ns != r.namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            obj["metadata"]["namespace"] = r.namespace
        return obj

    def _allocate_ip(self) -> str:
        self._next_ip += 1
        return f"10.96.{self._next_ip // 250}.{self._next_ip % 250}"

    def create(self, r: Route, obj: Any, dry_run: bool) -> Obj:
        if r.sub is not None:
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed", {})
        obj = self._check_body(r, obj)
        md = obj["metadata"]
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + "".join(self._rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        if r.res.namespaced:
            if not r.namespace:
                raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
            if self.store.get(NAMESPACES, "", r.namespace) is None:
                raise not_found(NAMESPACES, r.namespace)
        _drop_zero_status(r.res, obj)
        objects.default(r.res, obj, cluster_ip=self._allocate_ip() if r.res.kind == "Service" else "")
        objects.validate(r.res, obj)
        with self.store.lock:
            if self.store.get(r.res, self._ns_of(r), md["name"]) is not None:
                raise already_exists(r.res, md["name"])
            return self.store.create(r.res, obj, dry_run=dry_run)

    def _write(self, r: Route, old: Obj, new: Any, dry_run: bool) -> Obj:
        """The common tail of PUT and PATCH: preconditions, subresource rules, defaults, validation."""
        assert r.name is not None
        new = self._check_body(r, new)
        md = new["metadata"]
        if md.get("name") not in (None, r.name):
            raise bad_request(f"the name of the object ({md.get('name')}) does not match the name on the URL ({r.name})")
        md["name"] = r.name
        rv = md.get("resourceVersion")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise conflict(r.res, r.name)
        objects.check_immutable_metadata(r.res, old, new)
        if r.sub == "status":
            merged = copy.deepcopy(old)
            merged["status"] = new.get("status")
            if r.res.kind == "Deployment":  # its status strategy keeps annotation changes too
                merged["metadata"]["annotations"] = md.get("annotations")
            new = merged
        else:
            if "status" in r.res.subresources and r.res.kind != "Namespace":
                if old.get("status") is None:
                    new.pop("status", None)
                else:
                    new["status"] = copy.deepcopy(old.get("status"))
            for keep in ("deletionTimestamp", "deletionGracePeriodSeconds", "generateName"):
                if keep in old["metadata"]:
                    md[keep] = old["metadata"][keep]
            objects.default(r.res, new, cluster_ip=(old.get("spec") or {}).get("clusterIP", ""))
            objects.validate(r.res, new, old)
        return self.store.update(r.res, new, dry_run=dry_run)

    def update(self, r: Route, obj: Any, dry_run: bool) -> Obj:
        with self.store.lock:
            old = self._current(r)
            if r.sub == "scale":
                return self._set_scale(r, old, obj, dry_run)
            return self._write(r, old, obj, dry_run)

    def patch(self, r: Route, content_type: str, body: bytes, dry_run: bool, query: dict[str, str]) -> Reply:
        ctype = content_type.split(";")[0].strip()
        if ctype not in (JSON_PATCH, MERGE_PATCH, SMP, APPLY_PATCH) or (ctype == SMP and not r.res.builtin):
            accepted = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] + ([SMP] if r.res.builtin else [])
            raise ApiError(
                415,
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(accepted),
                "UnsupportedMediaType", {},
            )
        patch_body = self._decode(body, ctype)
        with self.store.lock:
            assert r.name is not None
            old = self.store.get(r.res, self._ns_of(r), r.name)
            if old is None:
                if ctype == APPLY_PATCH and r.sub is None:
                    return Reply(201, self.create(Route(r.res, r.namespace, None, None), patch_body, dry_run))
                raise not_found(r.res, r.name)
            base = self._scale_of(r.res, old) if r.sub == "scale" else old
            try:
                if ctype == JSON_PATCH:
                    patched = json_patch(base, patch_body)
                elif ctype == MERGE_PATCH:
                    patched = merge_patch(base, patch_body)
                else:
                    # server-side apply is approximated by a strategic merge of the applied config
                    patched = strategic_merge_patch(base, patch_body)
            except PatchError as exc:
                raise ApiError(422, str(exc), "Invalid", {}) from exc
            if r.sub == "scale":
                return Reply(200, self._set_scale(r, old, patched, dry_run))
            if not isinstance(patched, dict):
                raise bad_request("the patch did not produce an object")
            return Reply(200, self._write(r, old, patched, dry_run))

    def delete(self, r: Route, opts: Obj, query: dict[str, str], dry_run: bool) -> Obj:
        if r.sub is not None:
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed", {})
        dry_run = dry_run or "All" in (opts.get("dryRun") or [])
        policy = query.get("propagationPolicy") or opts.get("propagationPolicy") or "Background"
        if opts.get("orphanDependents") is True:
            policy = "Orphan"
        with self.store.lock:
            obj = self._current(r)
            pre = opts.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != obj["metadata"]["uid"]:
                raise conflict(
                    r.res, obj["metadata"]["name"],
                    f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {obj['metadata']['uid']}",
                )
            if pre.get("resourceVersion") and pre["resourceVersion"] != obj["metadata"]["resourceVersion"]:
                raise conflict(
                    r.res, obj["metadata"]["name"],
                    f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                    f"ResourceVersion in object meta: {obj['metadata']['resourceVersion']}",
                )
            if dry_run:
                return self._deleted_reply(r.res, obj)
            uid = obj["metadata"]["uid"]
            if policy == "Orphan":
                for key, dep in list(self.store.objects.items()):
                    refs = dep["metadata"].get("ownerReferences") or []
                    if any(ref.get("uid") == uid for ref in refs):
                        dep = copy.deepcopy(dep)
                        dep["metadata"]["ownerReferences"] = [x for x in refs if x.get("uid") != uid] or None
                        if dep["metadata"]["ownerReferences"] is None:
                            del dep["metadata"]["ownerReferences"]
                        self.store.update(BY_PLURAL[key[0]], dep, status_write=True)
            if r.res.kind == "Namespace":
                for key in [k for k in self.store.objects if k[1] == obj["metadata"]["name"]]:
                    self.store.delete(BY_PLURAL[key[0]], key[1], key[2])
            self.store.delete(r.res, self._ns_of(r), obj["metadata"]["name"])
            return self._deleted_reply(r.res, obj)

    def _deleted_reply(self, res: Resource, obj: Obj) -> Obj:
        if res.kind in ("Pod", "Namespace"):
            obj = copy.deepcopy(obj)
            obj["metadata"]["deletionTimestamp"] = rfc3339(self.store.clock.now())
            if res.kind == "Pod":
                obj["metadata"]["deletionGracePeriodSeconds"] = obj["spec"].get("terminationGracePeriodSeconds", 30)
            else:
                obj["status"] = {"phase": "Terminating"}
            return obj
        details: Obj = {"name": obj["metadata"]["name"]}
        if res.group:
            details["group"] = res.group
        details.update(kind=res.plural, uid=obj["metadata"]["uid"])
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}

    def delete_collection(self, r: Route, query: dict[str, str], dry_run: bool) -> Obj:
        listed = self.list(r, {k: v for k, v in query.items() if k in ("labelSelector", "fieldSelector")})
        if not dry_run:
            for obj in listed["items"]:
                self.store.delete(r.res, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        listed["metadata"] = {"resourceVersion": str(self.store.rv)}
        return listed

    # ------------------------------------------------------------------ scale subresource
    @staticmethod
    def _scale_of(res: Resource, obj: Obj) -> Obj:
        md = obj["metadata"]
        return {
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": md["name"], "namespace": md.get("namespace"), "uid": md["uid"],
                "resourceVersion": md["resourceVersion"], "creationTimestamp": md["creationTimestamp"],
            },
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {
                "replicas": (obj.get("status") or {}).get("replicas", 0),
                "selector": selector_string(obj["spec"].get("selector") or {}),
            },
        }

    def _set_scale(self, r: Route, old: Obj, scale: Any, dry_run: bool) -> Obj:
        if not isinstance(scale, dict):
            raise bad_request("the body of the request must be a Scale object")
        rv = (scale.get("metadata") or {}).get("resourceVersion")
        assert r.name is not None
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise conflict(r.res, r.name)
        replicas = (scale.get("spec") or {}).get("replicas", 0)
        if not isinstance(replicas, int) or replicas < 0:
            raise ApiError(422, f'Scale.autoscaling "{r.name}" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0', "Invalid", {})
        new = copy.deepcopy(old)
        new["spec"]["replicas"] = replicas
        stored = self.store.update(r.res, new, dry_run=dry_run)
        return self._scale_of(r.res, stored)

