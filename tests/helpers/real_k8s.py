"""A real control plane on 127.0.0.1 (etcd, kube-apiserver, controller-manager, scheduler, kwok) for tests and bench."""

from __future__ import annotations

import base64
import builtins
import contextlib
import copy
import datetime
import itertools
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S_DIR = REPO / "tests" / "k8s"
KUBECTL_DIR = Path("/usr/lib/google-cloud-sdk/bin")
Obj = dict[str, Any]

# Per-pod knobs read by the kwok stages below (annotations on the pod template, or a label for the behaviour).
READY_DELAY = "ideogram-prod.test/ready-delay"  # e.g. "20s": how long a pod takes to become Ready
TERMINATION_DELAY = "ideogram-prod.test/termination-delay"  # e.g. "5s": how long a deleted pod keeps terminating
BEHAVIOR = "ideogram-prod.test/behavior"  # label: "crashloop" or "never-ready"
# An image whose name holds one of these words behaves so too, so a canary image alone can choose it.
CRASHLOOP_WORD, NEVER_READY_WORD = "crashloop", "never-ready"

# resource plural -> (API path prefix, namespaced)
PATHS: dict[str, tuple[str, bool]] = {
    "namespaces": ("/api/v1", False), "nodes": ("/api/v1", False), "pods": ("/api/v1", True),
    "services": ("/api/v1", True), "configmaps": ("/api/v1", True), "secrets": ("/api/v1", True),
    "serviceaccounts": ("/api/v1", True), "endpoints": ("/api/v1", True),
    "deployments": ("/apis/apps/v1", True), "replicasets": ("/apis/apps/v1", True),
    "horizontalpodautoscalers": ("/apis/autoscaling/v2", True),
    "endpointslices": ("/apis/discovery.k8s.io/v1", True),
    "httproutes": ("/apis/gateway.networking.k8s.io/v1", True),
    "customresourcedefinitions": ("/apis/apiextensions.k8s.io/v1", False),
    "poddisruptionbudgets": ("/apis/policy/v1", True),
    "networkpolicies": ("/apis/networking.k8s.io/v1", True),
}
KIND_PLURAL = {"Namespace": "namespaces", "Node": "nodes", "Pod": "pods", "Service": "services",
               "ConfigMap": "configmaps", "Secret": "secrets", "Deployment": "deployments",
               "ReplicaSet": "replicasets", "HorizontalPodAutoscaler": "horizontalpodautoscalers",
               "HTTPRoute": "httproutes", "CustomResourceDefinition": "customresourcedefinitions",
               "PodDisruptionBudget": "poddisruptionbudgets", "NetworkPolicy": "networkpolicies",
               "ServiceAccount": "serviceaccounts"}


class NotBuilt(RuntimeError):
    """The binaries are not in the cache folder: run tests/k8s/build.sh."""


def bin_dir() -> Path:
    """Where tests/k8s/build.sh puts (or would put) the binaries for the current pins."""
    out = subprocess.run([str(K8S_DIR / "build.sh"), "--print-dir"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip()) / "bin"


def kubectl_path(version: str | None = None) -> str | None:
    if version is None:
        return shutil.which("kubectl")
    found = shutil.which(f"kubectl.{version}") or str(KUBECTL_DIR / f"kubectl.{version}")
    return found if os.access(found, os.X_OK) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def eventually(check: Callable[[], Any], timeout: float = 60.0, interval: float = 0.2, what: str = "") -> Any:
    """Poll until check() returns something truthy; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what or check}: last value {last!r}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------- certificates
@dataclass(frozen=True)
class Pki:
    ca_crt: Path
    server_crt: Path
    server_key: Path
    admin_crt: Path
    admin_key: Path
    sa_key: Path


def make_pki(d: Path) -> Pki:
    """A CA, the apiserver's serving cert (127.0.0.1), an admin client cert (system:masters), a service-account key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    d.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)

    def key_pem(key: Any) -> bytes:
        return bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))

    def name(cn: str, org: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
        return x509.Name(attrs)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("ideogram-prod-test-ca")).issuer_name(name("ideogram-prod-test-ca"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))

    def leaf(cn: str, org: str | None, usage: Any, sans: list[Any] | None) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder().subject_name(name(cn, org)).issuer_name(ca.subject)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
             .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return b.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM), key_pem(key)

    import ipaddress

    server = leaf("kube-apiserver", None, ExtendedKeyUsageOID.SERVER_AUTH,
                  [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
                   x509.DNSName("localhost"), x509.DNSName("kubernetes.default.svc")])
    admin = leaf("admin", "system:masters", ExtendedKeyUsageOID.CLIENT_AUTH, None)
    sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = {"ca.crt": ca.public_bytes(serialization.Encoding.PEM), "server.crt": server[0], "server.key": server[1],
             "admin.crt": admin[0], "admin.key": admin[1], "sa.key": key_pem(sa)}
    for fname, data in files.items():
        (d / fname).write_bytes(data)
        (d / fname).chmod(0o600)
    return Pki(d / "ca.crt", d / "server.crt", d / "server.key", d / "admin.crt", d / "admin.key", d / "sa.key")


