"""The three patch formats kubectl and the Python client send: JSON patch, merge patch, strategic merge."""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    pass


# ---------------------------------------------------------------- RFC 6902 JSON patch
def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    cur = doc
    for p in parts[:-1]:
        if isinstance(cur, dict):
            if p not in cur:
                raise PatchError(f"path /{'/'.join(parts)}: missing key {p!r}")
            cur = cur[p]
        elif isinstance(cur, list):
            cur = cur[_index(cur, p, allow_end=False)]
        else:
            raise PatchError(f"path /{'/'.join(parts)}: cannot descend into a scalar")
    return cur, parts[-1]


def _index(lst: list[Any], token: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(lst)
    if not token.isdigit():
        raise PatchError(f"invalid array index {token!r}")
    i = int(token)
    if i > len(lst) or (i == len(lst) and not allow_end):
        raise PatchError(f"array index {i} out of bounds")
    return i


def _get(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return doc
    parent, last = _parent(doc, parts)
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path {path}: missing key")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, allow_end=False)]
    raise PatchError(f"path {path}: not a container")


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        raise PatchError("cannot remove the document root")
    parent, last = _parent(doc, parts)
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"Unable to remove nonexistent key: {last}: missing value")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, allow_end=False))
    raise PatchError(f"path {path}: not a container")


def _add(doc: Any, path: str, value: Any, replace: bool) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent, last = _parent(doc, parts)
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"replace operation does not apply: doc is missing key: {path}: missing value")
        parent[last] = value
    elif isinstance(parent, list):
        if replace:
            parent[_index(parent, last, allow_end=False)] = value
        else:
            parent.insert(_index(parent, last, allow_end=True), value)
    else:
        raise PatchError(f"path {path}: not a container")
    return doc


def json_patch(doc: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise PatchError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(f"invalid operation {op!r}")
        kind, path = op["op"], op["path"]
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")), replace=False)
        elif kind == "replace":
            doc = _add(doc, path, copy.deepcopy(op.get("value")), replace=True)
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "move":
            value = _remove(doc, op["from"])
            doc = _add(doc, path, value, replace=False)
        elif kind == "copy":
            doc = _add(doc, path, copy.deepcopy(_get(doc, op["from"])), replace=False)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


# ---------------------------------------------------------------- RFC 7386 merge patch
def merge_patch(doc: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# ---------------------------------------------------------------- strategic merge patch
# Merge keys of the list fields we touch, from the Go struct tags (`patchMergeKey`) of core/apps types.
_PRIMITIVE_MERGE = "<primitive>"
_MERGE_KEYS: dict[str, str] = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "hostAliases": "ip", "conditions": "type", "ownerReferences": "uid", "topologySpreadConstraints": "topologyKey",
    "finalizers": _PRIMITIVE_MERGE,
}
_DELETE = object()


def merge_key(path: tuple[str, ...], field: str) -> str | None:
    if field == "ports":
        # container ports merge on containerPort, Service ports on port
        return "containerPort" if {"containers", "initContainers", "ephemeralContainers"} & set(path) else "port"
    if field == "conditions" and "status" not in path:
        return None
    return _MERGE_KEYS.get(field)


def _strip(value: Any) -> Any:
    """A patch value with its directives removed, as stored when there is nothing to merge into."""
    if isinstance(value, dict):
        out = _smp_map({}, value, ())
        return {} if out is _DELETE else out
    if isinstance(value, list):
        return [_strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch") in ("replace", "delete"))]
    return value


def strategic_merge_patch(doc: dict[str, Any], patch: Any) -> dict[str, Any]:
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    out = _smp_map(copy.deepcopy(doc), patch, ())
    return {} if out is _DELETE else out


def _smp_map(orig: dict[str, Any], patch: dict[str, Any], path: tuple[str, ...]) -> Any:
    patch = dict(patch)
    directive = patch.pop("$patch", None)
    if directive == "replace":
        return _strip(patch)
    if directive == "delete":
        return _DELETE
    if directive is not None:
        raise PatchError(f"Unknown patch type: {directive}")
    retain = patch.pop("$retainKeys", None)
    orders = {k.split("/", 1)[1]: patch.pop(k) for k in list(patch) if k.startswith("$setElementOrder/")}
    prim_deletes = {k.split("/", 1)[1]: patch.pop(k) for k in list(patch) if k.startswith("$deleteFromPrimitiveList/")}
    out = dict(orig)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            cur = out.get(key)
            merged = _smp_map(cur if isinstance(cur, dict) else {}, value, (*path, key))
            if merged is _DELETE:
                out.pop(key, None)
            else:
                out[key] = merged
        elif isinstance(value, list):
            mk = merge_key(path, key)
            cur_list = out.get(key) if isinstance(out.get(key), list) else []
            if mk is None:
                out[key] = _strip(value)
            elif mk == _PRIMITIVE_MERGE:
                out[key] = list(cur_list) + [v for v in value if v not in cur_list]
            else:
                out[key] = _smp_list(list(cur_list), value, mk, (*path, key))
        else:
            out[key] = value
    for key, values in prim_deletes.items():
        if isinstance(out.get(key), list):
            out[key] = [v for v in out[key] if v not in values]
    for key, order in orders.items():
        mk = merge_key(path, key)
        if isinstance(out.get(key), list) and mk and mk != _PRIMITIVE_MERGE:
            wanted = [o.get(mk) if isinstance(o, dict) else o for o in order]
            listed = [i for i in out[key] if isinstance(i, dict) and i.get(mk) in wanted]
            rest = [i for i in out[key] if not (isinstance(i, dict) and i.get(mk) in wanted)]
            listed.sort(key=lambda i: wanted.index(i.get(mk)))
            out[key] = listed + rest
        elif isinstance(out.get(key), list) and mk == _PRIMITIVE_MERGE:
            out[key] = [v for v in order if v in out[key]] + [v for v in out[key] if v not in order]
    if retain is not None:
        for key in list(out):
            if key not in retain:
                del out[key]
    return out


def _smp_list(orig: list[Any], patch: list[Any], mk: str, path: tuple[str, ...]) -> list[Any]:
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return _strip(patch)  # type: ignore[no-any-return]
    out = orig
    for item in patch:
        if not isinstance(item, dict):
            out.append(item)
            continue
        key = item.get(mk)
        idx = next((n for n, o in enumerate(out) if isinstance(o, dict) and o.get(mk) == key), None)
        if item.get("$patch") == "delete":
            out = [o for o in out if not (isinstance(o, dict) and o.get(mk) == key)]
            continue
        if idx is None:
            out.append(_strip(item))
        else:
            merged = _smp_map(out[idx], item, path)
            if merged is _DELETE:
                out.pop(idx)
            else:
                out[idx] = merged
    return out
