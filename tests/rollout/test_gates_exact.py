"""Exact gate numbers and the judge's verdicts: preloaded Prometheus blocks (promtool backfill) judged at fixed times."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from checker.clients.prometheus import Prometheus, Sample
from checker.config import RolloutConfig
from checker.contract import ALERT_KEYS, alert_specs
from checker.rollout.analysis import measure, run_analysis
from checker.rollout.gates import Verdict
from checker.rollout.judge import PageNow, stage_verdict
from checker.rollout.state import GateEvidence
from tests.fakes.cluster.cluster import Cluster
from tests.helpers.plugin import CliResult, run_cli
from tests.helpers.prometheus import PrometheusServer
from tests.rollout.test_cluster import IMG_NEW, IMG_OLD, record

# NOTE: every per-step increment below has a power-of-two denominator (the generator asserts it), so counters,
# rate(), the 5xx ratio and histogram_quantile's interpolation are exact doubles. Judged at a sample time, the 1m
# window of the page-now limits holds 5 samples exactly 60 s apart and rate() does not extrapolate (Prometheus 2.x
# ranges include their start), so a limit's value is the number written here, compared with ==. The judge's counts
# "since the stage began" use SINCE = the phase's first to last sample: 11 steps of the phase's traffic, exactly.
STEP = 15  # seconds between samples, a usual scrape interval
PHASE = 180  # seconds of one traffic pattern; it is judged at its last sample
SINCE = PHASE - STEP
BUCKETS = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 30.0, 60.0, 120.0)  # the histogram `init` writes
BASE = 187.5  # canary calls a minute = 3.125/s, so 1% of the calls is 1/32 per second and p99's rank is exact
CALLS = BASE * SINCE / 60  # canary calls the judge counts in a phase
LIMITS = ("api_down", "high_latency", "rate_limited", "auth_failures")
COMPARISONS = ("compare-5xx", "compare-429", "compare-4xx", "compare-slow", "compare-latency")
GATES = ("stage-deadline", *LIMITS, *COMPARISONS)
READY = (1, 1, 0.0, "")  # the canary's pods: 1 of 1 Ready, so stage-deadline passes and only metrics decide
CFG = RolloutConfig(window="1m")  # the page-now limits on one minute, so their values are this file's numbers

# Latency spreads: bucket upper bound -> percent of the calls in (previous bound, bound]; p99 = lo + (99 - below) /
# in-bucket percent * width. e.g. 98.9375% <= 1 s and 1% in (5, 6] -> 5 + 0.0625 / 1 = 5.0625 s.
HEALTHY = {1.0: 98, 2.0: 2}  # p99 1.5 s
P99_JUST_ABOVE_5S = {1.0: 98.9375, 6.0: 1, 8.0: 0.0625}  # 5.0625 s
P99_JUST_BELOW_5S = {1.0: 98.0625, 5.0: 1, 6.0: 0.9375}  # 4.9375 s
SLOWER = {1.0: 50, 2.0: 48, 3.0: 2}  # half the calls a bucket slower: Mann-Whitney sees the shift


@dataclass(frozen=True)
class Traffic:
    """One track's calls during a phase, as the app would export them in the metric contract."""

    per_min: Mapping[str, float]  # status -> calls a minute
    latency: Mapping[float, float] = field(default_factory=lambda: HEALTHY)
    histogram: bool = True  # False: the app exports no duration histogram
    once: tuple[str, ...] = ()  # one call each, 30 s before the judgement; the series was exported at 0 before
    born: tuple[str, ...] = ()  # the same, but the series first appears with that call (labels not pre-set)
    label: str | None = None  # the series' track label; None: the track's name ("" = no track label at all)

    def times(self, k: int) -> Traffic:
        return Traffic({s: v * k for s, v in self.per_min.items()}, self.latency, self.histogram, self.once,
                       self.born, self.label)


def canary(bad: Mapping[str, float] | None = None, latency: Mapping[float, float] = HEALTHY, *,
           total: float = BASE, **kw: object) -> Traffic:
    """`total` calls a minute: the `bad` ones (status -> per minute), the rest 200."""
    bad = dict(bad or {})
    return Traffic({"200": total - sum(bad.values()), **bad}, latency, **kw)  # type: ignore[arg-type]


def mirror(c: Traffic) -> Traffic:
    """A stable as sick as the canary: four times its calls, the same mix (ratios and quantiles bit-identical)."""
    return c.times(4)