# ---------------------------------------------------------------------------------------------- kwok stages
def kwok_stages(kwok_dir: Path, ready_ms: int, terminate_ms: int) -> builtins.list[Obj]:
    """kwok's own node stages, and pod stages built from its `fast` ones with our delays and failure modes.

    A pod becomes Ready `ready_ms` after it is scheduled (annotation READY_DELAY overrides); a deleted pod
    keeps terminating for `terminate_ms` (annotation TERMINATION_DELAY overrides), as a kubelet would while
    the container shuts down; a pod labelled BEHAVIOR=crashloop (or whose image says "crashloop") goes into
    CrashLoopBackOff, one labelled never-ready (or image "never-ready") runs but never becomes Ready.
    """
    stage_dir = kwok_dir / "kustomize" / "stage"

    def load(rel: str) -> Obj:
        return dict(yaml.safe_load((stage_dir / rel).read_text()))

    node_init, heartbeat = load("node/fast/node-initialize.yaml"), load("node/heartbeat-with-lease/"
                                                                           "node-heartbeat-with-lease.yaml")
    ready, delete = load("pod/fast/pod-ready.yaml"), load("pod/fast/pod-delete.yaml")

    image = ".spec.containers.[0].image"
    mode = (f'if (.metadata.labels["{BEHAVIOR}"] // "") != "" then .metadata.labels["{BEHAVIOR}"] '
            f'elif ({image} | test("{CRASHLOOP_WORD}")) then "{CRASHLOOP_WORD}" '
            f'elif ({image} | test("{NEVER_READY_WORD}")) then "{NEVER_READY_WORD}" else "normal" end')
    alive = [{"key": ".metadata.deletionTimestamp", "operator": "DoesNotExist"},
             {"key": ".spec.nodeName", "operator": "Exists"}]

    ready["spec"]["selector"]["matchExpressions"].append({"key": mode, "operator": "In", "values": ["normal"]})
    ready["spec"]["delay"] = {"durationMilliseconds": ready_ms,
                              "durationFrom": {"expressionFrom": f'.metadata.annotations["{READY_DELAY}"]'}}
    delete["spec"]["delay"] = {"durationMilliseconds": terminate_ms,
                               "durationFrom": {"expressionFrom": f'.metadata.annotations["{TERMINATION_DELAY}"]'}}

    def status_template(state: str, ready_flag: str, restart: str) -> str:
        return (
            "{{ $now := Now }}\n"
            "conditions:\n"
            "- {lastTransitionTime: {{ $now | Quote }}, status: \"True\", type: Initialized}\n"
            "- {lastTransitionTime: {{ $now | Quote }}, status: \"True\", type: PodScheduled}\n"
            "- {lastTransitionTime: {{ $now | Quote }}, status: \"False\", type: Ready, reason: ContainersNotReady}\n"
            "- {lastTransitionTime: {{ $now | Quote }}, status: \"False\", type: ContainersReady, "
            "reason: ContainersNotReady}\n"
            "containerStatuses:\n"
            "{{ range .spec.containers }}\n"
            "- image: {{ .image | Quote }}\n"
            "  name: {{ .name | Quote }}\n"
            f"  ready: {ready_flag}\n"
            f"  restartCount: {restart}\n"
            f"  state: {state}\n"
            "{{ end }}\n"
            "{{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid \"\" ) "
            "( or .metadata.name \"\" ) ( or .metadata.namespace \"\" ) }}\n"
            "{{ with $podIPs }}\npodIP: {{ index . 0 | Quote }}\npodIPs:\n{{ range . }}\n- ip: {{ . | Quote }}\n"
            "{{ end }}\n{{ end }}\n"
            "phase: Running\n"
            "startTime: {{ $now | Quote }}\n")

    def stage(name: str, want: str, template: str, extra: list[Obj]) -> Obj:
        return {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Stage", "metadata": {"name": name},
                "spec": {"resourceRef": {"apiGroup": "v1", "kind": "Pod"},
                         "selector": {"matchExpressions": [*alive, {"key": mode, "operator": "In", "values": [want]},
                                                           *extra]},
                         "delay": {"durationMilliseconds": 500},
                         "next": {"statusTemplate": template}}}

    crash = stage("pod-crashloop", CRASHLOOP_WORD, status_template(
        "{waiting: {reason: CrashLoopBackOff, message: 'back-off 10s restarting failed container'}}", "false", "3"),
        [{"key": '.status.containerStatuses.[0].state.waiting.reason', "operator": "NotIn",
          "values": ["CrashLoopBackOff"]}])
    never = stage("pod-never-ready", NEVER_READY_WORD, status_template(
        "{running: {startedAt: {{ $now | Quote }}}}", "false", "0"),
        [{"key": ".status.phase", "operator": "NotIn", "values": ["Running"]}])
    return [node_init, heartbeat, ready, crash, never, delete]


