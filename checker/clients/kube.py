"""The official Kubernetes client, built from a kubeconfig on demand (imported lazily: it is slow to load)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from checker.config import ClusterTarget
from checker.errors import InputError

if TYPE_CHECKING:
    from kubernetes.client import ApiClient


def api_client(target: ClusterTarget) -> ApiClient:
    """Raises InputError for a kubeconfig that cannot be used (exit 2): a typo, not an outage."""
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException

    try:
        # NOTE: config_file=None lets the client merge $KUBECONFIG (colon-separated) or ~/.kube/config.
        client: ApiClient = kube_config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=target.kubeconfig, context=target.context)
        return client
    except (ConfigException, OSError) as exc:
        where = target.kubeconfig or "$KUBECONFIG / ~/.kube/config"
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"kubeconfig {where}: {message}") from None


def api_error(exc: Exception) -> str:
    """A one-line description of a client failure, without the response body (it can echo secrets)."""
    status = getattr(exc, "status", None)
    reason = getattr(exc, "reason", None)
    if status:
        return f"HTTP {status} {reason or ''}".strip()
    return f"cannot reach the API server ({type(exc).__name__})"


def container_of(deployment: Any, name: str | None) -> Any:
    containers = deployment.spec.template.spec.containers or []
    if name is None:
        return containers[0] if containers else None
    return next((c for c in containers if c.name == name), None)


def key_secret_ref(deployment: Any, key_env: str, container: str | None) -> tuple[str, str] | None:
    """(secret name, key) the container's key env var comes from: secretKeyRef or envFrom.secretRef."""
    c = container_of(deployment, container)
    if c is None:
        return None
    for env in c.env or []:
        if env.name == key_env and env.value_from is not None and env.value_from.secret_key_ref is not None:
            return env.value_from.secret_key_ref.name, env.value_from.secret_key_ref.key
    for source in c.env_from or []:
        if source.secret_ref is not None:
            return source.secret_ref.name, key_env
    return None


def secret_value(secret: Any, key: str) -> str | None:
    raw = (secret.data or {}).get(key)
    if raw is None:
        return None
    return base64.b64decode(raw).decode("utf-8", errors="replace")
