"""Issue 12's fault matrix on the real control plane: each harm the rollout could do, as a scenario that must not.

The judge's harms (2, 3, 7) are statistics over Prometheus data, not cluster behaviour: they are judged against a
real Prometheus in tests/rollout/test_gates_exact.py and tests/real_k8s/test_drill.py, and simulated in
bench/judge.py. kwok runs no containers, so the watchdog's CronJob is checked as an object and its command is
run here, with its ServiceAccount's token, as the kubelet would run it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.clients.kube import client_for
from checker.config import ClusterTarget
from checker.rollout.rbac import role
from tests.helpers.plugin import CliResult, run_cli
from tests.helpers.prometheus import scraped_cases
from tests.helpers.real_k8s import READY_DELAY, Namespace, eventually

from .helpers import IMG_NEW, IMG_OLD, record, rollout, serving_images, stable_only

pytestmark = pytest.mark.real_k8s


@pytest.fixture
def web(kns: Namespace) -> Namespace:
    kns.deployment("web", IMG_OLD, replicas=5, container="app")
    return kns


def test_harm1_a_rollback_without_its_own_rollout_leaves_another_runs_release(web: Namespace, tmp_path: Path) -> None:
    run1, run2 = {"GITHUB_RUN_ID": "1001"}, {"GITHUB_RUN_ID": "1002"}
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW, env=run1).returncode == 0
    assert rollout(web, tmp_path, "promote", "--weight", "100", env=run1).returncode == 0
    stable_only(web, IMG_NEW)
    # run 2 failed before its own `start` (a preflight): its rollback job must change nothing
    r = rollout(web, tmp_path, "rollback", env=run2)
    assert r.returncode == 0 and "rollout gh-1002 is not in the cluster" in r.stdout, r.stdout + r.stderr
    stable_only(web, IMG_NEW)


def hpa(name: str, min_replicas: int, max_replicas: int) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": min_replicas, "maxReplicas": max_replicas,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}


def test_harm4_an_hpa_owns_the_stable_count_and_rollback_follows_it(web: Namespace, tmp_path: Path) -> None:
    web.create(hpa("web", 7, 10))
    eventually(lambda: web.get("deployments", "web")["spec"]["replicas"] == 7, timeout=60,  # type: ignore[index]
               what="the HPA scaling web to 7")
    web.wait_available("web")
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW)
    assert r.returncode == 0, r.stdout + r.stderr
    assert web.get("deployments", "web")["spec"]["replicas"] == 7  # type: ignore[index]  # not scaled by us
    assert web.get("deployments", "web-canary")["spec"]["replicas"] == 1  # type: ignore[index]  # 1 of 8: 12.5%
    assert "canary serves 12.5% (1 canary / 7 stable pods ready" in r.stdout
    # the HPA rescales mid-stage; the rollback must neither fight it nor wait for the old count
    web.patch("horizontalpodautoscalers", "web", {"spec": {"minReplicas": 8}})
    eventually(lambda: web.get("deployments", "web")["spec"]["replicas"] == 8, timeout=60,  # type: ignore[index]
               what="the HPA scaling web to 8")
    r = rollout(web, tmp_path, "rollback", "--active", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "replicas left to its HPA" in r.stdout
    stable_only(web, IMG_OLD, replicas=8)
    assert record(web).phase == "rolled-back"  # type: ignore[union-attr]


def new_share(ns: Namespace, image: str) -> float:
    pods = [p for p in ns.pods({"app": "web"}, include_terminating=False)
            if any(c["type"] == "Ready" and c["status"] == "True" for c in (p.get("status") or {}).get("conditions") or [])]
    return sum(1 for p in pods if p["spec"]["containers"][0]["image"] == image) / len(pods) if pods else 0.0


def test_harm8_rolling_holds_its_weight_with_slow_pods(kns: Namespace, tmp_path: Path) -> None:
    kns.deployment("web", IMG_OLD, replicas=10, container="app")
    kns.patch("deployments", "web", {"spec": {"template": {"metadata": {"annotations": {READY_DELAY: "8s"}}}}})
    kns.settle("web", timeout=120)
    r = rollout(kns, tmp_path, "start", "--image", IMG_NEW, "--strategy", "rolling", "--stage-deadline", "60s")
    assert r.returncode == 0, r.stdout + r.stderr
    time.sleep(12)  # every pod the paused Deployment started is Ready by now
    assert 0 < new_share(kns, IMG_NEW) <= 0.1
    r = rollout(kns, tmp_path, "rollback", "--active", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    d: Any = kns.get("deployments", "web")
    assert d["spec"].get("paused") in (None, False)
    assert d["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": "25%"}  # the API default
    stable_only(kns, IMG_OLD, replicas=10, timeout=120)


def test_harm9_a_promote_after_a_rollback_is_refused(web: Namespace, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    for weight in ("50", "100"):
        r = rollout(web, tmp_path, "promote", "--weight", weight)
        assert r.returncode == 1 and "was rolled back" in r.stderr, r.stdout + r.stderr
    stable_only(web, IMG_OLD)
    assert record(web).phase == "rolled-back"  # type: ignore[union-attr]


def test_harm10_rollback_waits_for_terminating_canary_pods(web: Namespace, tmp_path: Path) -> None:
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    (canary,) = web.pods({"app": "web", "track": "canary"})
    web.patch("pods", canary["metadata"]["name"],
              {"metadata": {"annotations": {"ideogram-prod.test/termination-delay": "6s"}}})
    t0 = time.monotonic()
    r = rollout(web, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stdout + r.stderr
    assert IMG_NEW not in serving_images(web), "rollback returned while a canary pod was still terminating"
    assert time.monotonic() - t0 >= 5  # it did wait out the graceful shutdown
    assert "no canary pod is left, terminating ones included" in r.stdout


def test_harm11_rollback_reports_config_it_does_not_restore(kns: Namespace, tmp_path: Path) -> None:
    kns.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "a"}})
    kns.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ideogram"},
                "stringData": {"api-key": "not-a-real-key"}})
    kns.deployment("web", IMG_OLD, replicas=3, container="app", wait=False)
    kns.patch("deployments", "web", {"spec": {"template": {"spec": {"containers": [{
        "name": "app", "envFrom": [{"configMapRef": {"name": "settings"}}],
        "env": [{"name": "IDEOGRAM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "ideogram",
                                                                              "key": "api-key"}}}]}]}}}},
              "application/strategic-merge-patch+json")
    kns.settle("web", timeout=120)
    assert rollout(kns, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    state = record(kns)
    assert state is not None and set(state.config_versions) == {"configmap/settings", "secret/ideogram"}
    kns.patch("configmaps", "settings", {"data": {"mode": "b"}})  # the release's config change
    r = rollout(kns, tmp_path, "rollback", "--active")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "configmap/settings changed since the rollout began" in r.stdout
    assert "restores the pod template only" in r.stdout
    assert "secret/ideogram" not in r.stdout and "not-a-real-key" not in r.stdout + r.stderr
    assert kns.get("configmaps", "settings")["data"] == {"mode": "b"}  # type: ignore[index]  # said, not restored
    # how the versions are read: metadata only, so the key's bytes never reach the rollout
    meta = client_for(ClusterTarget(deployment="web", namespace=kns.name, kubeconfig=str(kns.kubeconfig)))
    secret = meta.get_metadata("secrets", "ideogram")
    assert secret is not None and secret["kind"] == "PartialObjectMetadata" and "data" not in secret
    assert secret["metadata"]["resourceVersion"] == state.config_versions["secret/ideogram"]


def service_account_kubeconfig(ns: Namespace, tmp_path: Path, account: str = "reader",
                               group: str = "read") -> Path:
    """A ServiceAccount bound to one Role of checker/rollout/rbac.py, and a kubeconfig with its token."""
    rest, n = ns.rest, ns.name
    rest.call("POST", f"/api/v1/namespaces/{n}/serviceaccounts", {"metadata": {"name": account}})
    rest.call("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{n}/roles", role(f"ideogram-prod-{group}", group))
    rest.call("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{n}/rolebindings", {
        "metadata": {"name": account},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"ideogram-prod-{group}"},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": n}]})
    answer = rest.call("POST", f"/api/v1/namespaces/{n}/serviceaccounts/{account}/token", {
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 3600}})
    assert answer is not None
    cfg = yaml.safe_load(ns.kubeconfig.read_text())
    cfg["users"] = [{"name": cfg["users"][0]["name"], "user": {"token": answer["status"]["token"]}}]
    path = tmp_path / f"{account}.kubeconfig"
    path.write_text(yaml.safe_dump(cfg))
    path.chmod(0o600)
    return path


def as_reader(ns: Namespace, cwd: Path, kubeconfig: Path, *args: str) -> CliResult:
    return run_cli("rollout", *args, "--kubeconfig", str(kubeconfig), "-d", "web", "-n", ns.name, cwd=cwd,
                   timeout=150)


def test_harm5_analysis_runs_on_read_only_credentials(web: Namespace, tmp_path: Path) -> None:
    """Analysis writes nothing, so the `read` Role (checker/rollout/rbac.py) is enough; RBAC is real: a promote with
    the same credentials is forbidden."""
    assert rollout(web, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    reader = service_account_kubeconfig(web, tmp_path)
    with scraped_cases(tmp_path / "prom", {"healthy": ({"200": 1.0}, 0.2)}, 20.0) as prom:
        (tmp_path / ".ideogram-prod.yaml").write_text(yaml.safe_dump({
            "prometheus": {"url": prom.url, "timeout_s": 2},
            "rollout": {"canary_selector": 'track="canary", case="healthy"', "stable_selector": 'track="stable"'}}))
        r = as_reader(web, tmp_path, reader, "analyze", "--duration", "2s", "--deadline", "90s", "--interval", "1s",
                      "--json", str(tmp_path / "a.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "rollout record not updated: these credentials may only read" in r.stdout
    assert "held for 2s" in r.stdout
    denied = as_reader(web, tmp_path, reader, "promote", "--weight", "50")
    assert denied.returncode == 1 and "403" in denied.stderr, denied.stdout + denied.stderr
    assert record(web).weight == 10  # type: ignore[union-attr]


def test_harm6_the_watchdog_rolls_back_a_breaching_canary_between_jobs(web: Namespace, tmp_path: Path) -> None:
    """`start` leaves a CronJob; its command, run with its ServiceAccount bound to the `rollout` Role, judges the
    breaching canary and rolls it back; the rollback removes the watchdog."""
    sa = service_account_kubeconfig(web, tmp_path, "ideogram-prod-watchdog", "rollout")
    with scraped_cases(tmp_path / "prom", {"api_down": ({"200": 0.8, "500": 0.2}, 0.2)}, 20.0) as prom:
        (tmp_path / ".ideogram-prod.yaml").write_text(yaml.safe_dump({
            "prometheus": {"url": prom.url, "timeout_s": 2},
            "rollout": {"canary_selector": 'track="canary", case="api_down"', "stable_selector": 'track="stable"',
                        "watchdog_image": "ghcr.io/acme/ideogram-prod:1.0", "watchdog_duration": "30s"}}))
        r = rollout(web, tmp_path, "start", "--image", IMG_NEW)
        assert r.returncode == 0 and "cronjob/web-rollout-watchdog judges the canary" in r.stdout, r.stdout + r.stderr
        cron: Any = web.rest.call("GET", f"/apis/batch/v1/namespaces/{web.name}/cronjobs/web-rollout-watchdog")
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == "ideogram-prod-watchdog"
        (container,) = pod["containers"]
        assert container["image"] == "ghcr.io/acme/ideogram-prod:1.0"
        cmd = container["command"]
        assert cmd[:3] == ["ideogram-prod", "rollout", "analyze"] and cmd[-1] == "--rollback-on-failure"
        pod_config = web.get("configmaps", "web-rollout-watchdog")
        assert pod_config is not None and "kubeconfig" not in pod_config["data"]["config.yaml"]
        # the kubelet's part: the command, the mounted config, the ServiceAccount's credentials
        config = tmp_path / "pod-config.yaml"
        config.write_text(pod_config["data"]["config.yaml"])
        args = [str(config) if a == "/etc/ideogram-prod/config.yaml" else a for a in cmd[1:]]
        run = run_cli(*args, cwd=tmp_path, env={"KUBECONFIG": str(sa)}, timeout=150)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "compare-5xx: fail" in run.stdout and "rolled back" in run.stdout
    assert "removed cronjob/web-rollout-watchdog" in run.stdout
    stable_only(web, IMG_OLD)
    assert record(web).phase == "rolled-back"  # type: ignore[union-attr]
    assert web.rest.call("GET", f"/apis/batch/v1/namespaces/{web.name}/cronjobs/web-rollout-watchdog",
                         ok404=True) is None
