"""Gate verdicts and their PromQL: the seed's alerts and the judge's counts, per track (pure functions)."""

from __future__ import annotations

import dataclasses
import enum
import math
import re
from collections.abc import Iterable

from checker.contract import BUCKET_METRIC, DURATION_METRIC, REQUESTS_METRIC, STATUS_LABEL, AlertSpec

_METRIC = re.compile(
    rf"\b({REQUESTS_METRIC}|{DURATION_METRIC}_(?:bucket|count|sum))\b(\s*\{{([^}}]*)\}})?")
_ONE_MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"\\]*)"')
_RANGE = re.compile(r"\[\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+\s*\]")


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"  # not enough evidence either way (or a comparison that cannot run): never a pass
    HOLD = "hold"  # the stable is degraded too (e.g. an Ideogram-wide outage): neither pass nor the release's fault
    ERROR = "error"  # Prometheus kept failing past the error limits: counts as failed (fail closed)


def scoped(query: str, selector: str, window: str) -> str:
    """`query` restricted to the series `selector` matches, with every range set to `window`.

    Only metrics of the contract get the matchers, so a user's alert override keeps its other terms.
    """
    def add(m: re.Match[str]) -> str:
        inner = (m.group(3) or "").strip()
        return f"{m.group(1)}{{{inner + ', ' if inner else ''}{selector}}}"

    return _RANGE.sub(f"[{window}]", _METRIC.sub(add, query))


def alert_gates(specs: Iterable[AlertSpec], selector: str, window: str) -> tuple[AlertSpec, ...]:
    """The seed's alerts as page-now limits on one track: the same specs, their queries scoped to `selector`."""
    return tuple(dataclasses.replace(s, query=scoped(s.query, selector, window)) for s in specs)


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
    if configured:
        return configured
    m = _ONE_MATCHER.fullmatch(canary_selector.strip())
    if not m:
        raise ValueError("rollout.stable_selector: needed when rollout.canary_selector is not one `label=\"value\"`")
    return f'{m.group(1)}!="{m.group(2)}"'


def finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def readiness_verdict(ready: int, desired: int, elapsed_s: float, deadline_s: float) -> Verdict:
    """Canary pods not Ready by the stage deadline fail the stage (crash loops never turn Ready)."""
    if desired <= ready:
        return Verdict.PASS
    return Verdict.FAIL if elapsed_s >= deadline_s else Verdict.INCONCLUSIVE
