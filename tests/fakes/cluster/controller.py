"""Deployment, ReplicaSet, pod-lifecycle and garbage-collection controllers stepping on simulated time.

The deployment logic follows kubernetes/kubernetes pkg/controller/deployment (sync.go, rolling.go,
recreate.go, progress.go, util/deployment_util.go): revision numbering, revision-history, rolling
updates within maxSurge/maxUnavailable, proportional scaling, pause, progress deadlines, cleanup.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import random
from typing import Any

from .clock import parse_rfc3339, rfc3339
from .resources import BY_PLURAL
from .selectors import label_selector_requirements, labels_match
from .store import Store

DEPLOY = BY_PLURAL["deployments"]
RS = BY_PLURAL["replicasets"]
POD = BY_PLURAL["pods"]

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
HASH_LABEL = "pod-template-hash"
SKIP_COPY = {
    "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED, MAX,
    "deprecated.deployment.rollback.to",
}
MAX_REV_HISTORY_CHARS = 2000
_SAFE = "bcdfghjklmnpqrstvwxz2456789"

Obj = dict[str, Any]


def pod_template_hash(template: Obj, collision_count: int | None = None) -> str:
    """A stable hash of the template rendered like the real one (digits mapped to a safe alphabet)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    value = int.from_bytes(digest[:4], "big")
    if collision_count:
        value = (value + collision_count * 2654435761) % 2**32
    return "".join(_SAFE[b % len(_SAFE)] for b in str(value).encode())


def templates_equal_ignoring_hash(a: Obj, b: Obj) -> bool:
    a, b = copy.deepcopy(a), copy.deepcopy(b)
    for t in (a, b):
        labels = (t.get("metadata") or {}).get("labels")
        if labels is not None:
            labels.pop(HASH_LABEL, None)
    return _semantic(a) == _semantic(b)


