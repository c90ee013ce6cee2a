"""`rolling`: the seed's `set image` + pause on the one Deployment, stopped at the new ReplicaSet's share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rollout import driver
from checker.rollout.types import StrategyName

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.rollout.driver import StageStatus
    from checker.rollout.state import RolloutState


class Rolling:
    name: StrategyName = "rolling"
    doc = "the Deployment's own rolling update, paused once the new ReplicaSet holds the weight (no extra objects)"

    def apply(self, kube: Kube, state: RolloutState, weight: int, label: tuple[str, str],
              max_pods_factor: float) -> None:
        driver.apply_rolling(kube, state, weight)

    def observe(self, kube: Kube, state: RolloutState) -> StageStatus:
        return driver.rolling_status(kube, state)

    def cleanup(self, kube: Kube, state: RolloutState) -> list[str]:
        return driver.delete_canary_deployment(kube, state)  # only a leftover of another strategy can exist