# ---------------------------------------------------------------------------------------------- REST
class Rest:
    """A small JSON client on the admin identity, for seeding and inspecting; the product uses its own client."""

    def __init__(self, url: str, pki: Pki) -> None:
        self.url = url
        ctx = ssl.create_default_context(cafile=str(pki.ca_crt))
        ctx.load_cert_chain(str(pki.admin_crt), str(pki.admin_key))
        self.http = httpx.Client(base_url=url, verify=ctx, timeout=30)

    @staticmethod
    def path(plural: str, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        prefix, namespaced = PATHS[plural]
        p = prefix + (f"/namespaces/{namespace}" if namespaced and namespace else "") + f"/{plural}"
        return p + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json",
             ok404: bool = False, params: dict[str, str] | None = None) -> Obj | None:
        r = self.http.request(method, path, params=params or None,
                              content=None if body is None else json.dumps(body).encode(),
                              headers={"Content-Type": content_type})
        if r.status_code == 404 and ok404:
            return None
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:500]}")
        return r.json() if r.content else None

    def get(self, plural: str, name: str, namespace: str | None = None) -> Obj | None:
        return self.call("GET", self.path(plural, namespace, name), ok404=True)

    def list(self, plural: str, namespace: str | None = None, selector: str | None = None) -> builtins.list[Obj]:
        params = {"labelSelector": selector} if selector else {}
        out = self.call("GET", self.path(plural, namespace), params=params)
        return list((out or {}).get("items") or [])

    def create(self, obj: Obj, namespace: str | None = None) -> Obj:
        plural = KIND_PLURAL[obj["kind"]]
        ns = namespace or (obj.get("metadata") or {}).get("namespace")
        out = self.call("POST", self.path(plural, ns), obj)
        assert out is not None
        return out

    def apply(self, obj: Obj, namespace: str | None = None) -> Obj:
        """Server-side apply, as `kubectl apply --server-side` does."""
        plural = KIND_PLURAL[obj["kind"]]
        ns = namespace or (obj.get("metadata") or {}).get("namespace")
        out = self.call("PATCH", self.path(plural, ns, obj["metadata"]["name"]), obj,
                        "application/apply-patch+yaml", params={"fieldManager": "ideogram-prod-tests", "force": "true"})
        assert out is not None
        return out

    def patch(self, plural: str, name: str, body: Any, namespace: str | None = None,
              content_type: str = "application/merge-patch+json", sub: str | None = None) -> Obj:
        out = self.call("PATCH", self.path(plural, namespace, name, sub), body, content_type)
        assert out is not None
        return out

    def delete(self, plural: str, name: str, namespace: str | None = None) -> None:
        self.call("DELETE", self.path(plural, namespace, name), ok404=True)


