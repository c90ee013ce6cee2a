"""The test-facing handle on a fake cluster: start/stop, clients, real kubectl, seeding and simulated time."""

from __future__ import annotations

import builtins
import contextlib
import copy
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .api import Api, Route
from .clock import SimClock
from .controller import REVISION, Controller
from .errors import ApiError
from .resources import BY_KIND, BY_PLURAL, Resource
from .server import ApiHTTPServer, Faults, RequestRecord
from .store import Store

Obj = dict[str, Any]
KUBECTL_DIR = Path("/usr/lib/google-cloud-sdk/bin")


def kubectl_path(version: str | None = None) -> str | None:
    """The kubectl on PATH (version None) or the versioned build `kubectl.<version>` beside it."""
    if version is None:
        return shutil.which("kubectl")
    name = f"kubectl.{version}"
    found = shutil.which(name)
    if found:
        return found
    candidates = [KUBECTL_DIR / name]
    default = shutil.which("kubectl")
    if default:
        candidates.append(Path(os.path.realpath(default)).parent / name)
    return next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


def _resource(kind_or_plural: str) -> Resource:
    res = BY_PLURAL.get(kind_or_plural) or BY_KIND.get(kind_or_plural)
    if res is None:
        raise KeyError(f"unknown resource {kind_or_plural!r}")
    return res


