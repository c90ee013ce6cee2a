"""The generated alert rules, validated and unit-tested by the real promtool, plus the `alerts` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.alerts import render, runbook_link
from checker.cli import main
from checker.contract import ALERT_KEYS, ALERTS, BY_KEY, alert_specs


def promtool() -> str:
    """The real promtool (Debian package `prometheus`); CI installs it, so missing there is a failure."""
    found = shutil.which("promtool")
    if found is None:
        hint = "promtool is missing: apt-get install -y --no-install-recommends prometheus"
        if os.environ.get("CI"):
            pytest.fail(hint)
        pytest.skip(hint)
    return found


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=60, check=False)


# --- pure data -----------------------------------------------------------------------------------

def test_four_alerts_match_the_seed_table() -> None:
    table = {(s.key, s.priority, s.severity, s.comparator, s.threshold) for s in ALERTS}
    assert table == {
        ("api_down", "P1", "critical", ">", 10),
        ("high_latency", "P2", "warning", ">", 5),  # seconds: the seed's 5000 ms
        ("rate_limited", "P2", "warning", ">", 5),
        ("auth_failures", "P1", "critical", ">", 0),
    }
    assert tuple(s.key for s in ALERTS) == ALERT_KEYS


@pytest.mark.parametrize(("key", "value", "breached"), [
    ("api_down", 10.5, True), ("api_down", 10, False), ("high_latency", 5.01, True), ("high_latency", 4.99, False),
    ("rate_limited", 6, True), ("rate_limited", 5, False), ("auth_failures", 1, True), ("auth_failures", 0, False),
])
def test_breached(key: str, value: float, breached: bool) -> None:
    assert BY_KEY[key].breached(value) is breached


def test_query_override_keeps_threshold() -> None:
    specs = {s.key: s for s in alert_specs({"api_down": 'sum(increase(my_calls_total{code=~"5.."}[1m]))'})}
    assert specs["api_down"].expr == 'sum(increase(my_calls_total{code=~"5.."}[1m])) > 10'
    assert specs["high_latency"] == BY_KEY["high_latency"]
    with pytest.raises(ValueError, match="unknown alert"):
        alert_specs({"api_up": "x"})


def test_rules_carry_labels_and_runbook_links() -> None:
    doc = yaml.safe_load(render(alert_specs(), "https://wiki.example.com/ideogram"))
    rules = {r["alert"]: r for r in doc["groups"][0]["rules"]}
    assert set(rules) == {"IdeogramApiDown", "IdeogramHighLatency", "IdeogramRateLimited", "IdeogramAuthFailures"}
    assert rules["IdeogramApiDown"]["labels"] == {"severity": "critical", "priority": "P1", "component": "ideogram"}
    assert rules["IdeogramHighLatency"]["labels"]["priority"] == "P2"
    assert rules["IdeogramAuthFailures"]["annotations"]["runbook_url"] == \
        "https://wiki.example.com/ideogram#ideogramauthfailures"
    assert runbook_link("docs/RUNBOOK.md#old", BY_KEY["api_down"]) == "docs/RUNBOOK.md#ideogramapidown"
    assert all(r["annotations"]["summary"] and r["annotations"]["description"] for r in rules.values())


# --- promtool ------------------------------------------------------------------------------------

def test_promtool_check_rules(tmp_path: Path) -> None:
    rules = tmp_path / "ideogram.rules.yml"
    rules.write_text(render(alert_specs(), "docs/RUNBOOK.md"))
    proc = run_promtool("check", "rules", str(rules))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 rules found" in proc.stdout


def test_promtool_check_prometheusrule_spec_and_overrides(tmp_path: Path) -> None:
    specs = alert_specs({"api_down": 'sum(increase(ideogram_requests_total{status=~"5.."}[1m]))'})
    resource = yaml.safe_load(render(specs, "docs/RUNBOOK.md", "prometheusrule", namespace="monitoring"))
    assert resource["kind"] == "PrometheusRule" and resource["metadata"]["namespace"] == "monitoring"
    rules = tmp_path / "spec.rules.yml"
    rules.write_text(yaml.safe_dump(resource["spec"]))
    proc = run_promtool("check", "rules", str(rules))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def counter(status: str, per_minute: float) -> dict[str, str]:
    return {"series": f'ideogram_requests_total{{status="{status}"}}', "values": f"0+{per_minute}x30"}


def histogram(per_minute: dict[str, int]) -> list[dict[str, str]]:
    """Cumulative bucket series from per-bucket counts per minute."""
    series, total = [], 0
    for le in ("1", "2.5", "5", "7.5", "10", "+Inf"):
        total += per_minute.get(le, 0)
        series.append({"series": f'ideogram_request_duration_seconds_bucket{{le="{le}"}}', "values": f"0+{total}x30"})
    return series


def expected(key: str, value: str) -> list[dict[str, Any]]:
    spec = BY_KEY[key]
    description = spec.description.replace("{{ $value | humanize }}", value).replace(
        "{{ $value | humanizeDuration }}", value)
    return [{
        "exp_labels": {"severity": spec.severity, "priority": spec.priority, "component": "ideogram"},
        "exp_annotations": {"summary": spec.summary, "description": description,
                            "runbook_url": runbook_link("docs/RUNBOOK.md", spec)},
    }]


def case(key: str, series: list[dict[str, str]], fires: str | None) -> dict[str, Any]:
    """One promtool test group: the alert fires (with `fires` as its rendered value) or stays quiet at 15m."""
    return {
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [{"eval_time": "15m", "alertname": BY_KEY[key].name,
                             "exp_alerts": expected(key, fires) if fires is not None else []}],
    }


# Noise every case carries: healthy traffic and the other error classes must not move the wrong alert.
NOISE = [counter("200", 1000)]

PROMTOOL_CASES: dict[str, dict[str, Any]] = {
    "api_down above (10.5/min)": case("api_down", [*NOISE, counter("503", 10.5)], "10.5"),
    "api_down below (9.5/min of 5xx, 50/min of 4xx)": case(
        "api_down", [*NOISE, counter("500", 9.5), counter("429", 25), counter("404", 25)], None),
    "rate_limited above (5.5/min)": case("rate_limited", [*NOISE, counter("429", 5.5)], "5.5"),
    "rate_limited below (4.5/min, 5xx aside)": case(
        "rate_limited", [*NOISE, counter("429", 4.5), counter("503", 50)], None),
    # p99 = 5 + 2.5 * (9900 - 9896) / 104 = 5.096 s
    "high_latency above (p99 5.096 s)": case("high_latency", histogram({"1": 9896, "7.5": 104}), "5.096s"),
    # p99 = 2.5 + 2.5 * (990 - 750) / 250 = 4.9 s
    "high_latency below (p99 4.9 s)": case("high_latency", histogram({"1": 750, "5": 250}), None),
    "auth_failures quiet with no 401/403": case(
        "auth_failures", [*NOISE, counter("401", 0), counter("500", 100), counter("429", 100)], None),
}


def test_promtool_unit_tests(tmp_path: Path) -> None:
    (tmp_path / "ideogram.rules.yml").write_text(render(alert_specs(), "docs/RUNBOOK.md"))
    groups = list(PROMTOOL_CASES.values())
    # Auth failures: a single 403 at minute 12 fires ("any 401/403"), rendered as the 5m increase.
    groups.append({
        "interval": "1m",
        "input_series": [*NOISE, {"series": 'ideogram_requests_total{status="403"}', "values": "0x11 1x20"}],
        "alert_rule_test": [{"eval_time": "15m", "alertname": "IdeogramAuthFailures",
                             "exp_alerts": expected("auth_failures", "1")}],
    })
    (tmp_path / "ideogram.test.yml").write_text(yaml.safe_dump({
        "rule_files": ["ideogram.rules.yml"], "evaluation_interval": "1m", "tests": groups,
    }, sort_keys=False))
    proc = run_promtool("test", "rules", str(tmp_path / "ideogram.test.yml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_promtool_catches_a_wrong_expectation(tmp_path: Path) -> None:
    """The harness is not vacuous: claiming the below-threshold case fires makes promtool fail."""
    (tmp_path / "ideogram.rules.yml").write_text(render(alert_specs(), "docs/RUNBOOK.md"))
    wrong = case("api_down", [*NOISE, counter("500", 9.5)], "9.5")
    (tmp_path / "t.yml").write_text(yaml.safe_dump({"rule_files": ["ideogram.rules.yml"], "tests": [wrong]}))
    proc = run_promtool("test", "rules", str(tmp_path / "t.yml"))
    assert proc.returncode == 1
    assert "IdeogramApiDown" in proc.stdout + proc.stderr


# --- the command ---------------------------------------------------------------------------------

def test_cli_writes_rules_with_config_overrides(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("alerts:\n  runbook_url: https://runbooks.example.com/ideogram\n"
                   "  queries:\n    rate_limited: 'sum(rate(ideogram_requests_total{status=\"429\"}[1m])) * 60'\n")
    out = tmp_path / "rules.yml"
    proc = subprocess.run([sys.executable, "-m", "checker", "alerts", "--config", str(cfg), "--output", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    rules = {r["alert"]: r for r in yaml.safe_load(out.read_text())["groups"][0]["rules"]}
    assert rules["IdeogramRateLimited"]["expr"] == 'sum(rate(ideogram_requests_total{status="429"}[1m])) * 60 > 5'
    assert rules["IdeogramApiDown"]["annotations"]["runbook_url"] == \
        "https://runbooks.example.com/ideogram#ideogramapidown"
    assert run_promtool("check", "rules", str(out)).returncode == 0


def test_cli_prometheusrule_to_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["alerts", "--format", "prometheusrule", "--namespace", "mon", "--name", "ideo"]) == 0
    doc = yaml.safe_load(capsys.readouterr().out)
    assert doc["metadata"]["name"] == "ideo" and doc["metadata"]["namespace"] == "mon"
    assert len(doc["spec"]["groups"][0]["rules"]) == 4


@pytest.mark.parametrize(("argv", "message"), [
    (["alerts", "--namespace", "x"], "apply only to --format prometheusrule"),
    (["alerts", "--format", "json"], "invalid choice"),
    (["alerts", "--config", "missing.yaml"], "config file not found"),
])
def test_cli_bad_input_is_one_line_exit_2(argv: list[str], message: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_rejects_unknown_query_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".ideogram-prod.yaml").write_text("alerts:\n  queries:\n    api_up: up\n")
    assert main(["alerts"]) == 2
    assert "unknown alert 'api_up'" in capsys.readouterr().err


def test_python_snippet_counts_inbound_requests_for_the_judge(tmp_path: Path) -> None:
    """The optional inbound counter of the contract (rollout.inbound_metric), as `init` writes it."""
    from checker.contract import INBOUND_METRIC
    from tests.helpers.plugin import run_cli

    run_cli("init", str(tmp_path))
    script = ("import sys; sys.path.insert(0, sys.argv[1])\n"
              "from ideogram_metrics import record_inbound_request\n"
              "from prometheus_client import generate_latest\n"
              "record_inbound_request(503)\nrecord_inbound_request(200)\nrecord_inbound_request(200)\n"
              "sys.stdout.write(generate_latest().decode())\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "docs/instrumentation")],
                          capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    for line in (f'{INBOUND_METRIC}{{status="503"}} 1.0', f'{INBOUND_METRIC}{{status="200"}} 2.0',
                 f'{INBOUND_METRIC}{{status="500"}} 0.0', 'ideogram_requests_total{status="400"} 0.0'):
        assert line in lines
