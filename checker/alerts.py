"""The seed's four Ideogram alerts as data over one metric contract, and their Prometheus rule files."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml

# The metric contract (README "Metric contract"); the instrumentation snippets of `init` emit exactly this.
REQUESTS_METRIC = "ideogram_requests_total"  # counter, label `status` = HTTP status code as a string
DURATION_METRIC = "ideogram_request_duration_seconds"  # histogram of whole-call latency in seconds
STATUS_LABEL = "status"
# Optional: the service's own requests by status (rollout.inbound_metric); the rollout judge compares its 5xx ratio
# and Ideogram calls per inbound request, canary vs stable. `init`'s instrumentation writes it.
INBOUND_METRIC = "ideogram_inbound_requests_total"

ALERT_KEYS: tuple[str, ...] = ("api_down", "high_latency", "rate_limited", "auth_failures")
Priority = Literal["P1", "P2"]
Comparator = Literal[">", ">="]
SEVERITY_OF: dict[str, str] = {"P1": "critical", "P2": "warning"}  # Alertmanager's usual routing labels
GROUP_NAME = "ideogram"
FORMATS = ("rules", "prometheusrule")

_COMPARE: dict[str, Callable[[float, float], bool]] = {">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """One row of the seed's alert table: `query` yields a value in `unit`; it alerts when `value comparator threshold`.

    The rollout gates evaluate the same query and call `breached` on the result.
    """

    key: str
    name: str
    title: str
    query: str
    comparator: Comparator
    threshold: float
    unit: str
    condition: str  # the seed's wording, e.g. "5xx errors > 10/min"
    window: str
    for_: str
    priority: Priority
    summary: str
    description: str

    @property
    def severity(self) -> str:
        return SEVERITY_OF[self.priority]

    @property
    def expr(self) -> str:
        return f"{self.query} {self.comparator} {_number(self.threshold)}"

    def breached(self, value: float) -> bool:
        return _COMPARE[self.comparator](value, self.threshold)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


# NOTE: counts are rates over a 5m window scaled to per-minute, so one slow scrape cannot flap the alert;
# `increase(x[1m]) > 10` says the same thing and the `alerts-missing` check accepts both.
ALERTS: tuple[AlertSpec, ...] = (
    AlertSpec(
        key="api_down", name="IdeogramApiDown", title="API Down",
        query=f'sum(rate({REQUESTS_METRIC}{{{STATUS_LABEL}=~"5.."}}[5m])) * 60',
        comparator=">", threshold=10, unit="errors/min", condition="5xx errors > 10/min", window="5m", for_="2m",
        priority="P1",
        summary="Ideogram API is failing: more than 10 5xx responses per minute",
        description="Ideogram returned {{ $value | humanize }} 5xx responses per minute over the last 5 minutes "
        "(threshold 10/min). Image generation is degraded or down.",
    ),
    AlertSpec(
        key="high_latency", name="IdeogramHighLatency", title="High Latency",
        query=f"histogram_quantile(0.99, sum by (le) (rate({DURATION_METRIC}_bucket[5m])))",
        comparator=">", threshold=5, unit="seconds", condition="p99 > 5000ms", window="5m", for_="5m",
        priority="P2",
        summary="Ideogram p99 latency is above 5000 ms",
        description="The 99th percentile of Ideogram call latency is {{ $value | humanizeDuration }} over the "
        "last 5 minutes (threshold 5s).",
    ),
    AlertSpec(
        key="rate_limited", name="IdeogramRateLimited", title="Rate Limited",
        query=f'sum(rate({REQUESTS_METRIC}{{{STATUS_LABEL}="429"}}[5m])) * 60',
        comparator=">", threshold=5, unit="responses/min", condition="429 errors > 5/min", window="5m", for_="5m",
        priority="P2",
        summary="Ideogram is rate limiting us: more than 5 429 responses per minute",
        description="Ideogram returned {{ $value | humanize }} 429 responses per minute over the last 5 minutes "
        "(threshold 5/min). Back off, spread the load or ask Ideogram for a higher limit.",
    ),
    AlertSpec(
        key="auth_failures", name="IdeogramAuthFailures", title="Auth Failures",
        query=f'sum(increase({REQUESTS_METRIC}{{{STATUS_LABEL}=~"401|403"}}[5m]))',
        comparator=">", threshold=0, unit="responses", condition="401/403 errors > 0", window="5m", for_="0m",
        priority="P1",
        summary="Ideogram rejects our API key (401/403)",
        description="Ideogram answered {{ $value | humanize }} request(s) with 401/403 in the last 5 minutes. "
        "The API key is missing, revoked or rotated without a rollout.",
    ),
)
BY_KEY: dict[str, AlertSpec] = {spec.key: spec for spec in ALERTS}


def alert_specs(queries: Mapping[str, str] | None = None) -> tuple[AlertSpec, ...]:
    """The four alerts with the configured PromQL overrides (config.alerts.queries) applied."""
    queries = queries or {}
    unknown = sorted(set(queries) - set(ALERT_KEYS))
    if unknown:
        raise ValueError(f"unknown alert {unknown[0]!r} (known: {', '.join(ALERT_KEYS)})")
    return tuple(
        dataclasses.replace(spec, query=" ".join(queries[spec.key].split())) if spec.key in queries else spec
        for spec in ALERTS
    )


def runbook_link(base: str, spec: AlertSpec) -> str:
    """`init`'s runbook has one heading per alert name; GitHub anchors are the lower-cased heading."""
    return f"{base.split('#', 1)[0]}#{spec.name.lower()}"


