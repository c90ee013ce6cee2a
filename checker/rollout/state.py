"""The rollout record: one ConfigMap per Deployment, changed only by compare-and-swap on resourceVersion.

It lives outside the Deployment because `kubectl rollout undo` rewrites the Deployment's annotations.
"""

from __future__ import annotations

import datetime
import enum
import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from checker.clients.kube import Kube

from checker.clients.kube import ROLLOUT_RECORD, ROLLOUT_RECORD_KEY

STATE_KEY = ROLLOUT_RECORD_KEY
MANAGED_BY = {"app.kubernetes.io/managed-by": "ideogram-prod"}


class Phase(enum.StrEnum):
    CANARY = "canary"  # a stage is live at `weight`
    PROMOTING = "promoting"  # 100% asked: stable is being moved to the new image
    PROMOTED = "promoted"  # 100%: stable runs the new image, verified
    ROLLING_BACK = "rolling-back"
    ROLLED_BACK = "rolled-back"


TERMINAL = frozenset({Phase.PROMOTED, Phase.ROLLED_BACK})


def state_name(deployment: str) -> str:
    return ROLLOUT_RECORD.format(deployment=deployment)


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GateEvidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gate: str
    query: str
    value: float | None
    threshold: float | None
    samples: float | None
    verdict: str
    at: str
    detail: str = ""
    stable: float | None = None  # the stable's value, for comparisons and page-now limits
    evidence: float | None = None  # the judge's likelihood ratio (ratios) or z (latency)
    needed: float | None = None  # canary calls a healthy canary needs before this comparison can pass


class StageRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    weight: int
    share: float | None = None
    at: str = Field(default_factory=now_iso)
    by: str = ""
    note: str = ""
    gates: list[GateEvidence] = Field(default_factory=list)


class RolloutState(BaseModel):
    """Everything needed to roll back from any point, even if the runner that started it died."""

    model_config = ConfigDict(extra="forbid")
    rollout_id: str
    deployment: str
    namespace: str
    strategy: str
    container: str
    from_image: str
    to_image: str
    from_revision: int
    from_template: dict[str, Any]
    stable_replicas: int
    canary_name: str = ""
    canary_replicas: int = 0
    stage_stable_replicas: int = 0
    route: str = ""
    drain_delay_s: float = 10.0  # gateway: wait this after the canary weight went to 0 when no route status shows it
    config_versions: dict[str, str] = Field(default_factory=dict)  # referenced ConfigMaps/Secrets at start
    from_strategy: dict[str, Any] | None = None  # the Deployment's spec.strategy at start (rolling changes it)
    stable_service: str = ""
    canary_service: str = ""
    stage_started_at: str = Field(default_factory=now_iso)
    phase: Phase = Phase.CANARY
    weight: int = 0
    share: float | None = None
    started_by: str = ""
    started_at: str = Field(default_factory=now_iso)
    updated_at: str = Field(default_factory=now_iso)
    history: list[StageRecord] = Field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.phase not in TERMINAL

    def to_data(self) -> dict[str, str]:
        return {STATE_KEY: json.dumps(self.model_dump(mode="json"), sort_keys=True)}

    @classmethod
    def from_data(cls, data: dict[str, str] | None) -> RolloutState | None:
        raw = (data or {}).get(STATE_KEY)
        return None if raw is None else cls.model_validate_json(raw)


def epoch(iso: str) -> float:
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


class StateConflict(Exception):
    """Someone else owns or changed the record in a way we must not paper over."""


def read_state(kube: Kube, deployment: str) -> tuple[RolloutState | None, dict[str, Any] | None]:
    """(the record, the ConfigMap it lives in); an unreadable record is reported, never silently replaced."""
    cm = kube.get("configmaps", state_name(deployment))
    if cm is None:
        return None, None
    try:
        return RolloutState.from_data(cm.get("data")), cm
    except ValidationError:
        raise StateConflict(f"configmap/{state_name(deployment)} holds an unreadable rollout record; "
                            "inspect it, delete it and retry") from None


def create_state(kube: Kube, state: RolloutState) -> dict[str, Any]:
    """Create the record; 409 (someone else was first) raises KubeError for the caller to re-read."""
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": state_name(state.deployment), "labels": dict(MANAGED_BY)},
            "data": state.to_data()}
    return kube.create("configmaps", body)


def replace_state(kube: Kube, cm: dict[str, Any], state: RolloutState) -> dict[str, Any]:
    """CAS: the PUT carries the resourceVersion we read; a 409 means another writer was first."""
    state.updated_at = now_iso()
    body = dict(cm)
    body["data"] = state.to_data()
    return kube.replace("configmaps", body)
