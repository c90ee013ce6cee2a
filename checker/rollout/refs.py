"""ConfigMaps and Secrets a pod template references: recorded at start, compared at rollback (issue 12, harm 11).

A rollback restores the pod template, not these objects: a config change made with the release stays. The
report says which changed so a person can restore them; nothing here restores or prints their contents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.clients.kube import Kube

ABSENT = "absent"


def _from_containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for env in c.get("env") or []:
            source = env.get("valueFrom") or {}
            if (source.get("configMapKeyRef") or {}).get("name"):
                yield "configmaps", source["configMapKeyRef"]["name"]
            if (source.get("secretKeyRef") or {}).get("name"):
                yield "secrets", source["secretKeyRef"]["name"]
        for source in c.get("envFrom") or []:
            if (source.get("configMapRef") or {}).get("name"):
                yield "configmaps", source["configMapRef"]["name"]
            if (source.get("secretRef") or {}).get("name"):
                yield "secrets", source["secretRef"]["name"]


def _from_volumes(spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for v in spec.get("volumes") or []:
        if (v.get("configMap") or {}).get("name"):
            yield "configmaps", v["configMap"]["name"]
        if (v.get("secret") or {}).get("secretName"):
            yield "secrets", v["secret"]["secretName"]
        for source in (v.get("projected") or {}).get("sources") or []:
            if (source.get("configMap") or {}).get("name"):
                yield "configmaps", source["configMap"]["name"]
            if (source.get("secret") or {}).get("name"):
                yield "secrets", source["secret"]["name"]


def referenced(template: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(plural, name) of every ConfigMap and Secret the template's env, envFrom and volumes name, sorted."""
    spec = template.get("spec") or {}
    return sorted(set(_from_containers(spec)) | set(_from_volumes(spec)))


def key(plural: str, name: str) -> str:
    return f"{plural[:-1]}/{name}"


def versions(kube: Kube, template: Mapping[str, Any]) -> dict[str, str]:
    """`configmap/<name>` / `secret/<name>` -> resourceVersion (or "absent"); only metadata is kept."""
    out = {}
    for plural, name in referenced(template):
        obj = kube.get_metadata(plural, name)  # a Secret's data is never fetched
        out[key(plural, name)] = ABSENT if obj is None else str((obj.get("metadata") or {}).get("resourceVersion"))
    return out


def drift(before: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """One line per referenced object that changed since `before` was recorded."""
    lines = []
    for name in sorted(before):
        was, is_ = before[name], now.get(name, ABSENT)
        if was != is_:
            what = "deleted" if is_ == ABSENT else "created" if was == ABSENT else "changed"
            lines.append(f"{name} {what} since the rollout began (resourceVersion {was} -> {is_})")
    return lines
