"""Discovery documents (/version, /api, /apis, group versions) that kubectl and the Python client read."""

from __future__ import annotations

from typing import Any

from .resources import RESOURCES, groups

Obj = dict[str, Any]
_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
_CATEGORIES = {"deployments": ["all"], "replicasets": ["all"], "pods": ["all"], "services": ["all"], "httproutes": ["gateway-api"]}


def version(minor: str) -> Obj:
    return {
        "major": "1", "minor": minor, "gitVersion": f"v1.{minor}.0", "gitCommit": "0" * 40,
        "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.22.5",
        "compiler": "gc", "platform": "linux/amd64",
    }


def _gv(group: str, version: str) -> Obj:
    return {"groupVersion": f"{group}/{version}", "version": version}


def api_group(group: str) -> Obj:
    versions = groups()[group]
    return {
        "kind": "APIGroup", "apiVersion": "v1", "name": group,
        "versions": [_gv(group, v) for v in versions], "preferredVersion": _gv(group, versions[0]),
    }


def api_group_list() -> Obj:
    out = []
    for group in groups():
        if group:
            doc = api_group(group)
            del doc["kind"], doc["apiVersion"]
            out.append(doc)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def resource_list(group: str, version: str) -> Obj | None:
    items: list[Obj] = []
    for r in RESOURCES:
        if (r.group, r.version) != (group, version):
            continue
        entry: Obj = {
            "name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind, "verbs": _VERBS,
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.plural in _CATEGORIES:
            entry["categories"] = _CATEGORIES[r.plural]
        items.append(entry)
        for sub in r.subresources:
            sub_entry: Obj = {
                "name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                "kind": r.kind, "verbs": ["get", "patch", "update"],
            }
            if sub == "scale":
                sub_entry.update(group="autoscaling", version="v1", kind="Scale")
            items.append(sub_entry)
    if not items:
        return None
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": items}
