"""The sequential judge as pure functions: table tests, its error guarantee simulated, and the stage policy."""

from __future__ import annotations

import math
import random

import pytest

from checker.rollout import judge
from checker.rollout.gates import Verdict, stable_selector
from checker.rollout.judge import HardLimit, JudgeSettings, PageNow, Tally

CFG = JudgeSettings()
BOUNDS = (0.5, 1.0, 2.0, 5.0, math.inf)


def tally(calls: float, bad: dict[str, float] | None = None, spread: tuple[float, ...] | None = None) -> Tally:
    """`calls` calls, `bad` of them by status (the rest 200), latency `spread` = fraction per bucket of BOUNDS."""
    bad = bad or {}
    spread = spread or (0.5, 0.4, 0.1, 0.0, 0.0)
    cum, buckets = 0.0, []
    for le, f in zip(BOUNDS, spread, strict=True):
        cum += f * calls
        buckets.append((le, cum))
    return Tally({"200": calls - sum(bad.values()), **bad}, tuple(buckets))


def verdicts(c: Tally, s: Tally, look: int = 1, cfg: JudgeSettings = CFG) -> dict[str, Verdict]:
    return {j.key: j.verdict for j in judge.compare(c, s, look, cfg)}


# ----------------------------------------------------------------------------------------- ratio tests
@pytest.mark.parametrize(("c_bad", "c_n", "s_bad", "s_n", "expected"), [
    (0, 0, 10, 1000, Verdict.INCONCLUSIVE),  # no canary calls: nothing to judge
    (5, 100, 0, 0, Verdict.INCONCLUSIVE),  # no stable calls: the comparison cannot run -> never pass (harm 7)
    (1, 20, 9, 180, Verdict.INCONCLUSIVE),  # 5% vs 5% on 20 calls: too little to rule out 2x
    (20, 2000, 180, 18000, Verdict.PASS),  # 1% vs 1% on 2000 calls: not 2x worse
    (0, 600, 0, 5400, Verdict.PASS),  # error-free on both: confidently under the negligible 1%
    (0, 100, 0, 900, Verdict.INCONCLUSIVE),  # error-free but 100 calls cannot bound the ratio under 1%
    (10, 200, 18, 1800, Verdict.FAIL),  # 5% vs 1% at 200 calls: a 5x regression after one minute
    (3, 100, 0, 900, Verdict.INCONCLUSIVE),  # 3 errors where the stable, with 9x the calls, has none: evidence 108
    (4, 100, 0, 900, Verdict.FAIL),  # ... 4: evidence above 1 / (0.5 alpha) = 200
    (2, 100, 9, 900, Verdict.INCONCLUSIVE),  # 2% vs 1% on 100 calls: suspicious, not proven
    (150, 1000, 90, 9000, Verdict.FAIL),  # 15% vs 1%
    (100, 10000, 800, 90000, Verdict.PASS),  # 1% vs 0.89%: a tiny difference is no failure
])
def test_5xx_ratio_table(c_bad: float, c_n: float, s_bad: float, s_n: float, expected: Verdict) -> None:
    got = judge.ratio_judgement(judge.RATIOS[0], tally(c_n, {"500": c_bad}), tally(s_n, {"503": s_bad}), CFG)
    assert got.verdict is expected, got.detail


def test_every_status_family_has_its_test() -> None:
    bad = {"429": 10, "422": 10}
    got = verdicts(tally(200, bad), tally(1800))
    assert got["compare-429"] is Verdict.FAIL and got["compare-4xx"] is Verdict.FAIL
    assert got["compare-5xx"] is Verdict.INCONCLUSIVE  # no 5xx anywhere, 200 calls: too few to bound it under 1%
    assert judge.ratio_judgement(judge.RATIOS[2], tally(200, {"402": 12}), tally(1800), CFG).verdict is Verdict.FAIL
    assert judge.ratio_judgement(judge.RATIOS[2], tally(200, {"404": 12}), tally(1800), CFG).verdict is not \
        Verdict.FAIL  # 404 is not a client-bug code of the contract


def test_the_fail_evidence_is_monotone_in_canary_errors() -> None:
    lrs = [judge.fail_evidence(x, 500, 45, 4500) for x in range(0, 30)]
    assert lrs == sorted(lrs)
    assert judge.fail_evidence(0, 500, 0, 4500) == 1.0


def test_needed_calls_shrink_with_the_stable_ratio() -> None:
    few = judge.calls_needed(0.05, 100, 900, CFG)
    many = judge.calls_needed(0.002, 100, 900, CFG)
    assert few < many
    assert judge.calls_needed(0.0, 100, 900, CFG) == math.ceil(math.log(1 / CFG.beta) / math.log(
        (1 - CFG.negligible_ratio / 5) / (1 - CFG.negligible_ratio)))


