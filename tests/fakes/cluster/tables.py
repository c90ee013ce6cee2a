"""Server-side `Table` rendering, so `kubectl get` prints the columns a real cluster prints."""

from __future__ import annotations

from typing import Any

from .clock import parse_rfc3339
from .selectors import selector_string

Obj = dict[str, Any]


def human_duration(seconds: float) -> str:
    """kubectl's apimachinery duration.HumanDuration."""
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = s // 3600
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    return f"{h // (24 * 365)}y"


def _col(name: str, kind: str = "string", priority: int = 0, fmt: str = "") -> Obj:
    return {"name": name, "type": kind, "format": fmt, "description": name, "priority": priority}


def _containers(template_spec: Obj) -> tuple[str, str]:
    cs = template_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _row(kind: str, o: Obj, age: str) -> tuple[list[Obj], list[Any]]:
    spec, status, md = o.get("spec") or {}, o.get("status") or {}, o["metadata"]
    name = _col("Name", fmt="name")
    if kind in ("Deployment", "ReplicaSet"):
        names, images = _containers((spec.get("template") or {}).get("spec") or {})
        sel = selector_string(spec.get("selector") or {})
        wide = [_col("Containers", priority=1), _col("Images", priority=1), _col("Selector", priority=1)]
        if kind == "Deployment":
            cols = [name, _col("Ready"), _col("Up-to-date", "integer"), _col("Available", "integer"), _col("Age")]
            cells = [md["name"], f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
                     status.get("updatedReplicas", 0), status.get("availableReplicas", 0), age]
        else:
            cols = [name, _col("Desired", "integer"), _col("Current", "integer"), _col("Ready", "integer"), _col("Age")]
            cells = [md["name"], spec.get("replicas", 1), status.get("replicas", 0), status.get("readyReplicas", 0), age]
        return cols + wide, [*cells, names, images, sel]
    if kind == "Pod":
        cstats = status.get("containerStatuses") or []
        ready = sum(1 for c in cstats if c.get("ready"))
        reason = status.get("phase", "Pending")
        for c in cstats:
            waiting = (c.get("state") or {}).get("waiting")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
        cols = [name, _col("Ready"), _col("Status"), _col("Restarts", "string"), _col("Age"),
                _col("IP", priority=1), _col("Node", priority=1)]
        cells = [md["name"], f"{ready}/{len(spec.get('containers') or [])}", reason,
                 str(sum(c.get("restartCount", 0) for c in cstats)), age, status.get("podIP", "<none>"),
                 spec.get("nodeName", "<none>")]
        return cols, cells
    if kind == "Service":
        ports = ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}" for p in spec.get("ports") or []) or "<none>"
        cols = [name, _col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)"), _col("Age"),
                _col("Selector", priority=1)]
        sel = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items())) or "<none>"
        return cols, [md["name"], spec.get("type"), spec.get("clusterIP", "<none>"), "<none>", ports, age, sel]
    if kind == "Namespace":
        return [name, _col("Status"), _col("Age")], [md["name"], status.get("phase", "Active"), age]
    if kind == "Secret":
        return ([name, _col("Type"), _col("Data", "integer"), _col("Age")],
                [md["name"], o.get("type", "Opaque"), len(o.get("data") or {}), age])
    if kind == "ConfigMap":
        data = len(o.get("data") or {}) + len(o.get("binaryData") or {})
        return [name, _col("Data", "integer"), _col("Age")], [md["name"], data, age]
    if kind == "Lease":
        return [name, _col("Holder"), _col("Age")], [md["name"], spec.get("holderIdentity", ""), age]
    if kind == "HTTPRoute":
        hosts = '["' + '","'.join(spec.get("hostnames") or []) + '"]' if spec.get("hostnames") else ""
        return [name, _col("Hostnames"), _col("Age")], [md["name"], hosts, age]
    return [name, _col("Age")], [md["name"], age]


def as_table(body: Obj, now: float) -> Obj | None:
    """A list or single object as a meta.k8s.io/v1 Table; None for bodies that are not objects."""
    kind = body.get("kind", "")
    if kind.endswith("List"):
        items, kind, rv = body.get("items") or [], kind[:-4], body["metadata"].get("resourceVersion")
        meta: Obj = {"resourceVersion": rv}
        if body["metadata"].get("continue"):
            meta["continue"] = body["metadata"]["continue"]
    elif "metadata" in body and kind not in ("Status", "Scale"):
        items, meta = [body], {"resourceVersion": body["metadata"].get("resourceVersion")}
    else:
        return None
    columns: list[Obj] = _row(kind, {"metadata": {"name": ""}}, "")[0]
    rows = []
    for o in items:
        age = human_duration(now - parse_rfc3339(o["metadata"].get("creationTimestamp")))
        columns, cells = _row(kind, o, age)
        rows.append({
            "cells": cells,
            "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]},
        })
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": columns, "rows": rows}
