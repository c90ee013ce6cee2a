"""Rollout reports as pure data -> text: JSON for machines, Markdown (with Mermaid charts) for the reviewer."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from checker.rollout.state import GateEvidence, StageRecord

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Point:
    """One evaluation for the chart: seconds since the analysis began, canary 5xx/min and p99 seconds."""

    t: float
    errors_per_min: float | None
    p99_s: float | None


@dataclass(slots=True)
class RolloutReport:
    """What one rollout command did: the JSON report (every field, null where it does not apply) and the summary."""

    command: str
    verdict: str
    reason: str = ""
    rollout_id: str | None = None
    strategy: str | None = None
    phase: str | None = None
    weight: int | None = None
    share: float | None = None
    from_image: str | None = None
    to_image: str | None = None
    from_revision: int | None = None
    image: str | None = None  # `status` without a rollout: what the Deployment runs
    gates: list[GateEvidence] = field(default_factory=list)
    history: list[StageRecord] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    started_at: str | None = None
    ended_at: str | None = None
    evaluations: int | None = None
    prometheus_errors: int | None = None
    config_drift: list[str] | None = None  # rollback: referenced objects changed since the rollout began
    # Filled in by the command layer:
    deployment: str = ""
    namespace: str = ""
    revision: int | None = None  # the stable Deployment's revision now: what `rollback --to-revision` can name
    actions: list[str] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["gates"] = [g.model_dump(mode="json") for g in self.gates]
        out["history"] = [r.model_dump(mode="json") for r in self.history]
        out["points"] = [dataclasses.asdict(p) for p in self.points]
        return out


def render_json(report: RolloutReport) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION, **report.data()}, indent=2, sort_keys=True) + "\n"


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def _chart(title: str, xs: list[float], ys: list[float | None], unit: str) -> list[str]:
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
    if not pairs:
        return [f"_{title}: no data._", ""]
    top = max(y for _, y in pairs) or 1.0
    return ["```mermaid", "xychart-beta", f'  title "{title}"',
            f"  x-axis \"seconds into the stage\" [{', '.join(f'{x:g}' for x, _ in pairs)}]",
            f'  y-axis "{unit}" 0 --> {top * 1.2:.4g}',
            f"  line [{', '.join(f'{y:.4g}' for _, y in pairs)}]", "```", ""]


def render_markdown(r: RolloutReport) -> str:
    lines = [f"## ideogram-prod rollout: {r.deployment} — {r.command}", ""]
    lines += [
        "| | |", "|---|---|",
        f"| Verdict | **{_fmt(r.verdict)}** |",
        f"| Stage | {_fmt(r.weight)}% asked, "
        f"{'–' if r.share is None else f'{r.share * 100:.1f}%'} real share ({_fmt(r.strategy)}) |",
        f"| Images | `{_fmt(r.from_image)}` → `{_fmt(r.to_image)}` |",
        f"| Rollout | {_fmt(r.rollout_id)} in {_fmt(r.namespace)} |",
        "",
    ]
    if r.reason:
        lines += [f"> {r.reason}", ""]
    if r.gates:
        lines += ["| Gate | Verdict | Value | Threshold | Requests | At | Query |", "|---|---|---|---|---|---|---|"]
        for g in r.gates:
            lines.append(f"| {g.gate} | {g.verdict} | {_fmt(g.value)} | {_fmt(g.threshold)} | "
                         f"{_fmt(g.samples)} | {g.at} | `{_fmt(g.query)}` |")
        lines.append("")
    if r.points:
        xs = [p.t for p in r.points]
        lines += _chart("Canary 5xx per minute", xs, [p.errors_per_min for p in r.points], "5xx/min")
        lines += _chart("Canary p99 latency (ms)", xs,
                        [None if p.p99_s is None else p.p99_s * 1000 for p in r.points], "ms")
    for action in r.actions:
        lines.append(f"- {action}")
    return "\n".join(lines).rstrip() + "\n"
