"""The rollout record: one ConfigMap per Deployment, changed only by compare-and-swap on resourceVersion.

It lives outside the Deployment because `kubectl rollout undo` rewrites the Deployment's annotations.
"""

from __future__ import annotations

import datetime
import enum
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

STATE_KEY = "state.json"
MANAGED_BY = {"app.kubernetes.io/managed-by": "ideogram-prod"}


class Phase(enum.StrEnum):
    CANARY = "canary"  # a stage is live at `weight`
    PROMOTED = "promoted"  # 100%: stable runs the new image, verified
    ROLLING_BACK = "rolling-back"
    ROLLED_BACK = "rolled-back"


TERMINAL = frozenset({Phase.PROMOTED, Phase.ROLLED_BACK})


def state_name(deployment: str) -> str:
    return f"ideogram-prod-rollout-{deployment}"


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
