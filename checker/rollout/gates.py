"""Gate verdicts and their PromQL: the seed's alert table applied to the canary's series only (pure functions)."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from checker.alerts import DURATION_METRIC, REQUESTS_METRIC, STATUS_LABEL, AlertSpec

_METRIC = re.compile(
    rf"\b({REQUESTS_METRIC}|{DURATION_METRIC}_(?:bucket|count|sum))\b(\s*\{{([^}}]*)\}})?")
_RANGE = re.compile(r"\[\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+\s*\]")


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT = "insufficient-data"
    ERROR = "error"  # Prometheus unreachable or the query failed: counts as failed (fail closed)
    SKIPPED = "skipped"


FAILING = frozenset({Verdict.FAIL, Verdict.ERROR})


@dataclass(frozen=True, slots=True)
class Gate:
    """One check of a stage: an alert of the seed table on the canary, or a canary-vs-stable comparison."""

    key: str
    title: str
    query: str
    comparator: str
    threshold: float
    unit: str


def scoped(query: str, selector: str, window: str) -> str:
    """`query` restricted to the series `selector` matches, with every range set to `window`.

    Only metrics of the contract get the matchers, so a user's alert override keeps its other terms.
    """
    def add(m: re.Match[str]) -> str:
        inner = (m.group(3) or "").strip()
        return f"{m.group(1)}{{{inner + ', ' if inner else ''}{selector}}}"

    return _RANGE.sub(f"[{window}]", _METRIC.sub(add, query))


def alert_gates(specs: Iterable[AlertSpec], selector: str, window: str) -> tuple[Gate, ...]:
    return tuple(Gate(s.key, s.title, scoped(s.query, selector, window), s.comparator, s.threshold, s.unit)
                 for s in specs)


def requests_query(selector: str, window: str) -> str:
    return f"sum(increase({REQUESTS_METRIC}{{{selector}}}[{window}]))"


def error_ratio_query(selector: str, window: str) -> str:
    errors = f'{REQUESTS_METRIC}{{{STATUS_LABEL}=~"5..", {selector}}}'
    return f"sum(rate({errors}[{window}])) / sum(rate({REQUESTS_METRIC}{{{selector}}}[{window}]))"


def p99_query(selector: str, window: str) -> str:
    return f"histogram_quantile(0.99, sum by (le) (rate({DURATION_METRIC}_bucket{{{selector}}}[{window}])))"


def finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def breached(value: float, comparator: str, threshold: float) -> bool:
    return value > threshold if comparator == ">" else value >= threshold


def gate_verdict(value: float | None, comparator: str, threshold: float, samples: float | None,
                 min_samples: int) -> Verdict:
    """A breach fails whatever the traffic (one 401 is enough); a quiet value needs `min_samples` to pass."""
    value = finite(value)
    if value is not None and breached(value, comparator, threshold):
        return Verdict.FAIL
    if samples is None or samples < min_samples or value is None:
        return Verdict.INSUFFICIENT
    return Verdict.PASS


def compare_verdict(canary: float | None, stable: float | None, margin: float, canary_samples: float | None,
                    stable_samples: float | None, min_samples: int) -> Verdict:
    """Canary worse than stable by more than `margin` fails, once both sides carry enough requests."""
    if canary_samples is None or canary_samples < min_samples:
        return Verdict.INSUFFICIENT
    if stable_samples is None or stable_samples < min_samples:
        return Verdict.SKIPPED
    canary, stable = finite(canary), finite(stable)
    if canary is None or stable is None:
        return Verdict.SKIPPED
    return Verdict.FAIL if canary > stable + margin else Verdict.PASS


def readiness_verdict(ready: int, desired: int, elapsed_s: float, deadline_s: float) -> Verdict:
    """Canary pods not Ready by the stage deadline fail the stage (crash loops never turn Ready)."""
    if desired <= ready:
        return Verdict.PASS
    return Verdict.FAIL if elapsed_s >= deadline_s else Verdict.INSUFFICIENT


def stage_verdict(verdicts: Iterable[Verdict], final: bool, insufficient_fails: bool) -> Verdict | None:
    """FAIL at the first failing gate; at the end insufficient data fails or passes by policy; None = go on."""
    seen = set(verdicts)
    if seen & FAILING:
        return Verdict.FAIL
    if not final:
        return None
    if Verdict.INSUFFICIENT in seen:
        return Verdict.FAIL if insufficient_fails else Verdict.PASS
    return Verdict.PASS
