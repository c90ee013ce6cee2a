"""One stage's analysis: every interval, ask Prometheus and the cluster, judge, stop at the first breach."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from checker.alerts import AlertSpec
from checker.clients.prometheus import Prometheus, PrometheusError
from checker.config import RolloutConfig
from checker.rollout import gates
from checker.rollout.gates import Verdict
from checker.rollout.state import GateEvidence, now_iso


@dataclass(frozen=True, slots=True)
class Point:
    """One evaluation for the chart: seconds since the analysis began, canary 5xx/min and p99 seconds."""

    t: float
    errors_per_min: float | None
    p99_s: float | None


@dataclass
class Analysis:
    verdict: Verdict | None = None
    reason: str = ""
    evaluations: int = 0
    last: list[GateEvidence] = field(default_factory=list)
    failing: list[GateEvidence] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    started_at: str = field(default_factory=now_iso)
    ended_at: str = ""


def _one(prom: Prometheus, query: str) -> float | None:
    """The single value of an instant query; an empty vector is None; PrometheusError propagates."""
    samples = prom.query(query)
    return gates.finite(sum(s.value for s in samples)) if samples else None


def measure(prom: Prometheus, specs: tuple[AlertSpec, ...], cfg: RolloutConfig,
            readiness: tuple[int, int, float, str]) -> list[GateEvidence]:
    """Evidence for every gate at this instant: the stage deadline, the four alerts on the canary, the comparison."""
    at = now_iso()
    ready, desired, elapsed, problem = readiness
    out = [GateEvidence(gate="stage-deadline", query="canary pods Ready", value=float(ready),
                        threshold=float(desired), samples=None, at=at,
                        verdict=gates.readiness_verdict(ready, desired, elapsed, cfg.stage_deadline_s),
                        detail=f"{ready}/{desired} ready after {elapsed:.0f}s of {cfg.stage_deadline_s}s"
                        + (f"; {problem}" if problem else ""))]
    sel, win = cfg.canary_selector, cfg.window
    count_q = gates.requests_query(sel, win)
    try:
        samples = _one(prom, count_q) or 0.0
    except PrometheusError as exc:
        return out + [GateEvidence(gate=g.key, query=g.query, value=None, threshold=g.threshold, samples=None,
                                   verdict=Verdict.ERROR, at=at, detail=str(exc))
                      for g in gates.alert_gates(specs, sel, win)]
    for g in gates.alert_gates(specs, sel, win):
        try:
            value = _one(prom, g.query)
        except PrometheusError as exc:
            out.append(GateEvidence(gate=g.key, query=g.query, value=None, threshold=g.threshold, samples=samples,
                                    verdict=Verdict.ERROR, at=at, detail=str(exc)))
            continue
        if value is None and g.key != "high_latency" and samples > 0:
            value = 0.0  # no series of that status while requests flow: none happened
        verdict = gates.gate_verdict(value, g.comparator, g.threshold, samples, cfg.min_requests)
        out.append(GateEvidence(gate=g.key, query=g.query, value=value, threshold=g.threshold, samples=samples,
                                verdict=verdict, at=at, detail=f"{g.title}: {g.unit} {g.comparator} {g.threshold:g}"))
    if cfg.compare:
        out += _compare(prom, cfg, samples, at)
    return out


def _compare(prom: Prometheus, cfg: RolloutConfig, canary_n: float, at: str) -> list[GateEvidence]:
    sel_c, sel_s, win = cfg.canary_selector, cfg.stable_selector, cfg.window
    out = []
    try:
        stable_n = _one(prom, gates.requests_query(sel_s, win)) or 0.0
        pairs = (
            ("compare-error-ratio", gates.error_ratio_query, cfg.max_error_ratio_increase, 1.0, "5xx ratio"),
            ("compare-p99", gates.p99_query, cfg.max_p99_increase_ms / 1000, 1.0, "p99 seconds"),
        )
        for key, build, margin, _, what in pairs:
            c_val, s_val = _one(prom, build(sel_c, win)), _one(prom, build(sel_s, win))
            if key == "compare-error-ratio":
                c_val = 0.0 if c_val is None and canary_n else c_val
                s_val = 0.0 if s_val is None and stable_n else s_val
            verdict = gates.compare_verdict(c_val, s_val, margin, canary_n, stable_n, cfg.min_requests)
            threshold = None if s_val is None else s_val + margin
            out.append(GateEvidence(gate=key, query=build(sel_c, win), value=c_val, threshold=threshold,
                                    samples=canary_n, verdict=verdict, at=at,
                                    detail=f"canary {what} vs stable {s_val} + {margin:g} ({stable_n:.0f} stable "
                                    "requests)"))
    except PrometheusError as exc:
        out.append(GateEvidence(gate="compare", query="", value=None, threshold=None, samples=None,
                                verdict=Verdict.ERROR, at=at, detail=str(exc)))
    return out


def run_analysis(prom: Prometheus, specs: tuple[AlertSpec, ...], cfg: RolloutConfig, duration_s: float,
                 interval_s: float, readiness: Callable[[], tuple[int, int, float, str]],
                 on_eval: Callable[[Analysis, float], None] | None = None) -> Analysis:
    """Evaluate at 0, interval, 2*interval ... up to `duration_s`; return at the first FAIL (fail fast)."""
    result = Analysis()
    start = time.monotonic()
    k = 0
    while True:
        t = time.monotonic() - start
        evidence = measure(prom, specs, cfg, readiness())
        result.evaluations += 1
        result.last = evidence
        by = {e.gate: e for e in evidence}
        result.points.append(Point(round(t, 1), by["api_down"].value if "api_down" in by else None,
                                   by["high_latency"].value if "high_latency" in by else None))
        k += 1
        final = k * interval_s > duration_s + 1e-9
        verdict = gates.stage_verdict((Verdict(e.verdict) for e in evidence), final,
                                      cfg.insufficient_data == "fail")
        if on_eval:
            on_eval(result, max(0.0, duration_s - t))
        if verdict is not None:
            result.verdict = verdict
            result.failing = [e for e in evidence if e.verdict in (Verdict.FAIL, Verdict.ERROR)
                              or (verdict is Verdict.FAIL and e.verdict == Verdict.INSUFFICIENT)]
            result.reason = "; ".join(f"{e.gate}: {e.verdict} ({e.detail})" for e in result.failing)
            result.ended_at = now_iso()
            return result
        time.sleep(max(0.0, start + k * interval_s - time.monotonic()))
