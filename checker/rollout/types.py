"""Names the config, the CLI and the rollout share; kept apart so config imports them without the Kubernetes client."""

from __future__ import annotations

from typing import Literal, get_args

StrategyName = Literal["replicas", "gateway", "rolling"]  # one per entry of the table in rollout/strategies
STRATEGY_NAMES: tuple[StrategyName, ...] = get_args(StrategyName)
OnInconclusive = Literal["hold", "fail"]  # rollout.inconclusive: what the analysis deadline without a verdict does
