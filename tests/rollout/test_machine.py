"""The rollout state machine against an in-memory API that keeps resourceVersions: checked transitions, CAS races."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, cast

import pytest

from checker.clients.kube import Kube, KubeError
from checker.rollout import machine
from checker.rollout.state import Phase, RolloutState, read_state, state_name

Obj = dict[str, Any]


class MemoryKube:
    """get/create/replace of ConfigMaps with the API server's optimistic concurrency (409 on a stale PUT)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], Obj] = {}
        self.version = 0
        self.before_replace: Callable[[MemoryKube], None] | None = None  # a racing writer, run once

    def get(self, kind: str, name: str) -> Obj | None:
        obj = self.objects.get((kind, name))
        return copy.deepcopy(obj) if obj else None

    def create(self, kind: str, body: Obj) -> Obj:
        key = (kind, body["metadata"]["name"])
        if key in self.objects:
            raise KubeError(409, "AlreadyExists")
        self.version += 1
        obj = copy.deepcopy(body)
        obj["metadata"]["resourceVersion"] = str(self.version)
        self.objects[key] = obj
        return copy.deepcopy(obj)

    def replace(self, kind: str, body: Obj) -> Obj:
        if self.before_replace is not None:
            racer, self.before_replace = self.before_replace, None
            racer(self)
        key = (kind, body["metadata"]["name"])
        if self.objects[key]["metadata"]["resourceVersion"] != body["metadata"]["resourceVersion"]:
            raise KubeError(409, "Conflict")
        self.version += 1
        obj = copy.deepcopy(body)
        obj["metadata"]["resourceVersion"] = str(self.version)
        self.objects[key] = obj
        return copy.deepcopy(obj)


def new_state(rid: str = "gh-1", phase: Phase = Phase.CANARY) -> RolloutState:
    return RolloutState(rollout_id=rid, deployment="web", namespace="default", strategy="replicas", container="app",
                        from_image="a:1", to_image="a:2", from_revision=1, from_template={}, stable_replicas=5,
                        phase=phase, weight=10)


@pytest.fixture
def kube() -> MemoryKube:
    k = MemoryKube()
    assert machine.begin(cast(Kube, k), new_state(), lambda s: s is None) is not None
    return k


def phase_of(k: MemoryKube) -> Phase:
    state, _ = read_state(cast(Kube, k), "web")
    assert state is not None
    return state.phase


def move(k: MemoryKube, to: Phase, *src: Phase, rid: str = "gh-1") -> RolloutState:
    return machine.transition(cast(Kube, k), "web", rid, to, lambda s: None, from_phases=src or None)


def test_the_happy_path_is_a_chain_of_allowed_transitions(kube: MemoryKube) -> None:
    move(kube, Phase.CANARY, Phase.CANARY)  # 10% -> 50%
    move(kube, Phase.PROMOTING, Phase.CANARY, Phase.PROMOTING)
    move(kube, Phase.PROMOTED, Phase.PROMOTING)
    assert phase_of(kube) is Phase.PROMOTED


@pytest.mark.parametrize(("src", "dst"), [
    (Phase.ROLLING_BACK, Phase.PROMOTED), (Phase.ROLLING_BACK, Phase.PROMOTING), (Phase.ROLLED_BACK, Phase.CANARY),
    (Phase.PROMOTED, Phase.CANARY), (Phase.CANARY, Phase.PROMOTED), (Phase.ROLLED_BACK, Phase.PROMOTED),
])
def test_forbidden_transitions_are_refused(src: Phase, dst: Phase) -> None:
    k = MemoryKube()
    machine.begin(cast(Kube, k), new_state(phase=Phase.CANARY), lambda s: s is None)
    state, cm = read_state(cast(Kube, k), "web")
    assert state is not None and cm is not None
    state.phase = src
    k.objects[("configmaps", state_name("web"))]["data"] = state.to_data()
    assert not machine.allowed(src, dst)
    with pytest.raises(machine.Refused, match=f"is {src}: it cannot become {dst}"):
        move(k, dst)
    assert phase_of(k) is src  # nothing was written


def test_a_promote_cannot_land_after_a_rollback_that_won_the_race(kube: MemoryKube) -> None:
    """Harm 9: the promote read `promoting`, a rollback wrote `rolling-back` before the promote's PUT; the 409 re-read
    sees the new phase and the promote is refused instead of overwriting the rollback."""
    move(kube, Phase.PROMOTING, Phase.CANARY)

    def rollback_now(k: MemoryKube) -> None:
        move(k, Phase.ROLLING_BACK)

    kube.before_replace = rollback_now
    with pytest.raises(machine.Refused, match="rolling-back: it cannot become promoted"):
        move(kube, Phase.PROMOTED, Phase.PROMOTING)
    assert phase_of(kube) is Phase.ROLLING_BACK


def test_a_change_of_another_rollout_is_refused(kube: MemoryKube) -> None:
    with pytest.raises(machine.Refused, match="taken over by rollout gh-1"):
        move(kube, Phase.ROLLING_BACK, rid="gh-2")
    with pytest.raises(machine.Refused, match="taken over"):
        machine.record(cast(Kube, kube), "web", "gh-2", lambda s: None)


def test_a_409_from_a_harmless_writer_is_retried(kube: MemoryKube) -> None:
    kube.before_replace = lambda k: machine.record(cast(Kube, k), "web", "gh-1", lambda s: setattr(s, "share", 0.1))
    state = move(kube, Phase.CANARY, Phase.CANARY)
    assert state.share == 0.1 and phase_of(kube) is Phase.CANARY


def test_begin_writes_only_while_its_judgement_holds(kube: MemoryKube) -> None:
    # A second start judged "no record" and lost the race: it must not overwrite the first.
    assert machine.begin(cast(Kube, kube), new_state("gh-2"), lambda s: s is None) is None
    state, _ = read_state(cast(Kube, kube), "web")
    assert state is not None and state.rollout_id == "gh-1"
    with pytest.raises(machine.Refused, match="cannot start in phase promoted"):
        machine.begin(cast(Kube, kube), new_state("gh-3", Phase.PROMOTED), lambda s: True)
