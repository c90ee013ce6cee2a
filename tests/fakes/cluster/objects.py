"""Per-kind defaulting and validation, as the API server's registry strategies do on every write."""

from __future__ import annotations

import base64
import re
from typing import Any

from .errors import ApiError, invalid
from .resources import Resource
from .selectors import label_selector_requirements, labels_match

_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


# ---------------------------------------------------------------- defaulting
def _default_pod_spec(spec: dict[str, Any]) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            c.setdefault("resources", {})
            c.setdefault("terminationMessagePath", "/dev/termination-log")
            c.setdefault("terminationMessagePolicy", "File")
            image = c.get("image") or ""
            tag = image.rsplit("/", 1)[-1]
            latest = "@" not in image and (":" not in tag or tag.endswith(":latest"))
            c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
            for port in c.get("ports") or []:
                port.setdefault("protocol", "TCP")


def _default_template(template: dict[str, Any]) -> None:
    template.setdefault("metadata", {})
    template["metadata"].setdefault("creationTimestamp", None)
    _default_pod_spec(template.setdefault("spec", {}))


def default(res: Resource, obj: dict[str, Any], cluster_ip: str = "10.96.0.10") -> None:
    """Fill the defaults the real API server adds, so objects round-trip exactly like a cluster's."""
    spec = obj.get("spec")
    if res.kind == "Deployment" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        strategy = spec.setdefault("strategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            ru = strategy.setdefault("rollingUpdate", {})
            ru.setdefault("maxUnavailable", "25%")
            ru.setdefault("maxSurge", "25%")
        _default_template(spec.setdefault("template", {}))
    elif res.kind == "ReplicaSet" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        _default_template(spec.setdefault("template", {}))
    elif res.kind == "Pod" and isinstance(spec, dict):
        _default_pod_spec(spec)
    elif res.kind == "Service":
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        if spec["type"] != "ExternalName":
            spec.setdefault("clusterIP", cluster_ip)
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
        obj.setdefault("status", {"loadBalancer": {}})
    elif res.kind == "Secret":
        obj.setdefault("type", "Opaque")
        string_data = obj.pop("stringData", None) or {}
        if string_data:
            data = obj.setdefault("data", {})
            for k, v in string_data.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
    elif res.kind == "Namespace":
        md = obj["metadata"]
        md.setdefault("labels", {})["kubernetes.io/metadata.name"] = md["name"]
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        obj["status"] = {"phase": "Active"}


# ---------------------------------------------------------------- validation
def _go_map(labels: dict[str, str]) -> str:
    inner = ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items()))
    return "map[string]string{" + inner + "}"


def validate(res: Resource, obj: dict[str, Any], old: dict[str, Any] | None = None) -> None:
    """Raise the 422 the real server gives for the mistakes our code and tests can make."""
    md = obj.get("metadata") or {}
    name = md.get("name") or ""
    causes: list[tuple[str, str]] = []
    if not name:
        causes.append(("metadata.name", "Required value: name or generateName is required"))
    elif len(name) > 253 or not _DNS1123_SUBDOMAIN.fullmatch(name):
        causes.append(("metadata.name", f'Invalid value: "{name}": {_SUBDOMAIN_MSG}'))
    if res.kind in ("Deployment", "ReplicaSet"):
        spec = obj.get("spec") or {}
        replicas = spec.get("replicas", 1)
        if isinstance(replicas, int) and replicas < 0:
            causes.append(("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0"))
        selector = spec.get("selector")
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not selector:
            causes.append(("spec.selector", "Required value"))
        else:
            reqs = label_selector_requirements(selector) or []
            if not reqs:
                causes.append(("spec.selector", "Invalid value: v1.LabelSelector{}: empty selector is invalid for deployment"))
            elif not labels_match(reqs, labels):
                causes.append((
                    "spec.template.metadata.labels",
                    f"Invalid value: {_go_map(labels)}: `selector` does not match template `labels`",
                ))
        if old is not None and (old.get("spec") or {}).get("selector") != selector:
            causes.append(("spec.selector", "Invalid value: v1.LabelSelector: field is immutable"))
        containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
        if not containers:
            causes.append(("spec.template.spec.containers", "Required value"))
        for i, c in enumerate(containers):
            if not c.get("name"):
                causes.append((f"spec.template.spec.containers[{i}].name", "Required value"))
            if not c.get("image"):
                causes.append((f"spec.template.spec.containers[{i}].image", "Required value"))
        strategy = spec.get("strategy") or {}
        if strategy.get("type") not in (None, "RollingUpdate", "Recreate"):
            causes.append((
                "spec.strategy.type",
                f'Unsupported value: "{strategy.get("type")}": supported values: "Recreate", "RollingUpdate"',
            ))
        if strategy.get("type") == "Recreate" and strategy.get("rollingUpdate"):
            causes.append(("spec.strategy.rollingUpdate", "Forbidden: may not be specified when strategy `type` is 'Recreate'"))
    if res.kind == "Service":
        for i, port in enumerate((obj.get("spec") or {}).get("ports") or []):
            if not isinstance(port.get("port"), int) or not 0 < port["port"] < 65536:
                causes.append((f"spec.ports[{i}].port", f"Invalid value: {port.get('port')}: must be between 1 and 65535, inclusive"))
    if causes:
        raise invalid(res, name, causes)


def check_immutable_metadata(res: Resource, old: dict[str, Any], new: dict[str, Any]) -> None:
    uid = new["metadata"].get("uid")
    if uid and uid != old["metadata"]["uid"]:
        raise ApiError(
            409,
            f'Operation cannot be fulfilled on {res.qualified} "{old["metadata"]["name"]}": '
            f"Precondition failed: UID in precondition: {uid}, UID in object meta: {old['metadata']['uid']}",
            "Conflict",
        )
