"""The official Kubernetes client, built from a kubeconfig on demand (imported lazily: it is slow to load)."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.config import ClusterTarget
from checker.errors import InputError

if TYPE_CHECKING:
    from kubernetes.client import ApiClient


def api_client(target: ClusterTarget) -> ApiClient:
    """Raises InputError for a kubeconfig that cannot be used (exit 2): a typo, not an outage."""
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException

    if _in_cluster(target):
        # A pod (the rollout watchdog's CronJob): its ServiceAccount token, as kubectl does without a kubeconfig.
        from kubernetes.client import ApiClient, Configuration

        configuration = Configuration()
        try:
            kube_config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        except ConfigException as exc:
            raise InputError(f"in-cluster config: {str(exc).splitlines()[0][:200]}") from None
        return ApiClient(configuration)
    try:
        # NOTE: config_file=None lets the client merge $KUBECONFIG (colon-separated) or ~/.kube/config.
        client: ApiClient = kube_config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=target.kubeconfig, context=target.context)
        return client
    except (ConfigException, OSError) as exc:
        where = target.kubeconfig or "$KUBECONFIG / ~/.kube/config"
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"kubeconfig {where}: {message}") from None


def _in_cluster(target: ClusterTarget) -> bool:
    """No kubeconfig anywhere, but the pod environment Kubernetes gives every container."""
    return (target.kubeconfig is None and not os.environ.get("KUBECONFIG")
            and not (Path.home() / ".kube" / "config").exists() and bool(os.environ.get("KUBERNETES_SERVICE_HOST")))


def first_container(deployment: dict[str, Any], name: str | None) -> dict[str, Any] | None:
    containers = deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
    if name is None:
        return containers[0] if containers else None
    return next((c for c in containers if c.get("name") == name), None)


def key_ref(deployment: dict[str, Any], key_env: str, container: str | None) -> tuple[str, str] | None:
    """(secret name, key) the container's key env var comes from: secretKeyRef or envFrom.secretRef."""
    c = first_container(deployment, container)
    if c is None:
        return None
    for env in c.get("env") or []:
        ref = (env.get("valueFrom") or {}).get("secretKeyRef")
        if env.get("name") == key_env and ref:
            return str(ref.get("name")), str(ref.get("key"))
    for source in c.get("envFrom") or []:
        if source.get("secretRef"):
            return str(source["secretRef"].get("name")), key_env
    return None


def secret_text(secret: dict[str, Any], key: str) -> str | None:
    raw = (secret.get("data") or {}).get(key)
    return None if raw is None else base64.b64decode(raw).decode("utf-8", errors="replace")
