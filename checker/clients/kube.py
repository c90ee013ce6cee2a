"""The one Kubernetes client package: raw REST through the official client (JSON dicts in and out, transient errors
retried), built from a kubeconfig or the in-cluster ServiceAccount, and the few pod-template readers checks share."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_random_exponential

from checker.config import ClusterTarget
from checker.errors import InputError

if TYPE_CHECKING:
    from kubernetes.client import ApiClient


def api_client(target: ClusterTarget) -> ApiClient:
    """Raises InputError for a kubeconfig that cannot be used (exit 2): a typo, not an outage."""
    try:
        from kubernetes import config as kube_config
    except ModuleNotFoundError:
        # The slim `check` image leaves the client out; a watchdog or a cluster command needs the full build.
        raise InputError("the kubernetes client is not installed here (the slim check image): run cluster "
                         "commands on the host (`pipx install ideogram-prod`) or in an image built with "
                         "--build-arg SLIM=false") from None
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


# Where ideogram-prod's rollout keeps its record (checker/rollout/state.py); readers outside the rollout use these.
ROLLOUT_RECORD = "ideogram-prod-rollout-{deployment}"
ROLLOUT_RECORD_KEY = "state.json"
FINISHED_PHASES = frozenset({"promoted", "rolled-back"})


def rollout_record(configmap: dict[str, Any] | None) -> dict[str, Any] | None:
    """The rollout record's JSON as a dict (None: no record, or not readable as one)."""
    raw = ((configmap or {}).get("data") or {}).get(ROLLOUT_RECORD_KEY)
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


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


# ---------------------------------------------------------------------------------------------- REST
Obj = dict[str, Any]
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
PATHS = {
    "deployments": "/apis/apps/v1/namespaces/{ns}/deployments",
    "replicasets": "/apis/apps/v1/namespaces/{ns}/replicasets",
    "pods": "/api/v1/namespaces/{ns}/pods",
    "services": "/api/v1/namespaces/{ns}/services",
    "configmaps": "/api/v1/namespaces/{ns}/configmaps",
    "secrets": "/api/v1/namespaces/{ns}/secrets",
    "httproutes": "/apis/gateway.networking.k8s.io/v1/namespaces/{ns}/httproutes",
    "horizontalpodautoscalers": "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
    "cronjobs": "/apis/batch/v1/namespaces/{ns}/cronjobs",
}


class KubeError(Exception):
    """An API answer we do not retry (or that kept failing); `status` 0 means the server was unreachable."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".strip() if status else reason)
        self.status = status
        self.reason = reason


def transient(exc: BaseException) -> bool:
    return isinstance(exc, KubeError) and (exc.status == 0 or exc.status == 429 or exc.status >= 500)


class Kube:
    """One namespace of one cluster. 5xx, 429 and timeouts back off and retry; 409 is the caller's to handle."""

    def __init__(self, api: ApiClient, namespace: str, timeout_s: float = 10.0, retry_for_s: float = 20.0) -> None:
        self.api = api
        self.namespace = namespace
        self.timeout_s = timeout_s
        self.retry_for_s = retry_for_s

    def _once(self, method: str, path: str, body: Any, content_type: str | None,
              accept: str = "application/json") -> Obj | None:
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        try:
            _, url, headers, payload, _ = self.api.param_serialize(
                method=method, resource_path=path, header_params=headers, body=body, auth_settings=["BearerToken"])
            resp = self.api.call_api(method, url, headers, payload, _request_timeout=self.timeout_s)
            data = resp.read()  # type: ignore[no-untyped-call]
        except Exception as exc:  # noqa: BLE001 - urllib3 raises many shapes for an unreachable or slow server
            status = getattr(exc, "status", 0) or 0
            raise KubeError(int(status), f"cannot reach the API server ({type(exc).__name__})") from None
        if resp.status >= 300:
            reason = resp.reason or ""
            try:
                reason = json.loads(data).get("reason") or reason
            except (ValueError, AttributeError):
                pass
            raise KubeError(resp.status, str(reason))
        return json.loads(data) if data else None

    def call(self, method: str, path: str, body: Any = None, content_type: str | None = None,
             accept: str = "application/json") -> Obj | None:
        retrying = Retrying(stop=stop_after_attempt(8) | stop_after_delay(self.retry_for_s),
                            wait=wait_random_exponential(multiplier=0.2, max=2.0),
                            retry=retry_if_exception(transient), reraise=True)
        return retrying(self._once, method, path, body, content_type, accept)

    def path(self, plural: str, name: str | None = None, **query: str) -> str:
        out = PATHS[plural].format(ns=self.namespace) + (f"/{name}" if name else "")
        return out + ("?" + urlencode(query) if query else "")

    # ------------------------------------------------------------------ verbs
    def get(self, plural: str, name: str) -> Obj | None:
        try:
            return self.call("GET", self.path(plural, name))
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    def get_metadata(self, plural: str, name: str) -> Obj | None:
        """Only the object's metadata (PartialObjectMetadata): a Secret's data never leaves the API server."""
        try:
            return self.call("GET", self.path(plural, name), accept=METADATA_ONLY)
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    def list(self, plural: str, label_selector: str | None = None) -> list[Obj]:
        query = {"labelSelector": label_selector} if label_selector else {}
        items: list[Obj] = []
        cont = ""
        while True:
            page = self.call("GET", self.path(plural, **query, **({"continue": cont} if cont else {}))) or {}
            items += page.get("items") or []
            cont = (page.get("metadata") or {}).get("continue") or ""
            if not cont:
                return items

    def create(self, plural: str, obj: Obj) -> Obj:
        out = self.call("POST", self.path(plural), obj)
        assert out is not None
        return out

    def replace(self, plural: str, obj: Obj) -> Obj:
        """PUT carrying metadata.resourceVersion: a 409 means someone else wrote first."""
        out = self.call("PUT", self.path(plural, obj["metadata"]["name"]), obj)
        assert out is not None
        return out

    def patch(self, plural: str, name: str, body: Any, content_type: str) -> Obj:
        out = self.call("PATCH", self.path(plural, name), body, content_type)
        assert out is not None
        return out

    def delete(self, plural: str, name: str) -> bool:
        """True if it deleted something; a missing object is not an error (idempotent)."""
        try:
            self.call("DELETE", self.path(plural, name), {"propagationPolicy": "Background"})
            return True
        except KubeError as exc:
            if exc.status == 404:
                return False
            raise

    def update(self, plural: str, name: str, mutate: Callable[[Obj], bool], attempts: int = 10) -> Obj | None:
        """Read-modify-write with CAS: on 409 re-read and re-apply `mutate` (which returns False for no change)."""
        for _ in range(attempts):
            obj = self.get(plural, name)
            if obj is None:
                return None
            if not mutate(obj):
                return obj
            try:
                return self.replace(plural, obj)
            except KubeError as exc:
                if exc.status != 409:
                    raise
            time.sleep(0.05)
        raise KubeError(409, f"{plural}/{name} kept changing under us")


def selector_string(selector: Obj | None) -> str:
    """A LabelSelector as the `labelSelector` query parameter."""
    parts = [f"{k}={v}" for k, v in sorted(((selector or {}).get("matchLabels") or {}).items())]
    for expr in (selector or {}).get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def client_for(target: ClusterTarget, timeout_s: float = 10.0) -> Kube:
    return Kube(api_client(target), target.namespace, timeout_s)
