"""Gate verdicts and their PromQL: the seed's alerts and the judge's counts, per track (pure functions)."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Iterable

from checker import promql
from checker.contract import BUCKET_METRIC, DURATION_METRIC, REQUESTS_METRIC, STATUS_LABEL, AlertSpec

# The contract's series; a user's alert override keeps its other terms (a recording rule, another metric) unscoped.
CONTRACT_SERIES = frozenset({REQUESTS_METRIC, *(f"{DURATION_METRIC}_{part}" for part in ("bucket", "count", "sum"))})


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"  # not enough evidence either way (or a comparison that cannot run): never a pass
    HOLD = "hold"  # the stable is degraded too (e.g. an Ideogram-wide outage): neither pass nor the release's fault
    ERROR = "error"  # Prometheus kept failing past the error limits: counts as failed (fail closed)


def scoped(query: str, selector: str, window: str) -> str:
    """`query` restricted to the series `selector` matches, with every range set to `window` (ValueError if not
    PromQL): the matchers go into the contract's selectors of its syntax tree."""
    return promql.scoped(query, CONTRACT_SERIES, selector, window)


def alert_gates(specs: Iterable[AlertSpec], selector: str, window: str) -> tuple[AlertSpec, ...]:
    """The seed's alerts as page-now limits on one track: the same specs, their queries scoped to `selector`."""
    out = []
    for spec in specs:
        try:
            out.append(dataclasses.replace(spec, query=scoped(spec.query, selector, window)))
        except promql.PromQLError as exc:
            raise ValueError(f"alerts.queries.{spec.key}: not PromQL the rollout can scope ({exc})") from None
    return tuple(out)


def requests_query(selector: str, window: str) -> str:
    return f"sum(increase({REQUESTS_METRIC}{{{selector}}}[{window}]))"


def status_counts_query(selector: str, window: str, metric: str = REQUESTS_METRIC) -> str:
    """Calls by status code over `window`: the ratio tests' counts since the stage began."""
    return f"sum by ({STATUS_LABEL}) (increase({metric}{{{selector}}}[{window}]))"


def bucket_counts_query(selector: str, window: str) -> str:
    """Cumulative latency buckets over `window`: the latency test's counts since the stage began."""
    return f"sum by (le) (increase({BUCKET_METRIC}{{{selector}}}[{window}]))"


def stable_selector(canary_selector: str, configured: str | None) -> str:
    """The stable's series: as configured, else everything the canary selector excludes (`k!="v"`), so stable pods
    need no label of their own (the replicas strategy never labels them; issue 12, harm 7)."""
    try:
        canary = promql.label_matchers(canary_selector)
    except promql.PromQLError as exc:
        raise ValueError(f"rollout.canary_selector: {exc}") from None
    if configured:
        try:
            return promql.render_matchers(promql.label_matchers(configured))
        except promql.PromQLError as exc:
            raise ValueError(f"rollout.stable_selector: {exc}") from None
    if len(canary) != 1 or canary[0][1] != "=":
        raise ValueError("rollout.stable_selector: needed when rollout.canary_selector is not one `label=\"value\"`")
    label, _, value = canary[0]
    return promql.render_matchers(((label, "!=", value),))


def finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def readiness_verdict(ready: int, desired: int, elapsed_s: float, deadline_s: float) -> Verdict:
    """Canary pods not Ready by the stage deadline fail the stage (crash loops never turn Ready)."""
    if desired <= ready:
        return Verdict.PASS
    return Verdict.FAIL if elapsed_s >= deadline_s else Verdict.INCONCLUSIVE
