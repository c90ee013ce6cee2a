"""The rollout's one state machine: every change of the record is a checked transition, written by compare-and-swap.

A transition names the rollout id and the phases it may start from; the check runs again on every re-read after
a 409, so a promote that lost the race to a rollback is refused instead of landing (issue 12, harm 9).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from checker.rollout.state import (
    Phase,
    RolloutState,
    StateConflict,
    create_state,
    read_state,
    replace_state,
    state_name,
)

if TYPE_CHECKING:
    from checker.clients.kube import Kube

# from -> the phases it may move to (None = no record yet, or a finished one a new rollout replaces).
TRANSITIONS: dict[Phase | None, frozenset[Phase]] = {
    None: frozenset({Phase.CANARY, Phase.ROLLED_BACK}),  # a new rollout; `undo`'s record of a manual undo
    Phase.CANARY: frozenset({Phase.CANARY, Phase.PROMOTING, Phase.ROLLING_BACK}),
    Phase.PROMOTING: frozenset({Phase.PROMOTING, Phase.PROMOTED, Phase.ROLLING_BACK}),
    Phase.PROMOTED: frozenset({Phase.ROLLING_BACK}),  # a person's rollback of this very rollout, after the fact
    Phase.ROLLING_BACK: frozenset({Phase.ROLLING_BACK, Phase.ROLLED_BACK}),
    Phase.ROLLED_BACK: frozenset({Phase.ROLLING_BACK}),  # a repeated rollback re-verifies
}


class Refused(StateConflict):
    """The record is not where the transition may start: another rollout, or a phase that forbids it."""

    def __init__(self, message: str, held: RolloutState | None) -> None:
        super().__init__(message)
        self.held = held


def allowed(src: Phase | None, dst: Phase) -> bool:
    return dst in TRANSITIONS[src]


def transition(kube: Kube, deployment: str, rollout_id: str, to: Phase | None,
               change: Callable[[RolloutState], None], from_phases: Collection[Phase] | None = None,
               attempts: int = 10) -> RolloutState:
    """Re-read, check (same id, a phase in `from_phases`, an allowed move), change, write by CAS; retry on 409.

    `from_phases` None means any phase the table allows into `to`; `to` None keeps the phase (a note, a share).
    """
    from checker.clients.kube import KubeError

    for _ in range(attempts):
        state, cm = read_state(kube, deployment)
        if state is None or cm is None:
            raise Refused(f"rollout {rollout_id}: no record configmap/{state_name(deployment)}", None)
        if state.rollout_id != rollout_id:
            raise Refused(f"rollout {rollout_id} was taken over by rollout {state.rollout_id}", state)
        if (from_phases is not None and state.phase not in from_phases) or (to is not None
                                                                            and not allowed(state.phase, to)):
            raise Refused(f"rollout {rollout_id} is {state.phase}: it cannot become {to}", state)
        if to is not None:
            state.phase = to
        change(state)
        try:
            replace_state(kube, cm, state)
            return state
        except KubeError as exc:
            if exc.status != 409:
                raise
        time.sleep(0.05)
    raise StateConflict(f"configmap/{state_name(deployment)} kept changing under us")


def begin(kube: Kube, new: RolloutState, may_replace: Callable[[RolloutState | None], bool],
          attempts: int = 10) -> RolloutState | None:
    """Write `new` as the whole record if `may_replace(current)` still holds at the write; a 409 re-reads.

    Returns None when `may_replace` said no (the record changed since the caller judged it: judge again).
    """
    from checker.clients.kube import KubeError

    if not allowed(None, new.phase):
        raise Refused(f"a new record cannot start in phase {new.phase}", None)
    for _ in range(attempts):
        state, cm = read_state(kube, new.deployment)
        if not may_replace(state):
            return None
        try:
            if cm is None:
                create_state(kube, new)
            else:
                replace_state(kube, cm, new)
            return new
        except KubeError as exc:
            if exc.status != 409:
                raise
        time.sleep(0.05)
    raise StateConflict(f"the rollout record of deployment/{new.deployment} kept changing; another run is active")


def record(kube: Kube, deployment: str, rollout_id: str, change: Callable[[RolloutState], None]) -> RolloutState:
    """A change that keeps the phase (history, share, notes): still checked against the id, still CAS."""
    return transition(kube, deployment, rollout_id, None, change)
