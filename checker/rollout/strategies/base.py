"""The one protocol every traffic strategy implements: put the cluster at a weight, see what serves, clean up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from checker.clients.kube import Kube
    from checker.rollout.driver import StageStatus
    from checker.rollout.state import RolloutState
    from checker.rollout.types import StrategyName


class Strategy(Protocol):
    name: StrategyName
    doc: str

    def apply(self, kube: Kube, state: RolloutState, weight: int, label: tuple[str, str],
              max_pods_factor: float) -> None:
        """Put the cluster at `weight`% (< 100); safe to repeat."""

    def observe(self, kube: Kube, state: RolloutState) -> StageStatus:
        """What actually serves: Ready pods on each side and the canary's real share."""

    def cleanup(self, kube: Kube, state: RolloutState) -> list[str]:
        """Traffic back to stable, then the canary objects removed; what was removed (empty: nothing to do)."""
