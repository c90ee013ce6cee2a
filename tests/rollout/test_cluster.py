"""The rollout CLI against the fake cluster, for faults a real API server will not give on demand (5xx, 409 storms).

Everything else about the rollout runs on the real control plane: tests/real_k8s/."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.rollout.state import RolloutState, state_name
from tests.fakes.cluster.cluster import Cluster
from tests.helpers.plugin import CliResult, run_cli

IMG_OLD, IMG_NEW = "ghcr.io/acme/ideogram-integration:1.0", "ghcr.io/acme/ideogram-integration:1.1"


def rollout(cluster: Cluster, cwd: Path, *args: str, env: dict[str, str] | None = None) -> CliResult:
    return run_cli("rollout", *args, "--kubeconfig", str(cluster.kubeconfig), "-d", "web", "-n", "default",
                   cwd=cwd, env=env, timeout=120)


def record(cluster: Cluster) -> RolloutState | None:
    cm = cluster.get("configmaps", state_name("web"))
    return None if cm is None else RolloutState.from_data(cm["data"])


def images(cluster: Cluster, selector: dict[str, str] | None = None) -> list[str]:
    return sorted(p["spec"]["containers"][0]["image"] for p in cluster.pods(selector=selector or {"app": "web"}))


def stable_only(cluster: Cluster, image: str = IMG_OLD, replicas: int = 5) -> None:
    d = cluster.get("deployments", "web")
    assert d is not None
    assert d["spec"]["replicas"] == replicas
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == image
    assert cluster.get("deployments", "web-canary") is None
    assert images(cluster) == [image] * replicas


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    cluster.deployment("web", IMG_OLD, replicas=5, container="app")
    cluster.service("web", selector={"app": "web"})
    return cluster


def test_transient_api_errors_are_retried(web: Cluster, tmp_path: Path) -> None:
    web.faults.add(status=500, rate=0.3, times=6)
    web.faults.add(status=409, method="PUT", path="/configmaps/", times=1)
    r = rollout(web, tmp_path, "start", "--image", IMG_NEW)
    assert r.returncode == 0, r.stderr
    web.faults.clear()
    assert rollout(web, tmp_path, "rollback", "--active").returncode == 0
    stable_only(web)
