"""Just enough OpenAPI (v2 and v3) for kubectl create/apply: every PATCH operation declares the
`fieldValidation` query parameter, so kubectl leaves validation to the server (which is lenient here)
instead of validating client-side against schemas we do not serve."""

from __future__ import annotations

import hashlib
from typing import Any

from .resources import RESOURCES, Resource, groups

Obj = dict[str, Any]
_PARAM = {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}, "uniqueItems": True}


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _item_path(r: Resource) -> str:
    ns = "namespaces/{namespace}/" if r.namespaced else ""
    return f"/{_gv_path(r.group, r.version)}/{ns}{r.plural}/{{name}}"


def _operation(r: Resource, v2: bool) -> Obj:
    param = dict(_PARAM)
    if v2:
        param.pop("schema")
        param["type"] = "string"
    return {
        "operationId": f"patch{r.kind}",
        "parameters": [param],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
    }


def _v3_group_version(group: str, version: str) -> Obj:
    paths = {
        _item_path(r): {"patch": _operation(r, v2=False)}
        for r in RESOURCES if (r.group, r.version) == (group, version)
    }
    return {
        "openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "unversioned"},
        "paths": paths, "components": {"schemas": {}},
    }


def _v3_index() -> Obj:
    out: Obj = {}
    for group, versions in groups().items():
        for version in versions:
            key = _gv_path(group, version)
            digest = hashlib.sha256(key.encode()).hexdigest()[:16].upper()
            out[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
    return {"paths": out}


def _v2() -> Obj:
    paths = {_item_path(r): {"patch": _operation(r, v2=True)} for r in RESOURCES}
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "unversioned"}, "paths": paths, "definitions": {}}


def document(path: str) -> Obj | None:
    if path == "/openapi/v2":
        return _v2()
    if path == "/openapi/v3":
        return _v3_index()
    prefix = "/openapi/v3/"
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix):].split("/")
    if parts[:1] == ["api"] and len(parts) == 2:
        group, version = "", parts[1]
    elif parts[:1] == ["apis"] and len(parts) == 3:
        group, version = parts[1], parts[2]
    else:
        return None
    if version not in groups().get(group, []):
        return None
    return _v3_group_version(group, version)


def _pb_string(field: int, value: bytes) -> bytes:
    assert len(value) < 128
    return bytes([field << 3 | 2, len(value)]) + value


def v2_protobuf(minor: str) -> bytes:
    """A minimal gnostic openapi_v2.Document (swagger "2.0" and info only) for kubectl <= 1.28.

    Those kubectl builds fetch /openapi/v2 as protobuf and fail on JSON; with no definitions they skip
    client-side schema checks and still learn from /openapi/v3 that the server validates fields.
    """
    info = _pb_string(1, b"Kubernetes") + _pb_string(2, f"v1.{minor}.0".encode())
    return _pb_string(1, b"2.0") + _pb_string(2, info)
