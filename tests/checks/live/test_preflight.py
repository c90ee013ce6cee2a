"""`preflight` against local servers that speak the real protocols: fake Ideogram, Statuspage, staging,
a real Prometheus, the fake Kubernetes API. Run in-process so pytest-socket keeps every call on loopback."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from checker.alerts import render
from checker.cli import main
from checker.contract import alert_specs
from tests.fakes.ideogram_api import FakeIdeogram, Scripted

KEY = "ik_live_" + "Qx7Lm2Np9Rt4Vw8Zb3Cd6Fh1"
STATUS_PATH = "/api/v2/status.json"
HEALTH_PATH = "/health"


@pytest.fixture
def ideogram() -> Iterator[FakeIdeogram]:
    fake = FakeIdeogram().start()
    fake.add_key(KEY)
    yield fake
    fake.stop()


def statuspage(indicator: str, description: str = "") -> dict[str, Any]:
    return {"page": {"id": "x", "name": "Ideogram"},
            "status": {"indicator": indicator, "description": description or f"{indicator} status"}}


def deployment_with_key(name: str, namespace: str, secret: str, image: str = "app:1.0") -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": namespace},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": image, "env": [
                {"name": "IDEOGRAM_API_KEY", "valueFrom": {"secretKeyRef": {"name": secret, "key": "api-key"}}},
            ]}]},
        }},
    }


class World:
    """Everything preflight talks to, healthy by default; tests break one piece at a time."""

    def __init__(self, tmp: Path, ideogram: FakeIdeogram, http: HTTPServer, cluster: Any, prometheus: Any) -> None:
        self.tmp, self.ideogram, self.http, self.cluster, self.prometheus = tmp, ideogram, http, cluster, prometheus
        self.status(statuspage("none", "All Systems Operational"))
        self.health({"status": "healthy", "ideogram": {"connected": True, "latencyMs": 41}})
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "staging"}})
        cluster.secret("ideogram-api", {"api-key": KEY})
        cluster.secret("ideogram-api", {"api-key": KEY + "-staging"}, namespace="staging")
        cluster.apply(deployment_with_key("ideogram-integration", "default", "ideogram-api"))
        cluster.apply(deployment_with_key("ideogram-integration", "staging", "ideogram-api"))
        cluster.settle()
        self.config = tmp / "preflight.yaml"
        self.config.write_text(
            "ideogram:\n  max_retries: 2\n  max_backoff_s: 1\n  timeout_s: 5\n"
            f"cluster:\n  staging:\n    kubeconfig: {cluster.kubeconfig}\n    namespace: staging\n"
            "prometheus:\n  freshness_s: 60\n")

    def status(self, body: dict[str, Any], code: int = 200) -> None:
        self.http.expect_request(STATUS_PATH).respond_with_json(body, status=code)

    def health(self, body: dict[str, Any] | str, code: int = 200) -> None:
        if isinstance(body, str):
            self.http.expect_request(HEALTH_PATH).respond_with_data(body, status=code)
        else:
            self.http.expect_request(HEALTH_PATH).respond_with_json(body, status=code)

    def args(self, *extra: str) -> list[str]:
        return ["preflight", "--config", str(self.config), "--ideogram-url", self.ideogram.url,
                "--status-url", self.http.url_for(STATUS_PATH), "--staging-url", self.http.url_for(HEALTH_PATH),
                "--prometheus-url", self.prometheus.url, "--kubeconfig", str(self.cluster.kubeconfig),
                "--json", str(self.tmp / "report.json"), *extra]

    def run(self, *extra: str, env_key: str | None = KEY, monkeypatch: Any = None) -> tuple[int, dict[str, Any]]:
        assert monkeypatch is not None
        if env_key is None:
            monkeypatch.delenv("IDEOGRAM_API_KEY", raising=False)
        else:
            monkeypatch.setenv("IDEOGRAM_API_KEY", env_key)
        code = main(self.args(*extra))
        return code, json.loads((self.tmp / "report.json").read_text())


@pytest.fixture(scope="module")
def live_prometheus(tmp_path_factory) -> Iterator[Any]:
    """One real Prometheus for the module: it scrapes an exporter and has the seed alert rules loaded."""
    from tests.helpers.prometheus import Exporter, PrometheusServer

    tmp = tmp_path_factory.mktemp("prom")
    rules = tmp / "rules.yml"
    rules.write_text(render(alert_specs(), "docs/RUNBOOK.md"))
    exporter = Exporter()
    exporter.set_traffic(20, {"200": 1.0})
    server = PrometheusServer(tmp / "srv", [(exporter.target, {"track": "stable"})], [rules]).start()
    server.wait_for("ideogram_request_duration_seconds_bucket")
    yield server
    server.stop()
    exporter.stop()


@pytest.fixture
def world(tmp_path, ideogram, httpserver, cluster, live_prometheus) -> World:
    return World(tmp_path, ideogram, httpserver, cluster, live_prometheus)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["check_id"]: r["status"] for r in report["results"]}


def reason(report: dict[str, Any], check_id: str) -> str:
    result = next(r for r in report["results"] if r["check_id"] == check_id)
    messages = [f["message"] for f in report["findings"] if f["check_id"] == check_id]
    return " | ".join([result["reason"], *messages])


def test_healthy_world_passes_every_check(world, monkeypatch):
    code, report = world.run(monkeypatch=monkeypatch)
    assert statuses(report) == {
        "live-ideogram-auth": "passed", "live-ideogram-smoke": "skipped", "live-ideogram-status": "passed",
        "live-staging-health": "passed", "live-prometheus": "passed", "live-k8s-secret": "passed",
        "live-k8s-key-distinct": "passed", "live-k8s-deployment": "passed",
    }, report
    assert code == 0
    assert "no credit spent" in reason(report, "live-ideogram-auth")
    assert "opt-in" in reason(report, "live-ideogram-smoke")
    probe = [r for r in world.ideogram.requests if r["method"] == "POST"]
    assert len(probe) == 1 and probe[0]["headers"]["Api-Key"] == KEY and "prompt" not in probe[0]["form"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda w: w.ideogram.keys.clear(), "HTTP 401"),
        (lambda w: w.ideogram.add_key(KEY, access=False), "HTTP 403"),
        (lambda w: w.ideogram.add_key(KEY, funds=False), "cannot pay: HTTP 402"),
    ],
)
def test_auth_fails_for_the_right_reason(world, monkeypatch, setup, expected):
    setup(world)
    code, report = world.run("--select", "live-ideogram-auth", monkeypatch=monkeypatch)
    assert code == 1
    assert statuses(report)["live-ideogram-auth"] == "failed"
    assert expected in reason(report, "live-ideogram-auth")


def test_auth_honours_retry_after_then_succeeds(world, monkeypatch):
    world.ideogram.script(Scripted(429, {"error": "Too many requests", "reject_reason": "inflight_limit"},
                                   {"Retry-After": "1"}))
    started = time.monotonic()
    code, report = world.run("--select", "live-ideogram-auth", monkeypatch=monkeypatch)
    assert code == 0, report
    assert time.monotonic() - started >= 0.9  # waited as told
    assert len([r for r in world.ideogram.requests if r["method"] == "POST"]) == 2


def test_auth_5xx_retries_are_bounded_then_error(world, monkeypatch):
    world.ideogram.script(*[Scripted(503, {"error": "image generation service temporarily unavailable"})] * 3)
    code, report = world.run("--select", "live-ideogram-auth", monkeypatch=monkeypatch)
    assert code == 1
    assert statuses(report)["live-ideogram-auth"] == "error"
    assert "HTTP 503 after 3 attempt(s)" in reason(report, "live-ideogram-auth")
    assert len([r for r in world.ideogram.requests if r["method"] == "POST"]) == 3


def test_auth_timeout_is_an_error_not_a_pass(world, monkeypatch):
    world.config.write_text(world.config.read_text().replace("timeout_s: 5", "timeout_s: 0.3"))
    world.ideogram.delay_s = 1.0
    code, report = world.run("--select", "live-ideogram-auth", monkeypatch=monkeypatch)
    assert code == 1 and statuses(report)["live-ideogram-auth"] == "error"
    assert "timed out" in reason(report, "live-ideogram-auth")


def test_missing_key_env_is_an_error(world, monkeypatch):
    code, report = world.run("--select", "live-ideogram-auth", env_key=None, monkeypatch=monkeypatch)
    assert code == 1 and "IDEOGRAM_API_KEY is not set" in reason(report, "live-ideogram-auth")


def test_smoke_generates_and_downloads_when_spending_is_allowed(world, monkeypatch):
    code, report = world.run("--select", "live-ideogram-smoke", "--spend", monkeypatch=monkeypatch)
    assert code == 0, report
    assert "bytes" in reason(report, "live-ideogram-smoke")
    assert any(r["path"].startswith("/api/images/ephemeral/") for r in world.ideogram.requests)


def test_smoke_fails_on_an_unsafe_image_without_url(world, monkeypatch):
    world.ideogram.script(Scripted(200, {"data": [{"url": None, "is_image_safe": False}]}))
    code, report = world.run("--select", "live-ideogram-smoke", "--spend", monkeypatch=monkeypatch)
    assert code == 1 and "is_image_safe=false and no URL" in reason(report, "live-ideogram-smoke")


@pytest.mark.parametrize(
    ("indicator", "status", "code"),
    [("none", "passed", 0), ("minor", "passed", 0), ("major", "failed", 1), ("critical", "failed", 1)],
)
def test_status_page_indicators(world, monkeypatch, indicator, status, code):
    world.http.clear()
    world.status(statuspage(indicator, f"{indicator} trouble"))
    got, report = world.run("--select", "live-ideogram-status", monkeypatch=monkeypatch)
    assert (got, statuses(report)["live-ideogram-status"]) == (code, status)
    if indicator == "minor":
        assert [f["severity"] for f in report["findings"]] == ["warning"]


def test_unreachable_status_page_is_an_error_unless_advisory(world, monkeypatch):
    world.http.clear()
    world.status({"oops": True}, code=500)
    code, report = world.run("--select", "live-ideogram-status", monkeypatch=monkeypatch)
    assert code == 1 and statuses(report)["live-ideogram-status"] == "error"
    world.config.write_text(world.config.read_text().replace("ideogram:\n", "ideogram:\n  status_advisory: true\n"))
    code, report = world.run("--select", "live-ideogram-status", monkeypatch=monkeypatch)
    assert code == 0 and "advisory" in reason(report, "live-ideogram-status")


@pytest.mark.parametrize(
    ("body", "code", "expected"),
    [
        ({"status": "degraded", "ideogram": {"connected": False, "latencyMs": 5003}}, 200,
         "unhealthy: HTTP 200"),
        ({"status": "healthy", "ideogram": {"connected": False}}, 200, "not connected to Ideogram"),
        ({"status": "healthy"}, 503, "not 2xx: HTTP 503"),
    ],
)
def test_staging_health_fails_with_evidence(world, monkeypatch, body, code, expected):
    world.http.clear()
    world.health(body, code)
    got, report = world.run("--select", "live-staging-health", monkeypatch=monkeypatch)
    assert got == 1
    text = reason(report, "live-staging-health")
    assert expected in text
    if "degraded" in json.dumps(body):
        assert "ideogram.connected=false" in text and "ideogram.latencyMs=5003" in text


def test_staging_without_a_json_body_passes_on_2xx(world, monkeypatch):
    world.http.clear()
    world.health("OK")
    code, _ = world.run("--select", "live-staging-health", monkeypatch=monkeypatch)
    assert code == 0


def test_prometheus_missing_series_and_rules_fail(world, monkeypatch, prometheus_factory):
    empty = prometheus_factory()
    world.prometheus = empty
    code, report = world.run("--select", "live-prometheus", monkeypatch=monkeypatch)
    assert code == 1
    text = reason(report, "live-prometheus")
    assert "no samples of ideogram_requests_total" in text
    assert "alert rules not loaded: IdeogramApiDown" in text


def test_prometheus_unreachable_is_an_error(world, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    world.prometheus = type("P", (), {"url": f"http://127.0.0.1:{port}"})()
    code, report = world.run("--select", "live-prometheus", monkeypatch=monkeypatch)
    assert code == 1 and statuses(report)["live-prometheus"] == "error"


# The live-k8s-* cases on a reachable cluster run on the real control plane: tests/real_k8s/test_preflight_k8s.py.
def test_unreachable_cluster_is_an_error_for_every_k8s_check(world, monkeypatch):
    world.cluster.stop()
    code, report = world.run("--select", "live-k8s-secret,live-k8s-deployment", monkeypatch=monkeypatch)
    assert code == 1
    assert statuses(report) == {"live-k8s-deployment": "error", "live-k8s-secret": "error"}


def test_bad_inputs_are_exit_2(world, monkeypatch, capsys):
    monkeypatch.setenv("IDEOGRAM_API_KEY", KEY)
    assert main(["preflight", "--staging-url", "ftp://x"]) == 2
    assert main(["preflight", "--select", "secret-generic"]) == 2
    assert main(["preflight", "--select", "live-k8s-secret", "--kubeconfig", str(world.tmp / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("ideogram-prod: error: ") for line in err)


def test_the_network_guard_blocks_non_loopback():
    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError), socket.socket() as s:
        s.connect(("192.0.2.10", 443))  # TEST-NET-1: blocked before any packet is sent


def test_preflight_never_prints_the_key(world, monkeypatch, capsys):
    """The secret canary for preflight, across its failure paths."""
    world.ideogram.keys.clear()
    world.ideogram.script(Scripted(401, {"error": f"invalid key {KEY}"}))
    world.cluster.delete("secrets", "ideogram-api", namespace="staging")
    world.cluster.secret("ideogram-api", {"api-key": KEY}, namespace="staging")
    code, report = world.run("--spend", "--summary", str(world.tmp / "s.md"), "--sarif", str(world.tmp / "r.sarif"),
                             "--github", "-vv", monkeypatch=monkeypatch)
    assert code == 1
    out = capsys.readouterr()
    for text in (out.out, out.err, json.dumps(report), (world.tmp / "s.md").read_text(),
                 (world.tmp / "r.sarif").read_text()):
        assert KEY not in text and KEY[8:] not in text


def test_prometheus_bearer_token_is_sent_and_never_printed(world, monkeypatch, capsys):
    token = "prom-token-" + "Hq2Wx8Lp5Zr1"
    monkeypatch.setenv("IDEOGRAM_PROD_PROMETHEUS_TOKEN", token)
    auth = {"Authorization": f"Bearer {token}"}
    sample = {"status": "success", "data": {"resultType": "vector",
                                            "result": [{"metric": {}, "value": [time.time(), str(time.time())]}]}}
    rules = {"status": "success", "data": {"groups": [{"name": "ideogram", "rules": [
        {"type": "alerting", "name": spec.name} for spec in alert_specs()]}]}}
    world.http.expect_request("/prom/api/v1/query", headers=auth).respond_with_json(sample)
    world.http.expect_request("/prom/api/v1/rules", headers=auth).respond_with_json(rules)
    world.prometheus = type("P", (), {"url": world.http.url_for("/prom")})()
    code, report = world.run("--select", "live-prometheus", "-vv", monkeypatch=monkeypatch)
    assert code == 0, report
    out = capsys.readouterr()
    assert token not in out.out + out.err + json.dumps(report)