# ---------------------------------------------------------------------------------------------- control plane
@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path


@dataclass
class ControlPlane:
    """etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok, all on 127.0.0.1."""

    bins: Path
    workdir: Path
    nodes: int = 3
    ready_ms: int = 1000
    terminate_ms: int = 1000
    procs: list[Proc] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    git_version: str = ""
    url: str = ""
    _ns_counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> ControlPlane:
        missing = [b for b in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
                   if not (self.bins / b).is_file()]
        if missing:
            raise NotBuilt(f"{', '.join(missing)} not built in {self.bins}: run tests/k8s/build.sh")
        t0 = time.monotonic()
        self.pki = make_pki(self.workdir / "pki")
        etcd_port, etcd_peer, api_port = free_port(), free_port(), free_port()
        self.url = f"https://127.0.0.1:{api_port}"
        self.kubeconfig = self.write_kubeconfig(self.workdir / "admin.kubeconfig")
        self.rest = Rest(self.url, self.pki)
        self.spawn("etcd", [
            "--name", "default", "--data-dir", str(self.workdir / "etcd"),
            "--listen-client-urls", f"http://127.0.0.1:{etcd_port}",
            "--advertise-client-urls", f"http://127.0.0.1:{etcd_port}",
            "--listen-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-cluster", f"default=http://127.0.0.1:{etcd_peer}",
            "--unsafe-no-fsync", "--log-level", "warn"])
        self.spawn("kube-apiserver", [
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={api_port}",
            f"--cert-dir={self.workdir / 'apiserver-certs'}",
            f"--tls-cert-file={self.pki.server_crt}", f"--tls-private-key-file={self.pki.server_key}",
            f"--client-ca-file={self.pki.ca_crt}",
            f"--service-account-key-file={self.pki.sa_key}", f"--service-account-signing-key-file={self.pki.sa_key}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--authorization-mode=Node,RBAC", "--service-cluster-ip-range=10.0.0.0/24",
            "--endpoint-reconciler-type=none", "--profiling=false", "--v=1"])
        self.wait_ready(timeout=90)
        self.timings["apiserver ready"] = time.monotonic() - t0
        self.git_version = str((self.rest.call("GET", "/version") or {}).get("gitVersion"))
        self.spawn("kube-controller-manager", [
            f"--kubeconfig={self.kubeconfig}", "--leader-elect=false", "--bind-address=127.0.0.1",
            "--secure-port=0", f"--service-account-private-key-file={self.pki.sa_key}",
            f"--root-ca-file={self.pki.ca_crt}", "--horizontal-pod-autoscaler-sync-period=2s",
            "--horizontal-pod-autoscaler-downscale-stabilization=0s", "--profiling=false", "--v=1"])
        self.spawn("kube-scheduler", [
            f"--kubeconfig={self.kubeconfig}", "--leader-elect=false", "--bind-address=127.0.0.1",
            "--secure-port=0", "--profiling=false", "--v=1"])
        kwok_dir = Path(self.go_list_dir("sigs.k8s.io/kwok"))
        config = self.workdir / "kwok.yaml"
        config.write_text(yaml.safe_dump_all(kwok_stages(kwok_dir, self.ready_ms, self.terminate_ms)))
        self.spawn("kwok", [
            f"--kubeconfig={self.kubeconfig}", f"--config={config}", "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--cidr=10.244.0.0/16", "--node-ip=10.1.0.1", "--node-lease-duration-seconds=40",
            "--server-address=127.0.0.1:0", "-v=WARN"])
        self.install_gateway_crds()
        for i in range(self.nodes):
            self.rest.create(fake_node(f"kwok-node-{i}"))
        eventually(lambda: all(any(c["type"] == "Ready" and c["status"] == "True"
                                   for c in (n.get("status") or {}).get("conditions") or [])
                               for n in self.rest.list("nodes")) and len(self.rest.list("nodes")) == self.nodes,
                   timeout=60, what="kwok nodes Ready")
        eventually(lambda: self.rest.get("serviceaccounts", "default", "default"), timeout=60,
                   what="the default ServiceAccount (controller-manager up)")
        self.timings["control plane ready"] = time.monotonic() - t0
        return self

    def stop(self) -> None:
        """SIGTERM the components before etcd (an apiserver whose etcd is gone hangs in shutdown), then etcd."""
        clients = [p for p in reversed(self.procs) if p.name != "etcd"]
        for group in (clients, [p for p in self.procs if p.name == "etcd"]):
            for p in group:
                if p.popen.poll() is None:
                    p.popen.send_signal(signal.SIGTERM)
            for p in group:
                try:
                    p.popen.wait(10)
                except subprocess.TimeoutExpired:
                    p.popen.kill()
                    p.popen.wait(5)
        self.procs.clear()

    def spawn(self, name: str, args: list[str]) -> None:
        log = self.workdir / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen([str(self.bins / name), *args], stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        self.procs.append(Proc(name, popen, log))

    def check_alive(self) -> None:
        for p in self.procs:
            if p.popen.poll() is not None:
                tail = p.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{p.name} exited with {p.popen.returncode}; log tail:\n{tail}")

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                r = self.rest.http.get("/readyz")
                if r.status_code == 200:
                    return
                last = r.text[-500:]
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"kube-apiserver not ready within {timeout:g}s: {last}")

    def go_list_dir(self, module: str) -> str:
        env = {**os.environ, "PATH": f"/usr/local/go/bin:{os.environ.get('PATH', '')}"}
        out = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", module], cwd=K8S_DIR, env=env,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def install_gateway_crds(self) -> None:
        """The HTTPRoute & co. CRDs exactly as the pinned sigs.k8s.io/gateway-api module ships them."""
        crd_dir = Path(self.go_list_dir("sigs.k8s.io/gateway-api")) / "config" / "crd" / "standard"
        names = []
        for f in sorted(crd_dir.glob("*.yaml")):
            for doc in yaml.safe_load_all(f.read_text()):
                if doc and doc.get("kind") == "CustomResourceDefinition":
                    self.rest.create(doc)
                    names.append(doc["metadata"]["name"])

        def established() -> bool:
            for n in names:
                crd = self.rest.get("customresourcedefinitions", n) or {}
                if not any(c["type"] == "Established" and c["status"] == "True"
                           for c in (crd.get("status") or {}).get("conditions") or []):
                    return False
            return True

        eventually(established, timeout=60, what="Gateway API CRDs Established")
        self.gateway_crds = names

    def write_kubeconfig(self, path: Path, namespace: str = "default") -> Path:
        def b64(p: Path) -> str:
            return base64.b64encode(p.read_bytes()).decode()

        cfg = {"apiVersion": "v1", "kind": "Config",
               "clusters": [{"name": "real", "cluster": {"server": self.url,
                                                          "certificate-authority-data": b64(self.pki.ca_crt)}}],
               "users": [{"name": "admin", "user": {"client-certificate-data": b64(self.pki.admin_crt),
                                                    "client-key-data": b64(self.pki.admin_key)}}],
               "contexts": [{"name": "real", "context": {"cluster": "real", "user": "admin",
                                                         "namespace": namespace}}],
               "current-context": "real"}
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        path.chmod(0o600)
        return path

    # ------------------------------------------------------------------ namespaces
    def namespace(self, hint: str = "t") -> Namespace:
        """A fresh namespace with its own kubeconfig (context namespace set) and a ready default ServiceAccount."""
        slug = "".join(c if c.isalnum() else "-" for c in hint.lower()).strip("-")[:40].strip("-") or "t"
        name = f"{slug}-{next(self._ns_counter)}"
        self.rest.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        eventually(lambda: self.rest.get("serviceaccounts", "default", name), timeout=30,
                   what=f"serviceaccount default in {name}")
        ns_dir = self.workdir / "ns" / name
        ns_dir.mkdir(parents=True)
        return Namespace(self, name, self.write_kubeconfig(ns_dir / "kubeconfig", name), ns_dir)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the test process dies, even by kill -9 (Linux PR_SET_PDEATHSIG)."""
    import ctypes

    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def fake_node(name: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                         "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                    "kubernetes.io/arch": "amd64", "type": "kwok"}},
            "spec": {},
            "status": {"allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                       "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"}}}


@dataclass
class Namespace:
    """The test-facing handle: one namespace of the real cluster, with the helpers the fake cluster offered."""

    plane: ControlPlane
    name: str
    kubeconfig: Path
    workdir: Path

    @property
    def rest(self) -> Rest:
        return self.plane.rest

    def get(self, plural: str, name: str) -> Obj | None:
        return self.rest.get(plural, name, self.name)

    def list(self, plural: str, selector: dict[str, str] | None = None) -> builtins.list[Obj]:
        sel = ",".join(f"{k}={v}" for k, v in (selector or {}).items()) or None
        return self.rest.list(plural, self.name, sel)

    def create(self, obj: Obj) -> Obj:
        return self.rest.create(obj, self.name)

    def apply(self, obj: Obj) -> Obj:
        return self.rest.apply(obj, self.name)

    def patch(self, plural: str, name: str, body: Any, content_type: str = "application/merge-patch+json",
              sub: str | None = None) -> Obj:
        return self.rest.patch(plural, name, body, self.name, content_type, sub)

    def delete(self, plural: str, name: str) -> None:
        self.rest.delete(plural, name, self.name)

    def pods(self, selector: dict[str, str] | None = None, *, include_terminating: bool = True) -> builtins.list[Obj]:
        pods = self.list("pods", selector)
        return pods if include_terminating else [p for p in pods if not p["metadata"].get("deletionTimestamp")]

    def images(self, selector: dict[str, str]) -> builtins.list[str]:
        """Images of the pods that exist, terminating ones included: they may still serve until they are gone."""
        return sorted(p["spec"]["containers"][0]["image"] for p in self.pods(selector))

    def replicasets(self, deployment: str) -> builtins.list[Obj]:
        d = self.get("deployments", deployment)
        if d is None:
            return []
        uid = d["metadata"]["uid"]
        owned = [rs for rs in self.list("replicasets")
                 if any(r.get("uid") == uid and r.get("controller") for r in rs["metadata"].get("ownerReferences") or [])]
        return sorted(owned, key=lambda rs: int((rs["metadata"].get("annotations") or {})
                                                .get("deployment.kubernetes.io/revision", "0")))

    def deployment(self, name: str, image: str, *, replicas: int = 3, labels: dict[str, str] | None = None,
                   annotations: dict[str, str] | None = None, pod_annotations: dict[str, str] | None = None,
                   container: str | None = None, wait: bool = True, **spec: Any) -> Obj:
        """Create a one-container Deployment and (by default) wait until all its pods are Ready."""
        labels = labels or {"app": name}
        body: Obj = {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": dict(labels), "annotations": dict(annotations or {})},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels), "annotations": dict(pod_annotations or {})},
                                  "spec": {"containers": [{"name": container or name, "image": image}],
                                           "terminationGracePeriodSeconds": 30}},
                     **spec}}
        if not body["metadata"]["annotations"]:
            del body["metadata"]["annotations"]
        if not body["spec"]["template"]["metadata"]["annotations"]:
            del body["spec"]["template"]["metadata"]["annotations"]
        self.create(body)
        if wait:
            self.wait_available(name)
        out = self.get("deployments", name)
        assert out is not None
        return out

    def rollout_complete(self, name: str) -> bool:
        """What `kubectl rollout status` waits for: observed, updated, available, no old replicas left."""
        d = self.get("deployments", name)
        if d is None:
            return False
        st, want = d.get("status") or {}, d["spec"].get("replicas", 1)
        return bool(st.get("observedGeneration", 0) >= d["metadata"]["generation"]
                    and st.get("updatedReplicas", 0) == want and st.get("replicas", 0) == want
                    and st.get("availableReplicas", 0) == want)

    def wait_available(self, name: str, timeout: float = 90) -> None:
        try:
            eventually(lambda: self.rollout_complete(name), timeout=timeout, what=f"deployment/{name} rolled out")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.describe()}") from None

    def describe(self) -> str:
        """Deployments, pods and nodes as a failure message can show them."""
        lines = [f"deployment {d['metadata']['name']}: spec {d['spec'].get('replicas')} status {d.get('status')}"
                 for d in self.list("deployments")]
        for p in self.pods():
            st = p.get("status") or {}
            conds = {c["type"]: c["status"] for c in st.get("conditions") or []}
            lines.append(f"pod {p['metadata']['name']} node={p['spec'].get('nodeName')} phase={st.get('phase')} "
                         f"deleting={bool(p['metadata'].get('deletionTimestamp'))} {conds}")
        for n in self.rest.list("nodes"):
            conds = {c["type"]: c["status"] for c in (n.get("status") or {}).get("conditions") or []}
            lines.append(f"node {n['metadata']['name']} Ready={conds.get('Ready')} "
                         f"taints={[t['key'] for t in n['spec'].get('taints') or []]}")
        lines.append(f"pods in the cluster: {len(self.rest.list('pods'))}")
        return "\n".join(lines)

    def settle(self, name: str, timeout: float = 90) -> None:
        """Rollout complete and no terminating pod of it left."""
        self.wait_available(name, timeout)
        sel = (self.get("deployments", name) or {})["spec"]["selector"]["matchLabels"]
        eventually(lambda: all(not p["metadata"].get("deletionTimestamp") for p in self.pods(sel)) or None,
                   timeout=timeout, what=f"terminating pods of {name} gone")

    def service(self, name: str, *, selector: dict[str, str] | None = None, port: int = 80,
                target_port: int | str = 8080) -> Obj:
        return self.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                            "spec": {"selector": selector or {"app": name},
                                     "ports": [{"port": port, "targetPort": target_port}]}})

    def set_image(self, deployment: str, image: str, container: str | None = None) -> Obj:
        d = self.get("deployments", deployment)
        assert d is not None
        target = container or d["spec"]["template"]["spec"]["containers"][0]["name"]
        return self.patch("deployments", deployment,
                          {"spec": {"template": {"spec": {"containers": [{"name": target, "image": image}]}}}},
                          "application/strategic-merge-patch+json")

    def endpoints_ready(self, service: str) -> builtins.list[str]:
        """Addresses the EndpointSlice controller lists as ready for the Service."""
        out: builtins.list[str] = []
        for s in self.list("endpointslices", {"kubernetes.io/service-name": service}):
            for e in s.get("endpoints") or []:
                if (e.get("conditions") or {}).get("ready"):
                    out.extend(e.get("addresses") or [])
        return sorted(out)

    def api_client(self) -> Any:
        from kubernetes import client, config

        cfg = client.Configuration()
        config.load_kube_config(config_file=str(self.kubeconfig), client_configuration=cfg)  # type: ignore[no-untyped-call]
        return client.ApiClient(cfg)

    def kubectl(self, *args: str, version: str | None = None, timeout: float = 120.0,
                stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        exe = kubectl_path(version)
        if exe is None:
            raise FileNotFoundError(f"kubectl{'.' + version if version else ''} not found")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBERNETES_")}
        env.update(KUBECONFIG=str(self.kubeconfig), KUBECACHEDIR=str(self.workdir / f"kubecache-{version}"),
                   NO_COLOR="1")
        return subprocess.run([exe, *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout,
                              check=False)


@contextlib.contextmanager
def control_plane(bins: Path | None = None, workdir: Path | None = None, **kwargs: Any) -> Iterator[ControlPlane]:
    """Start a control plane in a temp dir (kept on failure for its logs when IDEOGRAM_K8S_KEEP is set)."""
    own = workdir is None
    wd = workdir or Path(tempfile.mkdtemp(prefix="real-k8s-"))
    plane = ControlPlane(bins or bin_dir(), wd, **kwargs)
    try:
        plane.start()
        yield plane
    finally:
        plane.stop()
        if own and not os.environ.get("IDEOGRAM_K8S_KEEP"):
            shutil.rmtree(wd, ignore_errors=True)


def deep(obj: Obj) -> Obj:
    return copy.deepcopy(obj)
