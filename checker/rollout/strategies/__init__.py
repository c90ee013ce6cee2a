"""The strategy table: one entry per traffic strategy; it feeds config validation, CLI choices and the driver."""

from __future__ import annotations

from checker.rollout.strategies.base import Strategy
from checker.rollout.strategies.gateway import Gateway
from checker.rollout.strategies.replicas import Replicas
from checker.rollout.strategies.rolling import Rolling

STRATEGIES: dict[str, Strategy] = {s.name: s for s in (Replicas(), Gateway(), Rolling())}
NAMES: tuple[str, ...] = tuple(STRATEGIES)  # the same names as rollout.types.StrategyName (a test holds them equal)


def strategy(name: str) -> Strategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r} (known: {', '.join(NAMES)})") from None
