"""`gateway`: canary Deployment + Service, exact weights on a Gateway API HTTPRoute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.rollout import driver, plan
from checker.rollout.types import StrategyName

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.rollout.driver import StageStatus
    from checker.rollout.state import RolloutState


class Gateway:
    name: StrategyName = "gateway"
    doc = "a canary Deployment and Service; the HTTPRoute's backendRef weights set the exact share"

    def apply(self, kube: Kube, state: RolloutState, weight: int, label: tuple[str, str],
              max_pods_factor: float) -> None:
        split = plan.gateway_replicas(driver.sizing(kube, state)[0], weight)
        driver.ensure_canary(kube, state, split.canary, label)
        driver.ensure_canary_service(kube, state, label)
        driver.set_route(kube, state, *plan.route_weights(weight))

    def observe(self, kube: Kube, state: RolloutState) -> StageStatus:
        return driver.pods_status(kube, state, gateway=True)

    def cleanup(self, kube: Kube, state: RolloutState) -> list[str]:
        done: list[str] = []
        if state.route:
            try:
                driver.set_route(kube, state, 100, 0)
            except driver.StageFailed:
                pass
            else:
                # The route change reaches the data plane later: delete nothing that may still get traffic.
                done.append(driver.wait_route_drained(kube, state, state.drain_delay_s, 60.0))
        if kube.delete("services", state.canary_service):
            done.append(f"service/{state.canary_service}")
        return done + driver.delete_canary_deployment(kube, state)
