"""Compatibility re-export: the Kubernetes client lives in checker/clients/kube.py (one client package)."""

from checker.clients.kube import (
    JSON_PATCH,
    MERGE_PATCH,
    PATHS,
    SMP,
    Kube,
    KubeError,
    client_for,
    selector_string,
    transient,
)

__all__ = ["JSON_PATCH", "MERGE_PATCH", "PATHS", "SMP", "Kube", "KubeError", "client_for", "selector_string",
           "transient"]