def _semantic(value: Any) -> Any:
    """Go's semantic equality treats empty maps/lists and absent/null fields alike."""
    if isinstance(value, dict):
        return {k: _semantic(v) for k, v in value.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _scaled(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        exact = int(text[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(text)


def _replicas(obj: Obj) -> int:
    return int((obj.get("spec") or {}).get("replicas", 1))


def _st(obj: Obj | None, field: str) -> int:
    if obj is None:
        return 0
    return int((obj.get("status") or {}).get(field) or 0)


def _is_rolling(d: Obj) -> bool:
    return (d["spec"].get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def _fenceposts(d: Obj) -> tuple[int, int]:
    ru = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    desired = _replicas(d)
    surge = _scaled(ru.get("maxSurge", "25%"), desired, True)
    unavailable = _scaled(ru.get("maxUnavailable", "25%"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: Obj) -> int:
    return _fenceposts(d)[0] if _is_rolling(d) else 0


def max_unavailable(d: Obj) -> int:
    if not _is_rolling(d) or _replicas(d) == 0:
        return 0
    return min(_fenceposts(d)[1], _replicas(d))


def revision(obj: Obj) -> int | None:
    """The revision annotation as an int; 0 when absent, None when unparsable."""
    text = (obj["metadata"].get("annotations") or {}).get(REVISION)
    if text is None:
        return 0
    try:
        return int(text)
    except ValueError:
        return None


def _created(obj: Obj) -> tuple[float, str]:
    return (parse_rfc3339(obj["metadata"].get("creationTimestamp")), obj["metadata"]["name"])


def _controller_uid(obj: Obj) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def _owner_ref(owner: Obj, kind: str, api_version: str) -> Obj:
    return {
        "apiVersion": api_version, "kind": kind, "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True,
    }


def _get_cond(status: Obj, ctype: str) -> Obj | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == ctype), None)


def _set_cond(status: Obj, cond: Obj) -> None:
    current = _get_cond(status, cond["type"])
    if current is not None and current["status"] == cond["status"] and current.get("reason") == cond.get("reason"):
        return
    if current is not None and current["status"] == cond["status"]:
        cond["lastTransitionTime"] = current["lastTransitionTime"]
    conds = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]]
    status["conditions"] = [*conds, cond]


def _remove_cond(status: Obj, ctype: str) -> None:
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != ctype]


class Controller:
    """All controllers, run to a fixpoint by reconcile() under the store lock."""

    def __init__(self, store: Store, seed: int = 0) -> None:
        self.store = store
        self.clock = store.clock
        self.enabled = True
        self.pod_ready_seconds = 0.0
        self.never_ready_images: tuple[str, ...] = ("crashloop",)
        self.image_ready_seconds: dict[str, float] = {}
        self._rng = random.Random(seed)
        self._pod_born: dict[str, float] = {}
        self._pod_ready_at: dict[str, float] = {}

    # ------------------------------------------------------------------ driver
    def reconcile(self) -> None:
        with self.store.lock:
            if not self.enabled:
                return
            for _ in range(200):
                before = self.store.rv
                self._collect_garbage()
                for d in self.store.list(DEPLOY):
                    self._sync_deployment(d)
                for rs in self.store.list(RS):
                    self._sync_replicaset(rs)
                for pod in self.store.list(POD):
                    self._sync_pod(pod)
                if self.store.rv == before:
                    return

    def next_due(self) -> float | None:
        """The next simulated instant at which something changes without any API write."""
        now = self.clock.now()
        due: list[float] = []
        with self.store.lock:
            for pod in self.store.list(POD):
                uid = pod["metadata"]["uid"]
                ready_at = self._pod_ready_at.get(uid)
                if ready_at is None:
                    delay = self._ready_delay(pod)
                    if delay is not None:
                        due.append(self._pod_born.get(uid, now) + delay)
                else:
                    min_ready = self._min_ready_for(pod)
                    if min_ready and ready_at + min_ready > now:
                        due.append(ready_at + min_ready)
            for d in self.store.list(DEPLOY):
                deadline = d["spec"].get("progressDeadlineSeconds")
                cond = _get_cond(d.get("status") or {}, "Progressing")
                if deadline is None or cond is None or d["spec"].get("paused"):
                    continue
                if cond.get("reason") in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded"):
                    continue
                due.append(parse_rfc3339(cond.get("lastUpdateTime")) + deadline + 0.001)
        later = [t for t in due if t > now]
        return min(later) if later else None

    # ------------------------------------------------------------------ garbage collector
    def _collect_garbage(self) -> None:
        uids = {o["metadata"]["uid"] for o in self.store.objects.values()}
        for key, obj in list(self.store.objects.items()):
            refs = obj["metadata"].get("ownerReferences") or []
            if refs and not any(r.get("uid") in uids for r in refs):
                self.store.delete(BY_PLURAL[key[0]], key[1], key[2])
                self._forget_pod(obj)

    # ------------------------------------------------------------------ deployments
    def _rs_for(self, d: Obj) -> list[Obj]:
        ns, uid = d["metadata"]["namespace"], d["metadata"]["uid"]
        reqs = label_selector_requirements(d["spec"].get("selector"))
        out = []
        for rs in self.store.list(RS, ns):
            owner = _controller_uid(rs)
            if owner == uid:
                out.append(rs)
            elif owner is None and reqs and labels_match(reqs, rs["metadata"].get("labels")):
                rs["metadata"].setdefault("ownerReferences", []).append(_owner_ref(d, "Deployment", "apps/v1"))
                out.append(self._write_rs(rs))
        return out

    def _write_rs(self, rs: Obj) -> Obj:
        new = self.store.update(RS, rs)
        rs.clear()
        rs.update(new)
        return rs

    def _write_deployment_status(self, d: Obj) -> None:
        """The controller's UpdateStatus: status and annotations change, generation does not."""
        new = self.store.update(DEPLOY, d, status_write=True)
        d.clear()
        d.update(new)

    def _sync_deployment(self, d: Obj) -> None:
        if not (label_selector_requirements(d["spec"].get("selector")) or []):
            return
        rs_list = self._rs_for(d)
        self._check_paused_conditions(d)
        if d["spec"].get("paused"):
            self._sync(d, rs_list)
            return
        if self._is_scaling_event(d, rs_list):
            self._sync(d, rs_list)
            return
        if _is_rolling(d):
            self._rollout_rolling(d, rs_list)
        else:
            self._rollout_recreate(d, rs_list)

    def _check_paused_conditions(self, d: Obj) -> None:
        if d["spec"].get("progressDeadlineSeconds") is None:
            return
        status = d.setdefault("status", {})
        cond = _get_cond(status, "Progressing")
        if cond is not None and cond.get("reason") == "ProgressDeadlineExceeded":
            return
        paused_cond = cond is not None and cond.get("reason") == "DeploymentPaused"
        if d["spec"].get("paused") and not paused_cond:
            _set_cond(status, self._cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"))
        elif not d["spec"].get("paused") and paused_cond:
            _set_cond(status, self._cond("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed"))
        else:
            return
        self._write_deployment_status(d)

    def _cond(self, ctype: str, status: str, reason: str, message: str) -> Obj:
        now = rfc3339(self.clock.now())
        return {
            "type": ctype, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message,
        }

    def _find_new_rs(self, d: Obj, rs_list: list[Obj]) -> Obj | None:
        for rs in sorted(rs_list, key=_created):
            if templates_equal_ignoring_hash(rs["spec"]["template"], d["spec"]["template"]):
                return rs
        return None

    def _all_rs_and_sync_revision(self, d: Obj, rs_list: list[Obj], create: bool) -> tuple[Obj | None, list[Obj]]:
        new_rs = self._find_new_rs(d, rs_list)
        old = [rs for rs in rs_list if rs is not new_rs]
        max_old = max([r for r in (revision(rs) for rs in old) if r is not None], default=0)
        new_revision = str(max_old + 1)
        if new_rs is not None:
            rs_copy = copy.deepcopy(new_rs)
            changed = self._set_new_rs_annotations(d, rs_copy, new_revision, exists=True)
            min_ready = d["spec"].get("minReadySeconds", 0)
            if rs_copy["spec"].get("minReadySeconds", 0) != min_ready:
                rs_copy["spec"]["minReadySeconds"] = min_ready
                changed = True
            if changed:
                new_rs.clear()
                new_rs.update(rs_copy)
                self._write_rs(new_rs)
            needs = self._set_deployment_revision(d, (new_rs["metadata"].get("annotations") or {}).get(REVISION, ""))
            status = d.setdefault("status", {})
            if d["spec"].get("progressDeadlineSeconds") is not None and _get_cond(status, "Progressing") is None:
                name = new_rs["metadata"]["name"]
                _set_cond(status, self._cond("Progressing", "True", "FoundNewReplicaSet", f'Found new replica set "{name}"'))
                needs = True
            if needs:
                self._write_deployment_status(d)
            return new_rs, old
        if not create:
            return None, old
        return self._create_new_rs(d, old, new_revision), old

    def _create_new_rs(self, d: Obj, old: list[Obj], new_revision: str) -> Obj:
        template = copy.deepcopy(d["spec"]["template"])
        collision = (d.get("status") or {}).get("collisionCount")
        h = pod_template_hash(template, collision)
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = h
        rs: Obj = {
            "metadata": {
                "name": f"{d['metadata']['name']}-{h}", "namespace": d["metadata"]["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "ownerReferences": [_owner_ref(d, "Deployment", "apps/v1")],
            },
            "spec": {
                "replicas": 0, "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                "selector": selector, "template": template,
            },
        }
        all_rs = [*old, rs]
        rs["spec"]["replicas"] = self._new_rs_new_replicas(d, all_rs, rs)
        self._set_new_rs_annotations(d, rs, new_revision, exists=False)
        if not rs["spec"]["minReadySeconds"]:
            rs["spec"].pop("minReadySeconds")
        rs["status"] = {"replicas": 0}
        created = self.store.create(RS, rs)
        needs = self._set_deployment_revision(d, new_revision)
        status = d.setdefault("status", {})
        if d["spec"].get("progressDeadlineSeconds") is not None:
            msg = f'Created new replica set "{created["metadata"]["name"]}"'
            _set_cond(status, self._cond("Progressing", "True", "NewReplicaSetCreated", msg))
            needs = True
        if needs:
            self._write_deployment_status(d)
        return created

    def _set_deployment_revision(self, d: Obj, rev: str) -> bool:
        ann = d["metadata"].setdefault("annotations", {})
        if ann.get(REVISION) == rev:
            return False
        ann[REVISION] = rev
        return True

    def _set_new_rs_annotations(self, d: Obj, rs: Obj, new_revision: str, exists: bool) -> bool:
        changed = self._copy_annotations(d, rs)
        ann = rs["metadata"].setdefault("annotations", {})
        old_text = ann.get(REVISION)
        try:
            old_rev = int(old_text) if old_text is not None else 0
        except ValueError:
            return False
        new_rev = int(new_revision)
        if old_rev < new_rev:
            ann[REVISION] = new_revision
            changed = True
        if old_text is not None and old_rev < new_rev:
            history = ann.get(REVISION_HISTORY, "")
            if not history:
                ann[REVISION_HISTORY] = old_text
            else:
                parts = history.split(",")
                total = len(history) + len(old_text) + 1
                start = 0
                while total > MAX_REV_HISTORY_CHARS and start < len(parts):
                    total -= len(parts[start]) + 1
                    start += 1
                if total <= MAX_REV_HISTORY_CHARS:
                    ann[REVISION_HISTORY] = ",".join([*parts[start:], old_text])
        if not exists and self._set_replicas_annotations(rs, _replicas(d), _replicas(d) + max_surge(d)):
            changed = True
        return changed

    def _copy_annotations(self, d: Obj, rs: Obj) -> bool:
        ann = rs["metadata"].setdefault("annotations", {})
        changed = False
        for k, v in (d["metadata"].get("annotations") or {}).items():
            if k in SKIP_COPY or ann.get(k) == v:
                continue
            ann[k] = v
            changed = True
        return changed

    @staticmethod
    def _set_replicas_annotations(rs: Obj, desired: int, max_replicas: int) -> bool:
        ann = rs["metadata"].setdefault("annotations", {})
        changed = False
        for key, value in ((DESIRED, str(desired)), (MAX, str(max_replicas))):
            if ann.get(key) != value:
                ann[key] = value
                changed = True
        return changed

    def _new_rs_new_replicas(self, d: Obj, all_rs: list[Obj], new_rs: Obj) -> int:
        if not _is_rolling(d):
            return _replicas(d)
        current = sum(_replicas(rs) for rs in all_rs)
        max_total = _replicas(d) + max_surge(d)
        if current >= max_total:
            return _replicas(new_rs)
        scale_up = min(max_total - current, _replicas(d) - _replicas(new_rs))
        return _replicas(new_rs) + scale_up

    def _is_scaling_event(self, d: Obj, rs_list: list[Obj]) -> bool:
        new_rs, old = self._all_rs_and_sync_revision(d, rs_list, create=False)
        for rs in [r for r in old + ([new_rs] if new_rs else []) if _replicas(r) > 0]:
            desired = (rs["metadata"].get("annotations") or {}).get(DESIRED)
            if desired is None:
                continue
            if int(desired) != _replicas(d):
                return True
        return False

    def _scale_rs(self, rs: Obj, new_scale: int, d: Obj) -> bool:
        size_changes = _replicas(rs) != new_scale
        ann = rs["metadata"].get("annotations") or {}
        ann_changes = ann.get(DESIRED) != str(_replicas(d)) or ann.get(MAX) != str(_replicas(d) + max_surge(d))
        if size_changes or ann_changes:
            rs["spec"]["replicas"] = new_scale
            self._set_replicas_annotations(rs, _replicas(d), _replicas(d) + max_surge(d))
            self._write_rs(rs)
        return size_changes

    def _sync(self, d: Obj, rs_list: list[Obj]) -> None:
        new_rs, old = self._all_rs_and_sync_revision(d, rs_list, create=False)
        self._scale(d, new_rs, old)
        if d["spec"].get("paused"):
            self._cleanup(d, old)
        self._sync_status_only(d, new_rs, old)

    def _scale(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
        active_or_latest = self._active_or_latest(new_rs, old)
        if active_or_latest is not None:
            if _replicas(active_or_latest) != _replicas(d):
                self._scale_rs(active_or_latest, _replicas(d), d)
            return
        if self._is_saturated(d, new_rs):
            for rs in [r for r in old if _replicas(r) > 0]:
                self._scale_rs(rs, 0, d)
            return
        if not _is_rolling(d):
            return
        all_rs = [r for r in old + ([new_rs] if new_rs else []) if _replicas(r) > 0]
        all_replicas = sum(_replicas(r) for r in all_rs)
        allowed = _replicas(d) + max_surge(d) if _replicas(d) > 0 else 0
        to_add = allowed - all_replicas
        if to_add != 0:
            # ReplicaSetsBySizeNewer when scaling up, ReplicaSetsBySizeOlder when scaling down
            all_rs.sort(key=_created, reverse=to_add > 0)
            all_rs.sort(key=lambda r: -_replicas(r))
        added = 0
        sizes: dict[str, int] = {}
        for rs in all_rs:
            if to_add != 0:
                proportion = self._proportion(rs, d, to_add, added)
                sizes[rs["metadata"]["name"]] = _replicas(rs) + proportion
                added += proportion
            else:
                sizes[rs["metadata"]["name"]] = _replicas(rs)
        for i, rs in enumerate(all_rs):
            name = rs["metadata"]["name"]
            if i == 0 and to_add != 0:
                sizes[name] = max(0, sizes[name] + to_add - added)
            self._scale_rs(rs, sizes[name], d)

    def _proportion(self, rs: Obj, d: Obj, to_add: int, added: int) -> int:
        if _replicas(rs) == 0 or to_add == 0 or to_add == added:
            return 0
        if _replicas(d) == 0:
            fraction = -_replicas(rs)
        else:
            deployment_replicas = _replicas(d) + max_surge(d)
            annotated = (rs["metadata"].get("annotations") or {}).get(MAX)
            base = int(annotated) if annotated is not None else _st(d, "replicas")
            fraction = math.floor(_replicas(rs) * deployment_replicas / base + 0.5) - _replicas(rs) if base else 0
        allowed = to_add - added
        return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)

    @staticmethod
    def _active_or_latest(new_rs: Obj | None, old: list[Obj]) -> Obj | None:
        if new_rs is None and not old:
            return None
        old_sorted = sorted(old, key=_created, reverse=True)
        active = [r for r in old_sorted + ([new_rs] if new_rs else []) if _replicas(r) > 0]
        if not active:
            return new_rs if new_rs is not None else old_sorted[0]
        if len(active) == 1:
            return active[0]
        return None

    @staticmethod
    def _is_saturated(d: Obj, rs: Obj | None) -> bool:
        if rs is None:
            return False
        desired = (rs["metadata"].get("annotations") or {}).get(DESIRED)
        return (
            _replicas(rs) == _replicas(d) and desired == str(_replicas(d))
            and _st(rs, "availableReplicas") == _replicas(d)
        )

    def _cleanup(self, d: Obj, old: list[Obj]) -> None:
        limit = d["spec"].get("revisionHistoryLimit")
        if limit is None:
            return
        cleanable = [r for r in old if not r["metadata"].get("deletionTimestamp")]
        diff = len(cleanable) - int(limit)
        if diff <= 0:
            return
        cleanable.sort(key=lambda r: (revision(r) or 0, _created(r)))
        for rs in cleanable[:diff]:
            if _st(rs, "replicas") != 0 or _replicas(rs) != 0:
                continue
            if rs["metadata"].get("generation", 1) > _st(rs, "observedGeneration"):
                continue
            self.store.delete(RS, rs["metadata"]["namespace"], rs["metadata"]["name"])

    def _calculate_status(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> Obj:
        all_rs = old + ([new_rs] if new_rs else [])
        available = sum(_st(r, "availableReplicas") for r in all_rs)
        total = sum(_replicas(r) for r in all_rs)
        prev = d.get("status") or {}
        status: Obj = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": sum(_st(r, "replicas") for r in all_rs),
            "updatedReplicas": _st(new_rs, "replicas"),
            "readyReplicas": sum(_st(r, "readyReplicas") for r in all_rs),
            "availableReplicas": available,
            "unavailableReplicas": max(0, total - available),
            "collisionCount": prev.get("collisionCount"),
            "conditions": copy.deepcopy(prev.get("conditions") or []),
        }
        if available >= _replicas(d) - max_unavailable(d):
            _set_cond(status, self._cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."))
        else:
            _set_cond(status, self._cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."))
        return status

    def _store_status(self, d: Obj, status: Obj) -> None:
        clean = {k: v for k, v in status.items() if v not in (None, 0, [])}
        if clean.get("conditions"):
            # the real status lists Available before Progressing
            clean["conditions"] = sorted(clean["conditions"], key=lambda c: c["type"] != "Available")
        if clean != (d.get("status") or {}):
            d["status"] = clean
            self._write_deployment_status(d)

    def _sync_status_only(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
        self._store_status(d, self._calculate_status(d, new_rs, old))

    @staticmethod
    def _complete(d: Obj, status: Obj) -> bool:
        return (
            int(status.get("updatedReplicas") or 0) == _replicas(d)
            and int(status.get("replicas") or 0) == _replicas(d)
            and int(status.get("availableReplicas") or 0) == _replicas(d)
            and int(status.get("observedGeneration") or 0) >= d["metadata"].get("generation", 1)
        )

    def _sync_rollout_status(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
        status = self._calculate_status(d, new_rs, old)
        deadline = d["spec"].get("progressDeadlineSeconds")
        if deadline is None:
            _remove_cond(status, "Progressing")
        prev = d.get("status") or {}
        current = _get_cond(prev, "Progressing")
        complete = (
            int(status.get("replicas") or 0) == int(status.get("updatedReplicas") or 0)
            and current is not None and current.get("reason") == "NewReplicaSetAvailable"
        )
        if deadline is not None and not complete:
            what = f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs else f'Deployment "{d["metadata"]["name"]}"'
            if self._complete(d, status):
                _set_cond(status, self._cond("Progressing", "True", "NewReplicaSetAvailable", f"{what} has successfully progressed."))
            elif self._progressing(prev, status):
                cond = self._cond("Progressing", "True", "ReplicaSetUpdated", f"{what} is progressing.")
                if current is not None:
                    if current["status"] == "True":
                        cond["lastTransitionTime"] = current["lastTransitionTime"]
                    _remove_cond(status, "Progressing")
                status["conditions"] = (status.get("conditions") or []) + [cond]
            elif self._timed_out(d, prev):
                _set_cond(status, self._cond("Progressing", "False", "ProgressDeadlineExceeded", f"{what} has timed out progressing."))
        self._store_status(d, status)

    @staticmethod
    def _progressing(prev: Obj, new: Obj) -> bool:
        def old_replicas(s: Obj) -> int:
            return int(s.get("replicas") or 0) - int(s.get("updatedReplicas") or 0)

        return (
            int(new.get("updatedReplicas") or 0) > int(prev.get("updatedReplicas") or 0)
            or old_replicas(new) < old_replicas(prev)
            or int(new.get("readyReplicas") or 0) > int(prev.get("readyReplicas") or 0)
            or int(new.get("availableReplicas") or 0) > int(prev.get("availableReplicas") or 0)
        )

    def _timed_out(self, d: Obj, prev: Obj) -> bool:
        cond = _get_cond(prev, "Progressing")
        if cond is None or cond.get("reason") == "NewReplicaSetAvailable":
            return False
        if cond.get("reason") == "ProgressDeadlineExceeded":
            return True
        start = parse_rfc3339(cond.get("lastUpdateTime"))
        return start + float(d["spec"]["progressDeadlineSeconds"]) < self.clock.now()

    def _rollout_rolling(self, d: Obj, rs_list: list[Obj]) -> None:
        new_rs, old = self._all_rs_and_sync_revision(d, rs_list, create=True)
        assert new_rs is not None
        all_rs = [*old, new_rs]
        if self._reconcile_new_rs(d, all_rs, new_rs) or self._reconcile_old_rs(d, all_rs, old, new_rs):
            self._sync_rollout_status(d, new_rs, old)
            return
        if self._complete(d, d.get("status") or {}):
            self._cleanup(d, old)
        self._sync_rollout_status(d, new_rs, old)

    def _reconcile_new_rs(self, d: Obj, all_rs: list[Obj], new_rs: Obj) -> bool:
        if _replicas(new_rs) == _replicas(d):
            return False
        if _replicas(new_rs) > _replicas(d):
            return self._scale_rs(new_rs, _replicas(d), d)
        return self._scale_rs(new_rs, self._new_rs_new_replicas(d, all_rs, new_rs), d)

    def _reconcile_old_rs(self, d: Obj, all_rs: list[Obj], old: list[Obj], new_rs: Obj) -> bool:
        old_active = [r for r in old if _replicas(r) > 0]
        if sum(_replicas(r) for r in old_active) == 0:
            return False
        all_pods = sum(_replicas(r) for r in all_rs)
        min_available = _replicas(d) - max_unavailable(d)
        new_unavailable = _replicas(new_rs) - _st(new_rs, "availableReplicas")
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        cleaned = 0
        for rs in sorted(old_active, key=_created):
            if cleaned >= max_scaled_down:
                break
            if _replicas(rs) == 0:
                continue
            unhealthy = _replicas(rs) - _st(rs, "availableReplicas")
            if unhealthy <= 0:
                continue
            count = min(max_scaled_down - cleaned, unhealthy)
            self._scale_rs(rs, _replicas(rs) - count, d)
            cleaned += count
        old_active = [r for r in old_active if _replicas(r) > 0]
        scaled = self._scale_down_old_for_rolling(d, [*old_active, new_rs], old_active)
        return cleaned + scaled > 0

    def _scale_down_old_for_rolling(self, d: Obj, all_rs: list[Obj], old: list[Obj]) -> int:
        min_available = _replicas(d) - max_unavailable(d)
        available = sum(_st(r, "availableReplicas") for r in all_rs)
        if available <= min_available:
            return 0
        total = 0
        target = available - min_available
        for rs in sorted(old, key=_created):
            if total >= target:
                break
            if _replicas(rs) == 0:
                continue
            count = min(_replicas(rs), target - total)
            self._scale_rs(rs, _replicas(rs) - count, d)
            total += count
        return total

    def _rollout_recreate(self, d: Obj, rs_list: list[Obj]) -> None:
        new_rs, old = self._all_rs_and_sync_revision(d, rs_list, create=False)
        scaled = False
        for rs in [r for r in old if _replicas(r) > 0]:
            scaled = self._scale_rs(rs, 0, d) or scaled
        if scaled:
            self._sync_rollout_status(d, new_rs, old)
            return
        if any(_st(r, "replicas") > 0 for r in old):
            self._sync_rollout_status(d, new_rs, old)
            return
        if new_rs is None:
            new_rs, old = self._all_rs_and_sync_revision(d, rs_list, create=True)
            assert new_rs is not None
        if _replicas(new_rs) != _replicas(d):
            self._scale_rs(new_rs, _replicas(d), d)
        if self._complete(d, d.get("status") or {}):
            self._cleanup(d, old)
        self._sync_rollout_status(d, new_rs, old)

    # ------------------------------------------------------------------ replica sets
    def _sync_replicaset(self, rs: Obj) -> None:
        ns, uid = rs["metadata"]["namespace"], rs["metadata"]["uid"]
        pods = [p for p in self.store.list(POD, ns) if _controller_uid(p) == uid]
        want = _replicas(rs)
        if len(pods) < want:
            for _ in range(want - len(pods)):
                pods.append(self._create_pod(rs))
        elif len(pods) > want:
            # delete the least useful first: not ready before ready, then the newest
            pods.sort(key=lambda p: (self._is_ready(p), -_created(p)[0], p["metadata"]["name"]))
            for pod in pods[: len(pods) - want]:
                self.store.delete(POD, ns, pod["metadata"]["name"])
                self._forget_pod(pod)
            pods = pods[len(pods) - want:]
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        ready = [p for p in pods if self._is_ready(p)]
        now = self.clock.now()
        available = [p for p in ready if self._pod_ready_at.get(p["metadata"]["uid"], now) + min_ready <= now]
        status = dict(rs.get("status") or {})
        status.update(
            replicas=len(pods), fullyLabeledReplicas=len(pods), readyReplicas=len(ready),
            availableReplicas=len(available), observedGeneration=rs["metadata"].get("generation", 1),
        )
        status = {k: v for k, v in status.items() if v or k == "replicas"}
        if status != rs.get("status"):
            rs["status"] = status
            new = self.store.update(RS, rs, status_write=True)
            rs.clear()
            rs.update(new)

    def _create_pod(self, rs: Obj) -> Obj:
        template = copy.deepcopy(rs["spec"]["template"])
        suffix = "".join(self._rng.choice(_SAFE) for _ in range(5))
        md = template.get("metadata") or {}
        md.pop("creationTimestamp", None)
        md.update(
            name=f"{rs['metadata']['name']}-{suffix}", namespace=rs["metadata"]["namespace"],
            generateName=f"{rs['metadata']['name']}-",
            ownerReferences=[_owner_ref(rs, "ReplicaSet", "apps/v1")],
        )
        spec = template.get("spec") or {}
        spec["nodeName"] = "fake-node"
        pod = {"metadata": md, "spec": spec, "status": {"phase": "Pending", "qosClass": "BestEffort"}}
        created = self.store.create(POD, pod)
        self._pod_born[created["metadata"]["uid"]] = self.clock.now()
        return created

    def _forget_pod(self, pod: Obj) -> None:
        uid = pod["metadata"].get("uid", "")
        self._pod_born.pop(uid, None)
        self._pod_ready_at.pop(uid, None)

    # ------------------------------------------------------------------ pods (a kubelet stand-in)
    def _ready_delay(self, pod: Obj) -> float | None:
        """Seconds after creation at which the pod turns Ready; None if it never does."""
        images = [c.get("image", "") for c in pod["spec"].get("containers") or []]
        if any(p in img for img in images for p in self.never_ready_images):
            return None
        delay = self.pod_ready_seconds
        for pattern, seconds in self.image_ready_seconds.items():
            if any(pattern in img for img in images):
                delay = max(delay, seconds) if delay != self.pod_ready_seconds else seconds
        return delay

    def _min_ready_for(self, pod: Obj) -> int:
        uid = _controller_uid(pod)
        rs = self.store.by_uid(uid) if uid else None
        return int((rs or {}).get("spec", {}).get("minReadySeconds") or 0)

    def _is_ready(self, pod: Obj) -> bool:
        cond = _get_cond(pod.get("status") or {}, "Ready")
        return cond is not None and cond.get("status") == "True"

    def _sync_pod(self, pod: Obj) -> None:
        uid = pod["metadata"]["uid"]
        now = self.clock.now()
        born = self._pod_born.setdefault(uid, now)
        delay = self._ready_delay(pod)
        crash = delay is None
        ready = uid in self._pod_ready_at or (not crash and now >= born + (delay or 0.0))
        stamp = rfc3339(now)
        old_status = pod.get("status") or {}
        if self._is_ready(pod) == ready and old_status.get("containerStatuses"):
            return
        containers = pod["spec"].get("containers") or []
        start = old_status.get("startTime") or rfc3339(born)
        if ready:
            self._pod_ready_at.setdefault(uid, now)
            state: Obj = {"running": {"startedAt": stamp}}
        elif crash:
            state = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        flag = "True" if ready else "False"

        def cond(ctype: str, value: str) -> Obj:
            c: Obj = {"type": ctype, "status": value, "lastProbeTime": None, "lastTransitionTime": stamp}
            if value == "False":
                c["reason"] = "ContainersNotReady"
                c["message"] = "containers with unready status: [" + " ".join(x["name"] for x in containers) + "]"
            return c

        pod["status"] = {
            "phase": "Running" if (ready or crash) else "Pending",
            "conditions": [
                cond("Initialized", "True"), cond("Ready", flag), cond("ContainersReady", flag),
                cond("PodScheduled", "True"),
            ],
            "hostIP": "10.0.0.1", "podIP": f"10.244.0.{1 + int(uid[:2], 16) % 250}", "startTime": start,
            "qosClass": "BestEffort",
            "containerStatuses": [
                {
                    "name": c["name"], "image": c.get("image"), "imageID": "", "ready": ready,
                    "restartCount": 1 if crash else 0, "started": ready, "state": state,
                }
                for c in containers
            ],
        }
        self.store.update(POD, pod, status_write=True)
