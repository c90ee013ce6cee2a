"""`replicas`: a `<name>-canary` Deployment beside the stable; the share is the ratio of Ready pods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rollout import driver, plan
from checker.rollout.types import StrategyName

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.rollout.driver import StageStatus
    from checker.rollout.state import RolloutState


class Replicas:
    name: StrategyName = "replicas"
    doc = "a canary Deployment next to the stable; the share is canary / all Ready pods (no mesh needed)"

    def apply(self, kube: Kube, state: RolloutState, weight: int, label: tuple[str, str],
              max_pods_factor: float) -> None:
        count, autoscaled = driver.sizing(kube, state)
        if autoscaled:
            # The HPA owns the stable's count: size the canary from the live count, leave the stable alone.
            driver.ensure_canary(kube, state, plan.canary_beside(count, weight), label)
            return
        split = plan.stage_replicas(count, weight, max_pods_factor)
        stable = kube.get("deployments", state.deployment) or {}
        if (stable.get("spec") or {}).get("replicas") != split.stable:
            driver.scale(kube, state.deployment, split.stable)
        driver.ensure_canary(kube, state, split.canary, label)

    def observe(self, kube: Kube, state: RolloutState) -> StageStatus:
        return driver.pods_status(kube, state, gateway=False)

    def cleanup(self, kube: Kube, state: RolloutState) -> list[str]:
        return driver.delete_canary_deployment(kube, state)