GOOD_STABLE = canary(total=4 * BASE)


@dataclass(frozen=True)
class Phase:
    name: str
    canary: Traffic | None
    stable: Traffic | None
    expect: Mapping[str, Verdict]  # gates not named here pass
    values: Mapping[str, float | None]  # exact GateEvidence.value of page-now limits
    samples: float = BASE  # canary calls in the 1m window
    xfail: str = ""


def phase(name: str, c: Traffic | None, expect: Mapping[str, Verdict] | None = None,
          values: Mapping[str, float | None] | None = None, *, stable: Traffic | str | None = GOOD_STABLE,
          **kw: object) -> Phase:
    s = mirror(c) if stable == "mirror" and c is not None else stable
    assert not isinstance(s, str)
    return Phase(name, c, s, expect or {}, values or {}, **kw)  # type: ignore[arg-type]


F, INC, H = Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.HOLD
NO_COMPARISON = {g: INC for g in COMPARISONS}
PHASES: tuple[Phase, ...] = (
    phase("healthy", canary(), values={"api_down": 0.0, "high_latency": 1.5, "rate_limited": 0.0,
                                       "auth_failures": 0.0}),
    # the seed's four alerts as page-now limits: just above with a healthy stable fails (and the comparison sees
    # it too); just below with a stable as sick passes; above on both tracks holds (Ideogram, not the release)
    phase("5xx-10.08/min", canary({"500": 10.078125}), {"api_down": F, "compare-5xx": F}, {"api_down": 10.078125}),
    phase("5xx-9.96/min-both", canary({"500": 9.9609375}), values={"api_down": 9.9609375}, stable="mirror"),
    phase("5xx-10.08/min-both", canary({"500": 10.078125}), {"api_down": H}, {"api_down": 10.078125},
          stable="mirror"),
    phase("p99-5.0625s", canary(latency=P99_JUST_ABOVE_5S), {"high_latency": F, "compare-slow": INC,
                                                             "compare-latency": INC}, {"high_latency": 5.0625}),
    phase("p99-4.9375s-both", canary(latency=P99_JUST_BELOW_5S), {"compare-slow": INC}, {"high_latency": 4.9375},
          stable="mirror"),
    phase("429-5.04/min", canary({"429": 5.0390625}), {"rate_limited": F, "compare-429": F},
          {"rate_limited": 5.0390625}),
    phase("429-4.98/min-both", canary({"429": 4.98046875}), {"compare-429": INC}, {"rate_limited": 4.98046875},
          stable="mirror"),
    phase("one-401", canary(once=("401",)), {"auth_failures": F}, {"auth_failures": 1.0}, samples=BASE + 1),
    phase("one-403-both", canary(once=("403",)), {"auth_failures": H}, {"auth_failures": 1.0}, samples=BASE + 1,
          stable=canary(total=4 * BASE, once=("403",))),
    # regressions under every page-now limit that only the comparison sees
    phase("5xx-5x-under-the-limit", canary({"500": 9.375}), {"compare-5xx": F}, {"api_down": 9.375},
          stable=canary({"500": 7.5}, total=4 * BASE)),
    phase("422-2%", canary({"422": 3.75}), {"compare-4xx": F}),
    phase("latency-shift", canary(latency=SLOWER), {"compare-latency": F}, {"high_latency": 2.5}),
    # too little to judge: nothing passes, a page-now breach still would
    phase("few-requests", canary(total=15, latency={1.0: 100}), NO_COMPARISON,
          {"api_down": 0.0, "rate_limited": 0.0, "auth_failures": 0.0, "high_latency": 0.995}, samples=15),
    # series absent: a comparison that cannot run is inconclusive, never a pass (harm 7)
    phase("canary-absent", None, NO_COMPARISON, {g: None for g in LIMITS}, samples=0),
    phase("stable-absent", canary(), NO_COMPARISON, stable=None),
    # the replicas strategy never labels stable pods: track!="canary" still finds them (harm 7)
    phase("stable-unlabelled", canary(), stable=canary(total=4 * BASE, label="")),
    phase("no-histogram", canary(histogram=False), {"compare-slow": INC, "compare-latency": INC},
          {"high_latency": None}),
    phase("one-401-new-series", canary(born=("401",)), {"auth_failures": F}, {"auth_failures": 1.0},
          samples=BASE + 1,
          xfail="increase() cannot see a series born with its first 401 (no earlier 0 sample): the gate reads 0"),
)


