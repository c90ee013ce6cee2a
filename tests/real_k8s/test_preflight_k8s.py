"""The live-k8s-* preflight checks against the real control plane: production and staging namespaces."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from tests.checks.live.test_preflight import KEY, deployment_with_key
from tests.helpers.real_k8s import ControlPlane, Namespace

pytestmark = pytest.mark.real_k8s
CHECKS = "live-k8s-secret,live-k8s-key-distinct,live-k8s-deployment"


@dataclass
class K8sWorld:
    prod: Namespace
    staging: Namespace
    tmp: Path

    def secret(self, ns: Namespace, value: str) -> None:
        ns.delete("secrets", "ideogram-api")
        ns.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ideogram-api"},
                   "type": "Opaque", "stringData": {"api-key": value}})

    def run(self, monkeypatch: Any, select: str = CHECKS, *extra: str) -> tuple[int, dict[str, Any]]:
        monkeypatch.setenv("IDEOGRAM_API_KEY", KEY)
        config = self.tmp / "preflight.yaml"
        config.write_text(f"cluster:\n  staging:\n    kubeconfig: {self.staging.kubeconfig}\n"
                          f"    namespace: {self.staging.name}\n")
        code = main(["preflight", "--config", str(config), "--kubeconfig", str(self.prod.kubeconfig),
                     "--namespace", self.prod.name, "--select", select, "--json", str(self.tmp / "r.json"), *extra])
        return code, json.loads((self.tmp / "r.json").read_text())


@pytest.fixture
def world(real_cluster: ControlPlane, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[K8sWorld]:
    prod, staging = real_cluster.namespace("prod"), real_cluster.namespace("staging")
    w = K8sWorld(prod, staging, tmp_path)
    w.secret(prod, KEY)
    w.secret(staging, KEY + "-staging")
    for ns in (prod, staging):
        doc = deployment_with_key("ideogram-integration", ns.name, "ideogram-api")
        ns.create(doc)
    for ns in (prod, staging):
        ns.wait_available("ideogram-integration")
    yield w
    for ns in (prod, staging):
        real_cluster.rest.delete("namespaces", ns.name)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["check_id"]: r["status"] for r in report["results"]}


def reason(report: dict[str, Any], check_id: str) -> str:
    result = next(r for r in report["results"] if r["check_id"] == check_id)
    return " | ".join([result["reason"], *(f["message"] for f in report["findings"] if f["check_id"] == check_id)])


def test_healthy_cluster_passes_every_k8s_check(world: K8sWorld, monkeypatch: Any) -> None:
    code, report = world.run(monkeypatch)
    assert statuses(report) == {"live-k8s-secret": "passed", "live-k8s-key-distinct": "passed",
                                "live-k8s-deployment": "passed"}, report
    assert code == 0


def test_k8s_secret_missing_or_empty(world: K8sWorld, monkeypatch: Any) -> None:
    world.prod.delete("secrets", "ideogram-api")
    code, report = world.run(monkeypatch, "live-k8s-secret")
    assert code == 1 and (f"Secret secret/{world.prod.name}/ideogram-api (referenced for IDEOGRAM_API_KEY) not found"
                          in reason(report, "live-k8s-secret"))
    world.secret(world.prod, "")
    code, report = world.run(monkeypatch, "live-k8s-secret")
    assert code == 1 and "has no value under key 'api-key'" in reason(report, "live-k8s-secret")


def test_k8s_same_key_in_staging_and_production_fails(world: K8sWorld, monkeypatch: Any) -> None:
    world.secret(world.staging, KEY)
    code, report = world.run(monkeypatch, "live-k8s-key-distinct")
    assert code == 1 and "same Ideogram key" in reason(report, "live-k8s-key-distinct")


def test_k8s_deployment_paused_missing_or_mid_rollout(world: K8sWorld, monkeypatch: Any) -> None:
    assert world.prod.kubectl("rollout", "pause", "deployment/ideogram-integration").returncode == 0
    code, report = world.run(monkeypatch, "live-k8s-deployment")
    assert code == 1 and "paused" in reason(report, "live-k8s-deployment")
    assert world.prod.kubectl("rollout", "resume", "deployment/ideogram-integration").returncode == 0
    world.prod.wait_available("ideogram-integration")
    world.prod.create(deployment_with_key("ideogram-integration-canary", world.prod.name, "ideogram-api", "app:2.0"))
    world.prod.wait_available("ideogram-integration-canary")
    code, report = world.run(monkeypatch, "live-k8s-deployment")
    assert code == 1 and "canary Deployment ideogram-integration-canary is running" in reason(
        report, "live-k8s-deployment")
    code, report = world.run(monkeypatch, "live-k8s-deployment", "--deployment", "nope")
    assert code == 1 and f"deployment/{world.prod.name}/nope not found" in reason(report, "live-k8s-deployment")


def test_k8s_deployment_mid_rolling_update_is_not_ready(world: K8sWorld, monkeypatch: Any) -> None:
    """A real rolling update in flight (new pods slow to become Ready) is not a state to deploy onto."""
    world.prod.patch("deployments", "ideogram-integration", {"spec": {"template": {"metadata": {"annotations": {
        "ideogram-prod.test/ready-delay": "20s"}}}}})
    code, report = world.run(monkeypatch, "live-k8s-deployment")
    assert code == 1, report
    assert statuses(report)["live-k8s-deployment"] == "failed"
