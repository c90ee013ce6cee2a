"""Replica arithmetic for the stages: how many pods give the canary the share asked for, and what share it gets."""

from __future__ import annotations

import math
from dataclasses import dataclass

STAGES: tuple[int, ...] = (10, 50, 100)
SHARE_TOLERANCE = 0.01  # a share within one point of the best possible counts as best


@dataclass(frozen=True, slots=True)
class Split:
    """Pods per side for one stage and the canary's resulting share of the ready pods (0..1)."""

    stable: int
    canary: int
    share: float

    @property
    def total(self) -> int:
        return self.stable + self.canary


def share_of(stable_ready: int, canary_ready: int) -> float:
    """The canary's real share of the pods a Service would route to (ready pods only)."""
    total = stable_ready + canary_ready
    return canary_ready / total if total else 0.0


def stage_replicas(stable: int, weight: int, max_pods_factor: float = 2.0) -> Split:
    """`replicas` strategy: the split whose canary share of ready pods is nearest `weight`%.

    The stable keeps at least its current replicas (its serving capacity never drops) and may grow, as long as
    stable+canary stays within `max_pods_factor` x stable pods (at least one canary pod always fits).
    Among splits within one point of the best share, the one with the fewest pods wins.
    weight 0 = no canary; weight 100 = promotion (the stable runs the new image).
    """
    if stable < 1:
        raise ValueError("the stable Deployment has no replicas to share traffic with")
    if not 0 <= weight <= 100:
        raise ValueError("weight must be within 0..100")
    if weight == 0:
        return Split(stable, 0, 0.0)
    if weight == 100:
        return Split(stable, 0, 1.0)
    want = weight / 100
    max_total = max(stable + 1, math.floor(stable * max_pods_factor))
    candidates = [(abs(c / (s + c) - want), s, c)
                  for s in range(stable, max_total) for c in range(1, max_total - s + 1)]
    best = min(diff for diff, _, _ in candidates)
    # NOTE: within one point of the best share, fewer pods win: 10 stable + 1 canary (9.1%) beats 18 + 2 (10%).
    near = [((s + c, diff, c), s, c) for diff, s, c in candidates if diff <= best + SHARE_TOLERANCE]
    _, s, c = min(near)
    return Split(s, c, c / (s + c))


def gateway_replicas(stable: int, weight: int) -> Split:
    """`gateway` strategy: the route sets the share exactly; the canary gets pods for its part of the load."""
    if stable < 1:
        raise ValueError("the stable Deployment has no replicas to share traffic with")
    if weight in (0, 100):
        return Split(stable, 0, weight / 100)
    return Split(stable, max(1, math.ceil(stable * weight / 100)), weight / 100)


def route_weights(weight: int) -> tuple[int, int]:
    """HTTPRoute backendRef weights (stable, canary) for a canary weight in percent."""
    return 100 - weight, weight


def canary_beside(stable: int, weight: int) -> int:
    """Canary pods next to `stable` pods we may not resize (an HPA owns them): the count whose share is nearest
    `weight`, at least one."""
    if not 0 < weight < 100:
        raise ValueError("weight must be within 1..99")
    return max(1, min(range(1, stable * 10 + 2), key=lambda c: (abs(c / (stable + c) - weight / 100), c)))