class Cluster:
    """A fake Kubernetes API server on 127.0.0.1 with controllers on a simulated clock."""

    def __init__(
        self, workdir: str | Path | None = None, *, pod_ready_seconds: float = 0.0, server_version: str = "1.31",
        seed: int = 0,
    ) -> None:
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="fake-kube-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.clock = SimClock()
        self.store = Store(self.clock)
        self.controller = Controller(self.store, seed=seed)
        self.controller.pod_ready_seconds = pod_ready_seconds
        self.api = Api(self.store, self.controller)
        self.faults = Faults(seed)
        self.server_version = server_version
        self._server: ApiHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Cluster:
        self._server = ApiHTTPServer(self.api, self.faults, self.server_version.split(".")[-1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-kube-apiserver", daemon=True
        )
        self._thread.start()
        self.kubeconfig.write_text(yaml.safe_dump(self.kubeconfig_dict(), sort_keys=False))
        return self

    def stop(self) -> None:
        self.api.closing.set()
        self.store.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the cluster first"
        return self._server.url

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"

    def kubeconfig_dict(self, namespace: str = "default") -> Obj:
        return {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "namespace": namespace, "user": "nobody"}}],
            "current-context": "fake",
            "users": [{"name": "nobody", "user": {}}],
        }

    # ------------------------------------------------------------------ knobs
    @property
    def pod_ready_seconds(self) -> float:
        return self.controller.pod_ready_seconds

    @pod_ready_seconds.setter
    def pod_ready_seconds(self, value: float) -> None:
        self.controller.pod_ready_seconds = value

    @property
    def never_ready_images(self) -> tuple[str, ...]:
        return self.controller.never_ready_images

    @never_ready_images.setter
    def never_ready_images(self, value: tuple[str, ...]) -> None:
        self.controller.never_ready_images = tuple(value)

    @property
    def image_ready_seconds(self) -> dict[str, float]:
        """Per-image readiness delay: substring of the image -> seconds (overrides pod_ready_seconds)."""
        return self.controller.image_ready_seconds

    @contextlib.contextmanager
    def controllers_paused(self) -> Iterator[None]:
        """Seed states the controllers would immediately 'fix'; they reconcile again on exit."""
        self.controller.enabled = False
        try:
            yield
        finally:
            self.controller.enabled = True
            self.controller.reconcile()

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        return self.clock.now()

    def advance(self, seconds: float) -> None:
        """Move simulated time forward, stopping at every instant a controller acts."""
        target = self.clock.now() + seconds
        self.controller.reconcile()
        for _ in range(100_000):
            with self.store.lock:
                due = self.controller.next_due()
                step_to = target if due is None else min(due, target)
                self.clock.advance(max(0.0, step_to - self.clock.now()))
                self.controller.reconcile()
            if step_to >= target:
                return

    def settle(self, max_seconds: float = 3600.0) -> float:
        """Advance until nothing is pending (rollouts done or timed out); return simulated seconds used."""
        start = self.clock.now()
        self.controller.reconcile()
        while True:
            with self.store.lock:
                due = self.controller.next_due()
                if due is None or due - start > max_seconds:
                    return self.clock.now() - start
            self.advance(due - self.clock.now())

    @contextlib.contextmanager
    def clock_running(self, speed: float = 60.0, tick: float = 0.01, after_watch: bool = False) -> Iterator[None]:
        """Let simulated time run at `speed` x real time, for clients that wait in real time (rollout status).

        With after_watch, time starts only once a client opens a watch, so a slow-starting client
        (the kubectl dispatcher takes ~1 s) still sees the rollout from its beginning.
        """
        stop = threading.Event()
        if after_watch:
            self.api.watch_started.clear()

        def run() -> None:
            if after_watch:
                while not stop.is_set() and not self.api.watch_started.wait(0.05):
                    pass
            while not stop.wait(tick):
                self.advance(speed * tick)

        thread = threading.Thread(target=run, name="fake-kube-clock", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    # ------------------------------------------------------------------ clients
    def api_client(self) -> Any:
        """An official `kubernetes.client.ApiClient` pointed at this server."""
        from kubernetes import client

        cfg = client.Configuration()
        cfg.host = self.url
        return client.ApiClient(cfg)

    def kubectl(
        self, *args: str, version: str | None = None, timeout: float = 60.0, speed: float | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run real kubectl (version "1.27" -> kubectl.1.27) with this kubeconfig and this cluster's own KUBECACHEDIR.

        With `speed`, simulated time runs at that factor from the first watch kubectl opens until it exits.
        """
        exe = kubectl_path(version)
        if exe is None:
            raise FileNotFoundError(f"kubectl{'.' + version if version else ''} not found")
        # A cache per cluster and kubectl build: fresh for every new cluster (so a reused port never
        # serves stale discovery), yet warm across the commands of one test.
        cache = self.workdir / f"kubecache-{version or 'default'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBERNETES_")}
        env.update(KUBECONFIG=str(self.kubeconfig), KUBECACHEDIR=str(cache), NO_COLOR="1")
        cmd = [exe, *args]
        ctx = self.clock_running(speed, after_watch=True) if speed else contextlib.nullcontext()
        with ctx:
            return subprocess.run(
                cmd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
            )

    # ------------------------------------------------------------------ objects
    def create(self, obj: Obj) -> Obj:
        """Create through the API semantics (defaults, validation, controllers), without HTTP."""
        res = _resource(obj["kind"])
        ns = (obj.get("metadata") or {}).get("namespace", "default") if res.namespaced else None
        out = self.api.create(Route(res, ns, None, None), copy.deepcopy(obj), dry_run=False)
        self.controller.reconcile()
        return out

    def apply(self, obj: Obj) -> Obj:
        """Create, or replace the spec of, an object (a tiny `kubectl apply` for seeding)."""
        res = _resource(obj["kind"])
        md = obj.get("metadata") or {}
        ns = md.get("namespace", "default") if res.namespaced else None
        current = self.get(res.plural, md["name"], ns or "")
        if current is None:
            return self.create(obj)
        new = copy.deepcopy(obj)
        new["metadata"] = {**current["metadata"], **md}
        new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        out = self.api.update(Route(res, ns, md["name"], None), new, dry_run=False)
        self.controller.reconcile()
        return out

    def put_raw(self, obj: Obj) -> Obj:
        """Store an object as given (uid, annotations, status...), bypassing defaults and validation."""
        obj = copy.deepcopy(obj)
        res = _resource(obj["kind"])
        if res.namespaced:
            obj["metadata"].setdefault("namespace", "default")
        return self.store.put_raw(obj)

    def get(self, kind_or_plural: str, name: str, namespace: str = "default") -> Obj | None:
        return self.store.get(_resource(kind_or_plural), namespace, name)

    def list(self, kind_or_plural: str, namespace: str | None = "default") -> builtins.list[Obj]:
        return self.store.list(_resource(kind_or_plural), namespace)

    def delete(self, kind_or_plural: str, name: str, namespace: str = "default") -> None:
        res = _resource(kind_or_plural)
        try:
            self.api.delete(Route(res, namespace, name, None), {}, {}, dry_run=False)
        except ApiError:
            pass
        self.controller.reconcile()

    def deployment(
        self, name: str, image: str = "nginx:1.25", *, replicas: int = 3, namespace: str = "default",
        labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
        container: str | None = None, settle: bool = True, **spec: Any,
    ) -> Obj:
        """Create (or update) a Deployment with one container; extra keyword args go into `spec`."""
        labels = labels or {"app": name}
        body: Obj = {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": {
                "replicas": replicas, "selector": {"matchLabels": dict(labels)},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {"containers": [{"name": container or name, "image": image}]},
                },
                **spec,
            },
        }
        if annotations:
            body["metadata"]["annotations"] = dict(annotations)
        self.apply(body)
        if settle:
            self.settle()
        out = self.get("deployments", name, namespace)
        assert out is not None
        return out

    def service(self, name: str, *, selector: dict[str, str] | None = None, port: int = 80,
                target_port: int | str = 8080, namespace: str = "default") -> Obj:
        return self.create({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": selector or {"app": name}, "ports": [{"port": port, "targetPort": target_port}]},
        })

    def secret(self, name: str, string_data: dict[str, str], *, namespace: str = "default",
               type_: str = "Opaque") -> Obj:
        return self.create({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace},
            "type": type_, "stringData": dict(string_data),
        })

    def configmap(self, name: str, data: dict[str, str], *, namespace: str = "default") -> Obj:
        return self.create({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": dict(data),
        })

    def set_image(self, deployment: str, image: str, *, container: str | None = None,
                  namespace: str = "default", settle: bool = False) -> Obj:
        """What `kubectl set image` does: change one container's image (a strategic merge patch)."""
        current = self.get("deployments", deployment, namespace)
        if current is None:
            raise KeyError(deployment)
        containers = current["spec"]["template"]["spec"]["containers"]
        target = container or containers[0]["name"]
        patch = {"spec": {"template": {"spec": {"containers": [{"name": target, "image": image}]}}}}
        out = self.api.patch(
            Route(BY_PLURAL["deployments"], namespace, deployment, None),
            "application/strategic-merge-patch+json", _json(patch), False, {},
        )
        self.controller.reconcile()
        if settle:
            self.settle()
        assert out.body is not None
        return out.body

    def replicasets(self, deployment: str, namespace: str = "default") -> builtins.list[Obj]:
        """The Deployment's ReplicaSets (controller ownerReference), oldest revision first."""
        d = self.get("deployments", deployment, namespace)
        if d is None:
            return []
        uid = d["metadata"]["uid"]
        owned = [
            rs for rs in self.list("replicasets", namespace)
            if any(r.get("uid") == uid and r.get("controller") for r in rs["metadata"].get("ownerReferences") or [])
        ]
        return sorted(owned, key=lambda rs: int((rs["metadata"].get("annotations") or {}).get(REVISION, "0")))

    def pods(self, namespace: str = "default", selector: dict[str, str] | None = None) -> builtins.list[Obj]:
        pods = self.list("pods", namespace)
        if selector:
            pods = [p for p in pods if all((p["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]
        return pods

    # ------------------------------------------------------------------ request log
    def requests(self, method: str | None = None, path: str | None = None, *,
                 include_discovery: bool = False) -> builtins.list[RequestRecord]:
        """Requests received so far, filtered by method and path substring."""
        assert self._server is not None
        with self._server.log_lock:
            log = list(self._server.log)
        return [
            r for r in log
            if (method is None or r.method == method.upper()) and (path is None or path in r.path)
            and (include_discovery or not r.discovery)
        ]

    def clear_requests(self) -> None:
        assert self._server is not None
        with self._server.log_lock:
            self._server.log.clear()


def _json(obj: Any) -> bytes:
    return json.dumps(obj).encode()
