"""The metric contract: the metric names `init` instruments, the seed's four alerts over them, and their threshold test.

Everything that reads or writes these metrics (the `alerts-missing` check, `ideogram-prod alerts`, preflight, the
rollout's page-now limits, the config defaults) takes them from here.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

# README "Metric contract"; the instrumentation snippets of `init` emit exactly this.
REQUESTS_METRIC = "ideogram_requests_total"  # counter, label `status` = HTTP status code as a string
DURATION_METRIC = "ideogram_request_duration_seconds"  # histogram of whole-call latency in seconds
BUCKET_METRIC = f"{DURATION_METRIC}_bucket"
STATUS_LABEL = "status"
# Optional: the service's own requests by status (rollout.inbound_metric); the rollout judge compares its 5xx ratio
# and Ideogram calls per inbound request, canary vs stable. `init`'s instrumentation writes it.
INBOUND_METRIC = "ideogram_inbound_requests_total"
SERIES: tuple[str, ...] = (REQUESTS_METRIC, BUCKET_METRIC)  # what the rollout gates query (prometheus.series)

AlertKey = Literal["api_down", "high_latency", "rate_limited", "auth_failures"]
ALERT_KEYS: tuple[AlertKey, ...] = ("api_down", "high_latency", "rate_limited", "auth_failures")
Priority = Literal["P1", "P2"]
Comparator = Literal[">", ">="]
SEVERITY_OF: dict[Priority, str] = {"P1": "critical", "P2": "warning"}  # Alertmanager's usual routing labels

_COMPARE: dict[Comparator, Callable[[float, float], bool]] = {">": operator.gt, ">=": operator.ge}


def breached(value: float, comparator: Comparator, threshold: float) -> bool:
    """The alert condition `value comparator threshold`: the one threshold test of the alerts and the rollout."""
    return _COMPARE[comparator](value, threshold)


@dataclass(frozen=True, slots=True)
class AlertSpec:
    """One row of the seed's alert table: `query` yields a value in `unit`; it alerts when `value comparator threshold`.

    The rollout gates evaluate the same query, scoped to a track, and call `breached` on the result.
    """

    key: AlertKey
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

    @property
    def counts(self) -> bool:
        """A count (errors/min, responses): the rollout compares the stable with it at the canary's call volume."""
        return self.unit != "seconds"

    def breached(self, value: float) -> bool:
        return breached(value, self.comparator, self.threshold)


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
        query=f"histogram_quantile(0.99, sum by (le) (rate({BUCKET_METRIC}[5m])))",
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
