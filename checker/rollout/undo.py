"""`kubectl rollout undo` reimplemented (kubectl pkg/polymorphichelpers/rollback.go): same target, same patch."""

from __future__ import annotations

import copy
import json
from typing import Any

Obj = dict[str, Any]
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
# Annotations undo keeps from the Deployment instead of taking them from the ReplicaSet.
SKIP_ANNOTATIONS = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration", REVISION, "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
})


class UndoError(Exception):
    """kubectl's own refusal, with kubectl's wording."""


def without_hash(template: Obj) -> Obj:
    out = copy.deepcopy(template or {})
    labels = (out.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(HASH_LABEL, None)
        if not labels:
            out["metadata"].pop("labels")
    return out


def _canonical(value: Any) -> Any:
    # Semantic equality: an empty map/list equals a missing one, as apimachinery's Semantic.DeepEqual sees nil.
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def templates_equal(a: Obj, b: Obj) -> bool:
    return json.dumps(_canonical(without_hash(a)), sort_keys=True) == json.dumps(
        _canonical(without_hash(b)), sort_keys=True)


def controlled_by(obj: Obj, owner_uid: str) -> bool:
    return any(r.get("controller") and r.get("uid") == owner_uid for r in obj["metadata"].get("ownerReferences") or [])


def revision_of(rs: Obj) -> int | None:
    """Missing annotation = 0; unparsable = None (kubectl skips such a ReplicaSet)."""
    raw = (rs["metadata"].get("annotations") or {}).get(REVISION)
    if raw is None:
        return 0
    try:
        return int(raw)
    except ValueError:
        return None


def undo_target(deployment: Obj, replicasets: list[Obj], to_revision: int = 0) -> Obj:
    """The ReplicaSet undo rolls back to: revision N, or the second-highest revision (not 'previous in time')."""
    name = deployment["metadata"]["name"]
    if to_revision < 0:
        raise UndoError(f"unable to find specified revision {to_revision} in history")
    uid = deployment["metadata"]["uid"]
    owned = [rs for rs in replicasets if controlled_by(rs, uid)]
    by_rev: dict[int, Obj] = {}
    for rs in owned:
        rev = revision_of(rs)
        if rev is not None:
            by_rev[rev] = rs
    if to_revision > 0:
        if to_revision not in by_rev:
            raise UndoError(f"unable to find specified revision {to_revision} in history")
        return by_rev[to_revision]
    revisions = sorted(by_rev)
    if len(revisions) < 2:
        raise UndoError(f'no rollout history found for deployment "{name}"')
    return by_rev[revisions[-2]]


def undo_patch(deployment: Obj, target: Obj) -> list[Obj] | None:
    """kubectl's one JSON Patch (template + annotations), or None when the template already matches."""
    if templates_equal(deployment["spec"]["template"], target["spec"]["template"]):
        return None
    template = without_hash(target["spec"]["template"])
    current = deployment["metadata"].get("annotations") or {}
    annotations = {k: v for k, v in current.items() if k in SKIP_ANNOTATIONS}
    for k, v in (target["metadata"].get("annotations") or {}).items():
        if k not in SKIP_ANNOTATIONS:
            annotations[k] = v
    return [{"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations}]
