"""alerts-missing over fixture repos, and the PromQL reading it relies on (table tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checker.contract import ALERTS
from checker.promql import PromQLError, conditions
from tests.helpers.plugin import CliResult, run_cli

FIXTURES = Path(__file__).parents[2] / "fixtures" / "alerts"
FIVE_XX = frozenset(str(c) for c in range(500, 600))


def scan(root: Path, tmp_path: Path, *extra: str) -> tuple[CliResult, dict[str, Any]]:
    out = tmp_path / "report.json"
    result = run_cli("check", str(root), "--select", "alerts-missing", "--json", str(out), *extra)
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(out.read_text())


def messages(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return sorted((f["location"]["path"], f["location"]["line"], f["message"]) for f in report["findings"])


# --- PromQL reading -------------------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "per_minute"), [
    ('sum(rate(ideogram_requests_total{status=~"5.."}[5m])) * 60 > 10', 10),
    ('rate(ideogram_requests_total{status=~"5.."}[1m]) * 60 > 10', 10),
    ('increase(ideogram_requests_total{status=~"5.."}[1m]) > 10', 10),
    ('sum(increase(ideogram_requests_total{status=~"5.."}[5m])) > 50', 10),
    ('sum(rate(ideogram_requests_total{status=~"5.."}[5m])) > 10 / 60', 10),
    ('60 * sum by (status) (rate(ideogram_requests_total{status=~"5.."}[2m])) >= 10', 10),
    ('10 < sum(increase(ideogram_requests_total{status=~"5.."}[5m])) / 5', 10),
    ('sum(rate(ideogram_requests_total{status=~"5.."}[5m])) * 60 > 100', 100),
])
def test_counts_normalise_to_per_minute(expr: str, per_minute: float) -> None:
    (cond,) = conditions(expr)
    assert cond.signal.kind == "count" and cond.signal.metric == "ideogram_requests_total"
    assert cond.signal.statuses == FIVE_XX
    assert cond.base_threshold * 60 == pytest.approx(per_minute)


@pytest.mark.parametrize(("expr", "quantile", "seconds"), [
    ("histogram_quantile(0.99, sum by (le) (rate(ideogram_request_duration_seconds_bucket[5m]))) > 5", 0.99, 5),
    ("histogram_quantile(0.99, sum(rate(ideogram_request_duration_seconds_bucket[5m])) by (le)) * 1000 > 5000",
     0.99, 5),
    ("histogram_quantile(0.99, rate(ideogram_request_duration_milliseconds_bucket[5m])) > 5000", 0.99, 5),
    ("histogram_quantile(0.95, rate(ideogram_request_duration_seconds_bucket[5m])) > 2.5", 0.95, 2.5),
    ('ideogram_request_duration_seconds{quantile="0.99"} > 5', 0.99, 5),
])
def test_latency_normalises_to_seconds(expr: str, quantile: float, seconds: float) -> None:
    (cond,) = conditions(expr)
    assert cond.signal.kind == "quantile" and cond.signal.metric == "ideogram_request_duration"
    assert cond.signal.quantile == quantile
    assert cond.base_threshold == pytest.approx(seconds)


@pytest.mark.parametrize(("expr", "codes"), [
    ('rate(ideogram_requests_total{status="429"}[5m]) > 0', {"429"}),
    ('rate(ideogram_requests_total{status=~"401|403"}[5m]) > 0', {"401", "403"}),
    ('rate(ideogram_requests_total{code=~"40[13]"}[5m]) > 0', {"401", "403"}),
    ('rate(ideogram_requests_total{status=~"4..", status!~"40[0-9]|41.|42.|43.|44.|45.|46.|47.|48.|49."}[5m]) > 0',
     set()),
])
def test_status_matchers(expr: str, codes: set[str]) -> None:
    (cond,) = conditions(expr)
    assert cond.signal.statuses == codes


@pytest.mark.parametrize("expr", [
    # a ratio, a bool comparison and a bare metric measure something else: no condition to match
    'sum(rate(ideogram_requests_total{status=~"5.."}[5m])) / sum(rate(ideogram_requests_total[5m])) > 0.05',
    'sum(rate(ideogram_requests_total{status=~"5.."}[5m])) > bool 1',
    "up == 0",
])
def test_other_shapes_yield_no_condition(expr: str) -> None:
    assert conditions(expr) == ()


def test_or_and_unless() -> None:
    both = conditions('rate(x_total{status="401"}[5m]) > 0 or rate(x_total{status="403"}[5m]) > 0')
    assert [c.signal.statuses for c in both] == [frozenset({"401"}), frozenset({"403"})]
    (left,) = conditions('rate(x_total{status="429"}[5m]) * 60 > 5 and on() hour() > 8')
    assert left.signal.statuses == {"429"}


@pytest.mark.parametrize("expr", ["sum(rate(x[5m]", 'x{status=}', "rate(x[5m]) >> 3"])
def test_garbage_raises(expr: str) -> None:
    with pytest.raises(PromQLError):
        conditions(expr)


def test_generated_rules_read_back_as_their_own_thresholds() -> None:
    for spec in ALERTS:
        (cond,) = conditions(spec.expr)
        assert cond.threshold == spec.threshold and cond.comparator == spec.comparator


# --- the check over fixture repos -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["pass-rules", "pass-prometheusrule"])
def test_pass_fixtures(name: str, tmp_path: Path) -> None:
    result, report = scan(FIXTURES / name, tmp_path)
    assert result.returncode == 0, report["findings"]
    assert report["results"][0]["status"] == "passed"
    assert report["results"][0]["reason"].startswith("4 of 4 alert(s) covered")


def test_missing_rules_report_each_alert(tmp_path: Path) -> None:
    result, report = scan(FIXTURES / "fail-missing", tmp_path)
    assert result.returncode == 1
    found = messages(report)
    assert len(found) == 4 and all(path == "." and line == 0 for path, line, _ in found)
    text = " ".join(m for _, _, m in found)
    for title in ("API Down", "High Latency", "Rate Limited", "Auth Failures"):
        assert f"no alert rule for the checklist's {title} alert" in text


def test_mismatches_are_reported_at_the_rule(tmp_path: Path) -> None:
    result, report = scan(FIXTURES / "fail-mismatch", tmp_path)
    assert result.returncode == 1
    assert messages(report) == [
        ("prometheus/alerts.yml", 4, "alert IdeogramApiDown does not match the checklist's API Down alert: "
         "threshold 100 errors/min, the checklist's table says 5xx errors > 10/min"),
        ("prometheus/alerts.yml", 8, "alert IdeogramHighLatency does not match the checklist's High Latency alert: "
         "quantile 0.95, expected 0.99"),
        ("prometheus/alerts.yml", 12, "alert IdeogramRateLimited does not match the checklist's Rate Limited alert: "
         "severity critical, the checklist's table says warning (P2)"),
        ("prometheus/alerts.yml", 16, "alert IdeogramUnauthorized does not match the checklist's Auth Failures alert: "
         "no rule counts status 403 (the checklist's alert is 401/403 errors > 0)"),
    ]


GOOD = Path(FIXTURES / "pass-prometheusrule" / "k8s" / "prometheusrule.yaml").read_text()


def test_configmap_embedded_rules_and_line_numbers(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    body = "\n".join("    " + line for line in [
        "groups:", "  - name: ideogram", "    rules:",
        "      - alert: IdeogramApiDown",
        '        expr: sum(rate(ideogram_requests_total{status=~"5.."}[5m])) * 60 > 20',
        "        labels: {severity: critical}",
    ])
    root = make_repo({"deploy/prometheus-cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n"
                      f"data:\n  alerts.yml: |\n{body}\n"})
    _, report = scan(root, tmp_path)
    mismatch = [m for m in messages(report) if "IdeogramApiDown" in m[2]]
    assert mismatch == [("deploy/prometheus-cm.yaml", 9, "alert IdeogramApiDown does not match the checklist's API Down "
                         "alert: threshold 20 errors/min, the checklist's table says 5xx errors > 10/min")]


def test_query_overrides_define_the_metric(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    custom = GOOD.replace("ideogram_requests_total", "http_client_requests_total").replace('status=', 'code=')
    root = make_repo({"k8s/rules.yaml": custom})
    result, _ = scan(root, tmp_path)
    assert result.returncode == 1  # not the default contract
    (root / ".ideogram-prod.yaml").write_text(
        "alerts:\n  queries:\n"
        + "".join(f"    {key}: 'sum(rate(http_client_requests_total{{code{matcher}}}[5m])) * 60'\n"
                  for key, matcher in (("api_down", '=~"5.."'), ("rate_limited", '="429"')))
        + "    auth_failures: 'sum(increase(http_client_requests_total{code=~\"401|403\"}[5m]))'\n")
    result, report = scan(root, tmp_path)
    assert result.returncode == 0, report["findings"]


def test_rules_in_test_dirs_and_broken_yaml_do_not_count(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"tests/fixtures/rules.yaml": GOOD, "monitoring/broken.yml": "groups: [\n  {{ .Values }}\n"})
    result, report = scan(root, tmp_path)
    assert result.returncode == 1 and len(report["findings"]) == 4


def test_inline_suppression(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    lines = (FIXTURES / "fail-mismatch" / "prometheus" / "alerts.yml").read_text().splitlines()
    lines.insert(3, "      # ideogram-prod: ignore[alerts-missing] -- paged through another pipeline")
    root = make_repo({"prometheus/alerts.yml": "\n".join(lines) + "\n"})
    _, report = scan(root, tmp_path)
    assert [m[1] for m in messages(report)] == [9, 13, 17]
    assert "1 suppressed inline" in report["results"][0]["reason"]