def _exact(value: Fraction) -> str:
    assert value.denominator & (value.denominator - 1) == 0, f"{value} is not exact in binary"
    return repr(float(value))


def openmetrics(phases: Sequence[tuple[Traffic | None, Traffic | None]], t0: int, phase_s: int = PHASE) -> str:
    """The contract's series for canary and stable, a sample every STEP s from t0, each phase `phase_s` long."""
    totals: dict[tuple[object, ...], Fraction] = {}

    def add(key: tuple[object, ...], inc: Fraction) -> str:
        totals[key] = totals.get(key, Fraction(0)) + inc
        return _exact(totals[key])

    requests: list[str] = []
    durations: list[str] = []
    for i in range(len(phases) * phase_s // STEP):
        t = t0 + i * STEP
        p = i * STEP // phase_s
        one_call_at = t0 + (p + 1) * phase_s - STEP - 30
        for name, traffic in zip(("canary", "stable"), phases[p], strict=True):
            if traffic is None:
                continue
            track = name if traffic.label is None else traffic.label
            tl = f'track="{track}"' if track else ""
            sep = "," if tl else ""
            for status, per_min in sorted(traffic.per_min.items()):
                v = add((name, status), Fraction(per_min) * STEP / 60)
                requests.append(f'ideogram_requests_total{{status="{status}"{sep}{tl}}} {v} {t}')
            for status in traffic.once + traffic.born:
                v = add((name, status), Fraction(int(t == one_call_at)))
                if status in traffic.once or t >= one_call_at:
                    requests.append(f'ideogram_requests_total{{status="{status}"{sep}{tl}}} {v} {t}')
            if not traffic.histogram:
                continue
            calls = sum((Fraction(n) for n in traffic.per_min.values()), Fraction(0)) * STEP / 60
            below = Fraction(0)
            for le in BUCKETS:
                below += Fraction(traffic.latency.get(le, 0))
                v = add((name, le), calls * below / 100)
                durations.append(f'ideogram_request_duration_seconds_bucket{{le="{le!r}"{sep}{tl}}} {v} {t}')
            assert below == 100, traffic.latency
            v = add((name, "+Inf"), calls)
            durations.append(f'ideogram_request_duration_seconds_bucket{{le="+Inf"{sep}{tl}}} {v} {t}')
            durations.append(f'ideogram_request_duration_seconds_count{"{" + tl + "}" if tl else ""} {v} {t}')
            seconds = sum((Fraction(pct) * Fraction(le) for le, pct in traffic.latency.items()), Fraction(0)) / 100
            v = add((name, "sum"), calls * seconds)
            durations.append(f'ideogram_request_duration_seconds_sum{"{" + tl + "}" if tl else ""} {v} {t}')
    return "\n".join([
        "# HELP ideogram_requests Ideogram API requests by HTTP status code.",
        "# TYPE ideogram_requests counter", *requests,
        "# HELP ideogram_request_duration_seconds Duration of Ideogram API requests, in seconds.",
        "# TYPE ideogram_request_duration_seconds histogram", *durations,
        "# EOF", ""])


def judged_at(t0: int, k: int) -> int:
    """The last sample of phase k."""
    return t0 + (k + 1) * PHASE - STEP


class At(Prometheus):
    """The real HTTP client with "now" fixed at a sample time (`time=` of the query API); analysis asks for now."""

    def __init__(self, base_url: str, at: float) -> None:
        super().__init__(base_url, timeout_s=5)
        self.at = at

    def query(self, promql: str, at: float | None = None) -> list[Sample]:
        return super().query(promql, self.at if at is None else at)


@pytest.fixture(scope="module")
def preloaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """Prometheus on an hour of backfilled samples ending 5 minutes ago; yields (url, first sample time)."""
    end = int(time.time()) // STEP * STEP - 300
    t0 = end - len(PHASES) * PHASE
    work = tmp_path_factory.mktemp("prom-exact")
    (work / "backfill.om").write_text(openmetrics([(p.canary, p.stable) for p in PHASES], t0))
    prom = PrometheusServer(work, openmetrics=work / "backfill.om", retention="1d").start()
    yield prom.url, t0
    prom.stop()


def lasting() -> PageNow:
    """Page-now breaches that have lasted longer than any alert's `for`."""
    return PageNow(since={k: -1e9 for k in ALERT_KEYS})


def gates_at(preloaded: tuple[str, int], name: str, cfg: RolloutConfig = CFG,
             page: PageNow | None = None) -> dict[str, GateEvidence]:
    url, t0 = preloaded
    k = next(i for i, p in enumerate(PHASES) if p.name == name)
    with At(url, judged_at(t0, k)) as prom:
        return {e.gate: e for e in measure(prom, alert_specs(), cfg, SINCE, 1, page or lasting(), READY)}


def test_the_data_is_one_hour() -> None:
    assert len(PHASES) * PHASE == 3420


@pytest.mark.parametrize("ph", [pytest.param(p, id=p.name, marks=[pytest.mark.xfail(strict=True, reason=p.xfail)]
                                             if p.xfail else []) for p in PHASES])
def test_gate_verdicts_and_values_are_exact(preloaded: tuple[str, int], ph: Phase) -> None:
    by = gates_at(preloaded, ph.name)
    assert {g: Verdict(e.verdict) for g, e in by.items()} == {g: ph.expect.get(g, Verdict.PASS) for g in GATES}, \
        {g: e.detail for g, e in by.items() if e.verdict != ph.expect.get(g, Verdict.PASS)}
    assert {g: by[g].value for g in ph.values} == dict(ph.values)
    for g in LIMITS:
        assert by[g].samples == ph.samples
    if ph.canary is not None:
        once = len(ph.canary.once + ph.canary.born)
        assert by["compare-5xx"].samples == sum(ph.canary.per_min.values()) * SINCE / 60 + once
    expected_stage = Verdict.FAIL if Verdict.FAIL in ph.expect.values() else None
    assert stage_verdict((Verdict(e.verdict) for e in by.values()), soaked=False, deadline=False) is expected_stage


def test_a_fresh_breach_waits_for_the_alerts_for(preloaded: tuple[str, int]) -> None:
    by = gates_at(preloaded, "5xx-10.08/min", page=PageNow())
    assert by["api_down"].verdict == Verdict.INCONCLUSIVE and "for 0s of the alert's 120s" in by["api_down"].detail
    assert by["compare-5xx"].verdict == Verdict.FAIL  # the comparison does not wait: the stage still fails


def test_evidence_names_the_queries(preloaded: tuple[str, int]) -> None:
    by = gates_at(preloaded, "5xx-10.08/min")
    assert by["api_down"].query == 'sum(rate(ideogram_requests_total{status=~"5..", track="canary"}[1m])) * 60'
    assert by["high_latency"].query == ('histogram_quantile(0.99, sum by (le) (rate(ideogram_request_duration_'
                                        'seconds_bucket{track="canary"}[1m])))')
    assert by["auth_failures"].query == 'sum(increase(ideogram_requests_total{status=~"401|403", track="canary"}[1m]))'
    assert by["compare-5xx"].query == 'sum by (status) (increase(ideogram_requests_total{track="canary"}[165s]))'
    assert (by["api_down"].value, by["api_down"].threshold, by["api_down"].samples) == (10.078125, 10, BASE)
    assert by["compare-5xx"].value == 10.078125 / BASE and by["compare-5xx"].stable == 0.0
    assert by["compare-5xx"].evidence is not None and by["compare-5xx"].evidence >= 200
    # a wider window over the same steady phase gives the same rate: the numbers are the phase's, not the window's
    wide = gates_at(preloaded, "5xx-10.08/min", RolloutConfig(window="2m"))
    assert wide["api_down"].value == 10.078125 and wide["api_down"].samples == 2 * BASE


def test_analysis_fails_fast_at_the_first_breach(preloaded: tuple[str, int]) -> None:
    url, t0 = preloaded
    k = next(i for i, p in enumerate(PHASES) if p.name == "429-5.04/min")
    at = judged_at(t0, k)
    with At(url, at) as prom:
        result = run_analysis(prom, alert_specs(), CFG, 600, 1800, 30, at - SINCE, lambda: READY, clock=lambda: at)
    assert result.verdict is Verdict.FAIL and result.evaluations == 1
    assert [e.gate for e in result.failing] == ["compare-429"]  # the page-now limit waits for its 5m `for`
    assert result.points[0].errors_per_min == 0.0


@pytest.mark.parametrize(("name", "expected"), [("few-requests", Verdict.INCONCLUSIVE),
                                                ("5xx-10.08/min-both", Verdict.INCONCLUSIVE),
                                                ("healthy", Verdict.PASS)])
def test_the_stage_at_its_deadline(preloaded: tuple[str, int], name: str, expected: Verdict) -> None:
    url, t0 = preloaded
    k = next(i for i, p in enumerate(PHASES) if p.name == name)
    at = judged_at(t0, k)
    with At(url, at) as prom:
        result = run_analysis(prom, alert_specs(), CFG, 0, 0, 1, at - SINCE, lambda: READY, clock=lambda: at)
    assert result.verdict is expected and result.evaluations == 1
    if expected is Verdict.PASS:
        assert result.failing == [] and result.reason == ""
    else:
        assert "inconclusive" in result.reason


def test_prometheus_errors_are_tolerated_up_to_the_limits(preloaded: tuple[str, int]) -> None:
    """Two failed looks then a healthy one pass; five in a row (consecutive_error_limit 4) end as error."""
    url, t0 = preloaded
    k = next(i for i, p in enumerate(PHASES) if p.name == "healthy")
    at = judged_at(t0, k)

    class Flaky(At):
        def __init__(self, base_url: str, fails: int) -> None:
            super().__init__(base_url, at)
            self.fails = fails

        def query(self, promql: str, at: float | None = None) -> list[Sample]:
            if self.fails > 0:
                self.fails -= 1
                return super().query("sum(", at)  # a real Prometheus error: bad_data
            return super().query(promql, at)

    with Flaky(url, 2) as prom:
        ok = run_analysis(prom, alert_specs(), CFG, 0, 10, 0.01, at - SINCE, lambda: READY, clock=lambda: at)
    assert ok.verdict is Verdict.PASS and ok.errors == 2
    with Flaky(url, 5) as prom:
        bad = run_analysis(prom, alert_specs(), CFG, 0, 10, 0.01, at - SINCE, lambda: READY, clock=lambda: at)
    assert bad.verdict is Verdict.ERROR and bad.errors == 5 and "bad_data" in bad.reason


# ------------------------------------------------------------------------------------- the CLI end to end
def ro(c: Cluster, cwd: Path, *args: str) -> CliResult:
    return run_cli("rollout", *args, "--kubeconfig", str(c.kubeconfig), "-d", "web", cwd=cwd, timeout=120)


def test_analyze_cli_exits_1_with_the_breached_gates_evidence(cluster: Cluster, tmp_path: Path) -> None:
    cluster.deployment("web", IMG_OLD, replicas=5, container="app")
    cluster.service("web", selector={"app": "web"})
    prom = PrometheusServer(tmp_path / "prom", openmetrics=tmp_path / "now.om", retention="1d")
    (tmp_path / ".ideogram-prod.yaml").write_text(yaml.safe_dump({"prometheus": {"url": prom.url, "timeout_s": 5}}))
    assert ro(cluster, tmp_path, "start", "--image", IMG_NEW).returncode == 0
    # `analyze` always asks Prometheus for "now" (it has no evaluation-time flag), so this data runs from 10 minutes
    # ago to 2 minutes ahead: "now" is inside it, and the steady slope keeps rate() at the written value (to a few
    # ulps: "now" is not a sample time, so rate() extrapolates by a factor that is not exact in binary).
    bad = canary({"500": 10.078125})
    now = int(time.time()) // STEP * STEP
    (tmp_path / "now.om").write_text(openmetrics([(bad, GOOD_STABLE)], now - 600, phase_s=720))
    prom.start()
    try:
        t0 = time.monotonic()
        a = ro(cluster, tmp_path, "analyze", "--duration", "10m", "--interval", "30s", "--json",
               str(tmp_path / "a.json"))
        took = time.monotonic() - t0
    finally:
        prom.stop()
    assert a.returncode == 1, a.stdout + a.stderr
    assert "compare-5xx: fail" in a.stdout and "Traceback" not in a.stderr
    assert took < 20  # the first evaluation fails; it does not wait out 10m
    report = json.loads((tmp_path / "a.json").read_text())
    assert report["verdict"] == "fail" and report["evaluations"] == 1
    (gate,) = report["gates"]
    assert gate["gate"] == "compare-5xx" and gate["verdict"] == "fail" and gate["stable"] == 0.0
    assert gate["query"].startswith('sum by (status) (increase(ideogram_requests_total{track="canary"}[')
    assert gate["value"] == pytest.approx(10.078125 / BASE, rel=1e-9)
    assert gate["samples"] >= BASE  # at least the last minute's calls
    state = record(cluster)
    assert state is not None and state.history[-1].action == "analyze"
    assert [(g.gate, g.verdict) for g in state.history[-1].gates] == [("compare-5xx", "fail")]
