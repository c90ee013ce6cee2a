"""One stage's analysis: every interval, read the counts since the stage began and the page-now limits, judge.

The stage fails at the first fail; it passes once it soaked `duration` with every gate passing; an inconclusive
stage is extended up to `deadline` and then ends inconclusive (the caller applies rollout.inconclusive). Prometheus
errors are tolerated up to rollout.consecutive_error_limit in a row and rollout.error_limit in all, as Argo's
AnalysisRun does; past them the analysis ends as an error (never a pass).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import durationpy

from checker.clients.prometheus import Prometheus, PrometheusError
from checker.config import RolloutConfig
from checker.contract import AlertSpec
from checker.rollout import gates, judge
from checker.rollout.gates import Verdict
from checker.rollout.report import Point
from checker.rollout.state import GateEvidence, now_iso

MIN_SINCE_S = 60


@dataclass
class Analysis:
    verdict: Verdict | None = None
    reason: str = ""
    evaluations: int = 0
    errors: int = 0
    last: list[GateEvidence] = field(default_factory=list)
    failing: list[GateEvidence] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    started_at: str = field(default_factory=now_iso)
    ended_at: str = ""


def settings(cfg: RolloutConfig) -> judge.JudgeSettings:
    return judge.JudgeSettings(
        alpha=cfg.false_failure_rate, beta=cfg.missed_regression_rate, detect=cfg.detect_ratio,
        negligible_ratio=cfg.negligible_ratio, latency_effect=cfg.latency_effect,
        max_p99_increase_s=cfg.max_p99_increase_ms / 1000, slow_call_s=cfg.slow_call_ms / 1000,
        min_calls=cfg.min_requests)


def _one(prom: Prometheus, query: str) -> float | None:
    """The single value of an instant query; an empty vector is None; PrometheusError propagates."""
    samples = prom.query(query)
    return gates.finite(sum(s.value for s in samples)) if samples else None


def tally(prom: Prometheus, selector: str, window: str, metric: str | None = None) -> judge.Tally:
    """A track's calls by status and its latency buckets over `window` (since the stage began); `metric`: another
    counter with a `status` label (the service's inbound requests), without buckets."""
    by_status: dict[str, float] = {}
    query = gates.status_counts_query(selector, window, metric) if metric else gates.status_counts_query(selector,
                                                                                                          window)
    for s in prom.query(query):
        if math.isfinite(s.value):
            key = s.labels.get("status", "")
            by_status[key] = by_status.get(key, 0.0) + max(0.0, s.value)
    if metric:
        return judge.Tally(by_status)
    buckets = []
    for s in prom.query(gates.bucket_counts_query(selector, window)):
        try:
            le = float(s.labels.get("le", "nan"))
        except ValueError:
            continue
        if not math.isnan(le) and math.isfinite(s.value):
            buckets.append((le, max(0.0, s.value)))
    return judge.Tally(by_status, tuple(sorted(buckets)))


def _for_s(spec: AlertSpec) -> float:
    return durationpy.from_str(spec.for_).total_seconds() if spec.for_ else 0.0


def measure(prom: Prometheus, specs: tuple[AlertSpec, ...], cfg: RolloutConfig, since_s: float, look: int,
            page: judge.PageNow, readiness: tuple[int, int, float, str]) -> list[GateEvidence]:
    """Evidence for every gate at this look; PrometheusError propagates (the caller counts it)."""
    at = now_iso()
    ready, desired, elapsed, problem = readiness
    out = [GateEvidence(gate="stage-deadline", query="canary pods Ready", value=float(ready),
                        threshold=float(desired), samples=None, at=at,
                        verdict=gates.readiness_verdict(ready, desired, elapsed, cfg.stage_deadline_s),
                        detail=f"{ready}/{desired} ready after {elapsed:.0f}s of {cfg.stage_deadline_s}s"
                        + (f"; {problem}" if problem else ""))]
    sel_c = cfg.canary_selector
    sel_s = gates.stable_selector(cfg.canary_selector, cfg.stable_selector)
    # the page-now limits: the seed's alerts over their own window, on each track
    win = cfg.window
    calls_c, calls_s = _one(prom, gates.requests_query(sel_c, win)) or 0.0, _one(prom, gates.requests_query(
        sel_s, win)) or 0.0
    limits: list[judge.HardLimit] = []
    queries: dict[str, AlertSpec] = {}
    for g, spec in zip(gates.alert_gates(specs, sel_c, win), specs, strict=True):
        c_val, s_val = _one(prom, g.query), _one(prom, gates.scoped(spec.query, sel_s, win))
        if g.counts:  # no series of that status while calls flow: none happened
            c_val = 0.0 if c_val is None and calls_c else c_val
            s_val = 0.0 if s_val is None and calls_s else s_val
        limits.append(judge.HardLimit(g.key, c_val, s_val, g.threshold, g.comparator, g.counts,
                                      calls_c, calls_s, _for_s(spec)))
        queries[g.key] = g
    for h, verdict, why in page.judge(limits, elapsed):
        g = queries[h.key]
        out.append(GateEvidence(gate=h.key, query=g.query, value=h.canary, threshold=h.threshold, samples=calls_c,
                                verdict=verdict, at=at, stable=h.stable,
                                detail=f"{g.title}: {g.unit} {g.comparator} {g.threshold:g} (page now)"
                                + (f"; {why}" if why else "")))
    # the comparisons: counts since the stage began (at least the last minute: a fresh stage needs two scrapes)
    since = f"{max(MIN_SINCE_S, math.ceil(since_s))}s"
    canary, stable = tally(prom, sel_c, since), tally(prom, sel_s, since)
    inbound = None
    if cfg.inbound_metric:
        inbound = (tally(prom, sel_c, since, cfg.inbound_metric), tally(prom, sel_s, since, cfg.inbound_metric))
    since_queries = {"compare-latency": gates.bucket_counts_query(sel_c, since)}
    if cfg.inbound_metric:
        since_queries["compare-inbound-5xx"] = since_queries["compare-calls-per-request"] = gates.status_counts_query(
            sel_c, since, cfg.inbound_metric)
    for j in judge.compare(canary, stable, look, settings(cfg), inbound):
        out.append(GateEvidence(
            gate=j.key, query=since_queries.get(j.key, gates.status_counts_query(sel_c, since)), value=j.canary,
            threshold=None, samples=j.samples, verdict=j.verdict, at=at, detail=j.detail, stable=j.stable,
            evidence=j.evidence, needed=j.needed))
    return out


def run_analysis(prom: Prometheus, specs: tuple[AlertSpec, ...], cfg: RolloutConfig, duration_s: float,
                 deadline_s: float, interval_s: float, stage_started: float,
                 readiness: Callable[[], tuple[int, int, float, str]],
                 on_eval: Callable[[Analysis, float], None] | None = None,
                 clock: Callable[[], float] = time.time) -> Analysis:
    """Look at 0, interval, 2*interval ...: fail at once, pass after `duration_s`, inconclusive at `deadline_s`."""
    result = Analysis()
    start = time.monotonic()
    page = judge.PageNow()
    k, consecutive = 0, 0
    verdicts: list[Verdict] = []
    while True:
        t = time.monotonic() - start
        k += 1
        soaked, at_deadline = t + 1e-9 >= duration_s, t + interval_s > deadline_s + 1e-9
        try:
            since = clock() - stage_started
            # The look number counts intervals since the stage began, not this process's looks: alpha spent on
            # earlier analyses of the same stage (the watchdog's runs, a re-run job) is never spent again.
            look = max(k, int(since // interval_s) + 1) if interval_s > 0 else k
            evidence = measure(prom, specs, cfg, since, look, page, readiness())
        except PrometheusError as exc:
            result.errors += 1
            consecutive += 1
            if consecutive > cfg.consecutive_error_limit or result.errors > cfg.error_limit:
                return _end(result, Verdict.ERROR, [GateEvidence(
                    gate="prometheus", query="", value=float(result.errors), threshold=None, samples=None,
                    verdict=Verdict.ERROR, at=now_iso(), detail=f"{consecutive} error(s) in a row, {result.errors} in "
                    f"all (limits {cfg.consecutive_error_limit} / {cfg.error_limit}): {exc}")])
            if at_deadline:
                last = Verdict.HOLD if Verdict.HOLD in verdicts else Verdict.INCONCLUSIVE
                return _end(result, last, [e for e in result.last if e.verdict != Verdict.PASS])
        else:
            consecutive = 0
            result.evaluations += 1
            result.last = evidence
            by = {e.gate: e for e in evidence}
            result.points.append(Point(round(t, 1), by["api_down"].value if "api_down" in by else None,
                                       by["high_latency"].value if "high_latency" in by else None))
            verdicts = [Verdict(e.verdict) for e in evidence]
            ended = judge.stage_verdict(verdicts, soaked, at_deadline)
            if on_eval:
                on_eval(result, max(0.0, (duration_s if not soaked else deadline_s) - t))
            if ended is not None:
                return _end(result, ended, [e for e in evidence if e.verdict != Verdict.PASS])
        time.sleep(max(0.0, start + k * interval_s - time.monotonic()))


def _end(result: Analysis, verdict: Verdict, failing: list[GateEvidence]) -> Analysis:
    if verdict is Verdict.FAIL:
        failing = [e for e in failing if e.verdict == Verdict.FAIL]
    result.verdict = verdict
    result.failing = failing
    result.reason = "; ".join(f"{e.gate}: {e.verdict} ({e.detail})" for e in failing)
    result.ended_at = now_iso()
    return result