def test_false_failures_stay_under_alpha_when_looking_every_interval() -> None:
    """The property the design rests on: with the canary exactly as good as the stable, 40 looks at the
    accumulated counts fail fewer than alpha of the stages (here the whole 5xx share of alpha, 0.5%)."""
    rng = random.Random(7)
    fails, stages = 0, 400
    for _ in range(stages):
        x_c = x_s = n_c = n_s = 0.0
        for _look in range(40):
            n_c += 25
            n_s += 225
            x_c += sum(rng.random() < 0.02 for _ in range(25))
            x_s += sum(rng.random() < 0.02 for _ in range(225))
            if judge.fail_evidence(x_c, n_c, x_s, n_s) >= 1 / judge.alpha_of("compare-5xx", CFG):
                fails += 1
                break
    assert fails / stages <= judge.alpha_of("compare-5xx", CFG) + 0.005  # binomial slack of 400 stages


# ----------------------------------------------------------------------------------------- latency
def test_mann_whitney_on_buckets() -> None:
    same = tally(1000)
    auc, z = judge.mann_whitney(same.buckets, tally(9000).buckets) or (0.0, 0.0)
    assert auc == pytest.approx(0.5) and z == pytest.approx(0.0, abs=1e-9)
    slower = tally(1000, spread=(0.1, 0.4, 0.4, 0.1, 0.0))
    auc, z = judge.mann_whitney(slower.buckets, tally(9000).buckets) or (0.0, 0.0)
    assert auc > 0.7 and z > 10
    assert judge.mann_whitney((), tally(10).buckets) is None
    assert judge.mann_whitney(((1.0, 3.0), (math.inf, 3.0)), ((1.0, 5.0), (math.inf, 5.0))) == (0.5, 0.0)


def test_quantile_matches_histogram_quantile() -> None:
    # 98% <= 1 s, 2% in (1, 2]: rank 0.99 of 100 -> 1 + (99 - 98) / 2 * 1 = 1.5 s, as Prometheus interpolates
    assert judge.quantile(0.99, ((1.0, 98.0), (2.0, 100.0), (math.inf, 100.0))) == 1.5
    assert judge.quantile(0.5, ((1.0, 0.0), (math.inf, 10.0))) == 1.0  # in +Inf: the highest finite bound
    assert judge.quantile(0.99, ()) is None


@pytest.mark.parametrize(("canary", "n_c", "expected"), [
    ((0.5, 0.4, 0.1, 0.0, 0.0), 2000, Verdict.PASS),
    ((0.1, 0.3, 0.4, 0.2, 0.0), 2000, Verdict.FAIL),
    ((0.1, 0.3, 0.4, 0.2, 0.0), 10, Verdict.INCONCLUSIVE),  # below min_calls nothing fails or passes
    ((0.5, 0.4, 0.1, 0.0, 0.0), 30, Verdict.INCONCLUSIVE),  # too few calls to rule out a shift
])
def test_latency_table(canary: tuple[float, ...], n_c: float, expected: Verdict) -> None:
    got = judge.latency_judgement(tally(n_c, spread=canary), tally(9 * n_c), 1, CFG)
    assert got.verdict is expected, got.detail


def test_latency_without_histogram_is_inconclusive() -> None:
    got = judge.latency_judgement(Tally({"200": 500}), tally(4500), 1, CFG)
    assert got.verdict is Verdict.INCONCLUSIVE and "cannot compare" in got.detail
    slow = judge.ratio_judgement(judge.RATIOS[3], Tally({"200": 500}), tally(4500), CFG)
    assert slow.verdict is Verdict.INCONCLUSIVE


def test_spent_alpha_sums_to_alpha() -> None:
    assert sum(judge.spent_alpha(0.01, k) for k in range(1, 100000)) == pytest.approx(0.01, rel=1e-4)


# ----------------------------------------------------------------------------------------- page-now limits
def limit(canary: float | None, stable: float | None, *, threshold: float = 10, per_call: bool = True,
          for_s: float = 0.0) -> HardLimit:
    return HardLimit("api_down", canary, stable, threshold, ">", per_call, 100, 900, for_s)


@pytest.mark.parametrize(("h", "expected"), [
    (limit(11, 9), Verdict.FAIL),  # stable at the canary's volume: 1/min, healthy
    (limit(10, 0), Verdict.PASS),  # exactly at the limit holds
    (limit(11, 90), Verdict.HOLD),  # stable 10/min at the canary's volume: Ideogram is down for both
    (limit(11, 45), Verdict.HOLD),  # half way to the limit counts as degraded too
    (limit(11, 40), Verdict.FAIL),
    (limit(None, 90), Verdict.PASS),
    (limit(5.5, 5.2, threshold=5, per_call=False), Verdict.HOLD),  # p99: no volume scaling
    (limit(5.5, 1.0, threshold=5, per_call=False), Verdict.FAIL),
    (HardLimit("auth_failures", 1, 0, 0, ">", True, 100, 900), Verdict.FAIL),  # one 401 pages
    (HardLimit("auth_failures", 1, 3, 0, ">", True, 100, 900), Verdict.HOLD),  # the key is bad for both
])
def test_hard_limit_table(h: HardLimit, expected: Verdict) -> None:
    assert judge.hard_limit_verdict(h)[0] is expected