def rule(spec: AlertSpec, runbook_url: str) -> dict[str, Any]:
    out: dict[str, Any] = {"alert": spec.name, "expr": spec.expr}
    if spec.for_ not in ("0m", "0s", ""):
        out["for"] = spec.for_
    out["labels"] = {"severity": spec.severity, "priority": spec.priority, "component": "ideogram"}
    out["annotations"] = {
        "summary": spec.summary,
        "description": spec.description,
        "runbook_url": runbook_link(runbook_url, spec),
    }
    return out


def rule_groups(specs: tuple[AlertSpec, ...], runbook_url: str) -> dict[str, Any]:
    return {"groups": [{"name": GROUP_NAME, "rules": [rule(spec, runbook_url) for spec in specs]}]}


def prometheus_rule(specs: tuple[AlertSpec, ...], runbook_url: str, name: str, namespace: str | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    metadata["labels"] = {"app.kubernetes.io/part-of": "ideogram-prod", "role": "alert-rules"}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": rule_groups(specs, runbook_url),
    }


HEADER = (
    "# Ideogram alerts (the seed checklist's table), generated by `ideogram-prod alerts`.\n"
    f"# Metric contract: {REQUESTS_METRIC}{{{STATUS_LABEL}}} counter (HTTP status code as a string) and the\n"
    f"# {DURATION_METRIC} histogram. Override a query with alerts.queries in .ideogram-prod.yaml.\n"
    "# The rollout judges these alerts as page-now limits on the canary; it also compares the canary with the\n"
    f"# stable on 5xx, 429, 400/402/422, slow calls, latency and (with {INBOUND_METRIC}) the inbound 5xx ratio\n"
    "# and Ideogram calls per inbound request.\n"
)


def render(
    specs: tuple[AlertSpec, ...], runbook_url: str, fmt: str = "rules",
    name: str = "ideogram-alerts", namespace: str | None = None,
) -> str:
    """The rule file as YAML text: plain rule groups (`promtool check rules`) or a PrometheusRule resource."""
    if fmt == "rules":
        doc = rule_groups(specs, runbook_url)
    elif fmt == "prometheusrule":
        doc = prometheus_rule(specs, runbook_url, name, namespace)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return HEADER + yaml.safe_dump(doc, sort_keys=False, width=1000, allow_unicode=True)
