"""Table tests: replica arithmetic for every stage and size, readiness verdicts, canary-scoped PromQL."""

from __future__ import annotations

import dataclasses

import pytest

from checker.contract import ALERTS
from checker.rollout.gates import Verdict, alert_gates, readiness_verdict, scoped
from checker.rollout.plan import canary_beside, gateway_replicas, route_weights, share_of, stage_replicas

# (stable replicas) -> (stable, canary) pods at 10% and 50%; the share is canary / (stable + canary).
EXPECTED = {
    1: ((1, 1), (1, 1)), 2: ((3, 1), (2, 2)), 3: ((5, 1), (3, 3)), 4: ((7, 1), (4, 4)), 5: ((9, 1), (5, 5)),
    6: ((9, 1), (6, 6)), 7: ((9, 1), (7, 7)), 8: ((9, 1), (8, 8)), 9: ((9, 1), (9, 9)), 10: ((10, 1), (10, 10)),
    11: ((17, 2), (11, 11)), 12: ((17, 2), (12, 12)), 13: ((17, 2), (13, 13)), 14: ((17, 2), (14, 14)),
    15: ((17, 2), (15, 15)), 16: ((17, 2), (16, 16)), 17: ((17, 2), (17, 17)), 18: ((18, 2), (18, 18)),
    19: ((19, 2), (19, 19)), 20: ((20, 2), (20, 20)),
}


@pytest.mark.parametrize("replicas", range(1, 21))
def test_stage_replicas_table(replicas: int) -> None:
    ten, fifty = EXPECTED[replicas]
    for weight, (stable, canary) in ((10, ten), (50, fifty)):
        split = stage_replicas(replicas, weight)
        assert (split.stable, split.canary) == (stable, canary)
        assert split.share == pytest.approx(canary / (stable + canary))
        assert split.stable >= replicas  # serving capacity never drops
        assert split.total <= max(replicas + 1, 2 * replicas)
    full = stage_replicas(replicas, 100)
    assert (full.stable, full.canary, full.share) == (replicas, 0, 1.0)


@pytest.mark.parametrize("replicas", range(1, 21))
def test_share_is_the_best_within_the_pod_budget(replicas: int) -> None:
    for weight in (10, 25, 50, 75, 90):
        split = stage_replicas(replicas, weight)
        budget = max(replicas + 1, 2 * replicas)
        best = min(abs(c / (s + c) - weight / 100) for s in range(replicas, budget) for c in range(1, budget - s + 1))
        assert abs(split.share - weight / 100) <= best + 0.01


def test_k8s_deploy_comparison() -> None:
    # The GitHub k8s-deploy action's "10%" with 10 replicas is 1/12 = 8.3%; ours is 1/11 and reported as such.
    split = stage_replicas(10, 10)
    assert round(split.share * 100, 1) == 9.1
    assert share_of(9, 1) == 0.1 and share_of(0, 0) == 0.0


def test_gateway_and_route() -> None:
    assert gateway_replicas(5, 10).canary == 1 and gateway_replicas(5, 10).share == 0.1
    assert gateway_replicas(5, 50).canary == 3
    assert route_weights(10) == (90, 10)
    with pytest.raises(ValueError):
        stage_replicas(0, 10)


def test_readiness_verdicts() -> None:
    assert readiness_verdict(1, 1, 999, 60) is Verdict.PASS
    assert readiness_verdict(0, 1, 30, 60) is Verdict.INCONCLUSIVE
    assert readiness_verdict(0, 1, 60, 60) is Verdict.FAIL


def test_gate_queries_are_the_alerts_on_canary_series() -> None:
    queries = [g.query for g in alert_gates(ALERTS, 'track="canary"', "1m")]
    assert queries == [
        'sum(rate(ideogram_requests_total{status=~"5..", track="canary"}[1m])) * 60',
        'histogram_quantile(0.99, sum by (le) (rate(ideogram_request_duration_seconds_bucket{track="canary"}[1m])))',
        'sum(rate(ideogram_requests_total{status="429", track="canary"}[1m])) * 60',
        'sum(increase(ideogram_requests_total{status=~"401|403", track="canary"}[1m]))',
    ]
    assert scoped("sum(rate(other_total[5m])) + sum(ideogram_requests_total)", 'pod=~"c.*"', "2m") == (
        'sum(rate(other_total[2m])) + sum(ideogram_requests_total{pod=~"c.*"})')


@pytest.mark.parametrize(("query", "expected"), [
    # the metric spelled as a __name__ matcher is still the contract's series: scoped, not read across both tracks
    ('sum(rate({__name__="ideogram_requests_total", status="429"}[5m]))',
     'sum(rate({__name__="ideogram_requests_total", status="429", track="canary"}[1m]))'),
    # a regex with escapes keeps them; a quote inside a value stays a quote inside the value
    (r'sum(rate(ideogram_requests_total{status=~"5\\d\\d", note="a\"b"}[5m]))',
     r'sum(rate(ideogram_requests_total{status=~"5\\d\\d", note="a\"b", track="canary"}[1m]))'),
    # the metric's name inside a string or a comment is not a selector; `}` in a value does not end the matchers
    ('label_replace(ideogram_requests_total{x="}"}, "a", "ideogram_requests_total", "b", "c") # ideogram_requests_total',
     'label_replace(ideogram_requests_total{x="}", track="canary"}, "a", "ideogram_requests_total", "b", "c") '
     '# ideogram_requests_total'),
    # offset and subquery ranges stay; the range selector's range is the window
    ("max_over_time(rate(ideogram_request_duration_seconds_count[5m] offset 1m)[10m:1m])",
     'max_over_time(rate(ideogram_request_duration_seconds_count{track="canary"}[1m] offset 1m)[10m:1m])'),
])
def test_scoping_follows_the_syntax_tree(query: str, expected: str) -> None:
    assert scoped(query, 'track="canary"', "1m") == expected


@pytest.mark.parametrize(("query", "selector", "window"), [
    ("sum(rate(ideogram_requests_total[5m]", 'track="canary"', "1m"),  # not PromQL
    ("sum(ideogram_requests_total)", 'track="canary"} or vector(1) or x{a="b"', "1m"),  # selector escaping its braces
    ("sum(ideogram_requests_total)", "track=canary", "1m"),
    ("sum(rate(ideogram_requests_total[5m]))", 'track="canary"', "1m] or vector(1) or x[1m"),
])
def test_scoping_refuses_what_it_cannot_scope(query: str, selector: str, window: str) -> None:
    with pytest.raises(ValueError):
        scoped(query, selector, window)


def test_an_override_the_rollout_cannot_scope_names_its_alert() -> None:
    bad = dataclasses.replace(ALERTS[0], query="sum(rate(ideogram_requests_total[5m]) * ")
    with pytest.raises(ValueError, match=r"alerts\.queries\.api_down"):
        alert_gates((bad,), 'track="canary"', "1m")


@pytest.mark.parametrize(("stable", "weight", "canary"), [(7, 10, 1), (7, 50, 7), (10, 10, 1), (1, 10, 1), (20, 25, 7),
                                                          (3, 50, 3), (30, 10, 3)])
def test_canary_beside_an_autoscaled_stable(stable: int, weight: int, canary: int) -> None:
    """Under an HPA the stable's count is not ours: the canary alone gives the share (harm 4)."""
    assert canary_beside(stable, weight) == canary


def test_the_strategy_table_and_the_config_literal_name_the_same_strategies() -> None:
    from checker.rollout.strategies import NAMES
    from checker.rollout.types import STRATEGY_NAMES

    assert NAMES == STRATEGY_NAMES