def test_page_now_waits_for_the_alerts_for() -> None:
    page = PageNow()
    assert page.judge([limit(11, 0, for_s=120)], 0)[0][1] is Verdict.INCONCLUSIVE
    assert page.judge([limit(11, 0, for_s=120)], 60)[0][1] is Verdict.INCONCLUSIVE
    assert page.judge([limit(11, 0, for_s=120)], 120)[0][1] is Verdict.FAIL
    assert page.judge([limit(9, 0, for_s=120)], 150)[0][1] is Verdict.PASS  # the breach ended: the clock resets
    assert page.judge([limit(11, 0, for_s=120)], 180)[0][1] is Verdict.INCONCLUSIVE


# ----------------------------------------------------------------------------------------- the stage
@pytest.mark.parametrize(("seen", "soaked", "deadline", "expected"), [
    ([Verdict.PASS, Verdict.FAIL], False, False, Verdict.FAIL),  # fail fast
    ([Verdict.PASS, Verdict.PASS], False, False, None),  # not soaked yet
    ([Verdict.PASS, Verdict.PASS], True, False, Verdict.PASS),
    ([Verdict.PASS, Verdict.INCONCLUSIVE], True, False, None),  # extended
    ([Verdict.PASS, Verdict.INCONCLUSIVE], True, True, Verdict.INCONCLUSIVE),  # never a pass
    ([Verdict.HOLD, Verdict.INCONCLUSIVE], True, True, Verdict.HOLD),
    ([Verdict.PASS, Verdict.ERROR], False, False, Verdict.ERROR),
    ([], True, True, Verdict.INCONCLUSIVE),
])
def test_stage_verdict_table(seen: list[Verdict], soaked: bool, deadline: bool, expected: Verdict | None) -> None:
    assert judge.stage_verdict(seen, soaked, deadline) is expected


def test_stable_selector_is_the_canary_negated() -> None:
    assert stable_selector('track="canary"', None) == 'track!="canary"'
    assert stable_selector('track="canary"', 'version="v1"') == 'version="v1"'
    with pytest.raises(ValueError, match="stable_selector"):
        stable_selector('track="canary", app="web"', None)
    with pytest.raises(ValueError, match="stable_selector"):
        stable_selector('track=~"canary"', None)  # its negation is not `!=`
    with pytest.raises(ValueError, match="canary_selector"):
        stable_selector('track="canary"} or vector(1) or x{a="b"', None)
    with pytest.raises(ValueError, match="stable_selector"):
        stable_selector('track="canary"', "version=v1")


# ----------------------------------------------------------------------------------------- the release, not only Ideogram
def test_inbound_errors_and_calls_per_request_are_compared_when_configured() -> None:
    calls_c, calls_s = tally(400), tally(3600)
    healthy_in = (tally(400), tally(3600))  # one Ideogram call per inbound request on both
    got = {j.key: j.verdict for j in judge.compare(calls_c, calls_s, 1, CFG, healthy_in)}
    assert got["compare-calls-per-request"] is Verdict.PASS and got["compare-inbound-5xx"] is Verdict.PASS
    # a client bug: the canary retries every request three times (three paid calls per inbound request)
    retrying = {j.key: j for j in judge.compare(tally(1200), calls_s, 1, CFG, healthy_in)}
    assert retrying["compare-calls-per-request"].verdict is Verdict.FAIL
    assert retrying["compare-calls-per-request"].canary == 3.0 and retrying["compare-calls-per-request"].stable == 1.0
    # the service's own 5xx while every Ideogram call succeeds
    broken_in = (tally(400, {"500": 20}), tally(3600))
    assert {j.key: j.verdict for j in judge.compare(calls_c, calls_s, 1, CFG, broken_in)}["compare-inbound-5xx"] \
        is Verdict.FAIL
    assert "compare-inbound-5xx" not in {j.key for j in judge.compare(calls_c, calls_s, 1, CFG)}


def test_calls_without_a_response_count_with_5xx() -> None:
    got = judge.ratio_judgement(judge.RATIOS[0], tally(200, {"error": 12}), tally(1800), CFG)
    assert got.verdict is Verdict.FAIL


def test_alpha_shares_sum_to_one() -> None:
    assert sum(judge.ALPHA_SHARE.values()) == pytest.approx(1.0)
