"""The resource types the fake API server knows, shared by discovery, routing and the store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    has_generation: bool = False
    builtin: bool = True  # False for CRD-backed types: no strategic merge patch, list items keep kind

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps` as used in real error messages (`secrets` for the core group)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular(self) -> str:
        return self.kind.lower()


RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "namespaces", "Namespace", namespaced=False, short_names=("ns",), subresources=("status",)),
    Resource("", "v1", "pods", "Pod", short_names=("po",), subresources=("status",)),
    Resource("", "v1", "services", "Service", short_names=("svc",), subresources=("status",)),
    Resource("", "v1", "secrets", "Secret"),
    Resource("", "v1", "configmaps", "ConfigMap", short_names=("cm",)),
    Resource(
        "apps", "v1", "deployments", "Deployment", short_names=("deploy",),
        subresources=("status", "scale"), has_generation=True,
    ),
    Resource(
        "apps", "v1", "replicasets", "ReplicaSet", short_names=("rs",),
        subresources=("status", "scale"), has_generation=True,
    ),
    Resource("coordination.k8s.io", "v1", "leases", "Lease"),
    Resource(
        "gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute",
        subresources=("status",), has_generation=True, builtin=False,
    ),
)

BY_PATH: dict[tuple[str, str, str], Resource] = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_PLURAL: dict[str, Resource] = {r.plural: r for r in RESOURCES}
BY_KIND: dict[str, Resource] = {r.kind: r for r in RESOURCES}


def groups() -> dict[str, list[str]]:
    """Group name -> its versions, in discovery order (the core group "" first)."""
    out: dict[str, list[str]] = {}
    for r in RESOURCES:
        versions = out.setdefault(r.group, [])
        if r.version not in versions:
            versions.append(r.version)
    return out
