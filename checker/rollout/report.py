"""Rollout reports as pure data -> text: JSON for machines, Markdown (with Mermaid charts) for the reviewer."""

from __future__ import annotations

import json
from typing import Any

SCHEMA_VERSION = 1


def render_json(data: dict[str, Any]) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION, **data}, indent=2, sort_keys=True) + "\n"


def _fmt(value: Any) -> str:
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


def render_markdown(data: dict[str, Any]) -> str:
    share = data.get("share")
    lines = [f"## ideogram-prod rollout: {data.get('deployment')} — {data.get('command')}", ""]
    lines += [
        "| | |", "|---|---|",
        f"| Verdict | **{_fmt(data.get('verdict'))}** |",
        f"| Stage | {_fmt(data.get('weight'))}% asked, "
        f"{'–' if share is None else f'{share * 100:.1f}%'} real share ({_fmt(data.get('strategy'))}) |",
        f"| Images | `{_fmt(data.get('from_image'))}` → `{_fmt(data.get('to_image'))}` |",
        f"| Rollout | {_fmt(data.get('rollout_id'))} in {_fmt(data.get('namespace'))} |",
        "",
    ]
    if data.get("reason"):
        lines += [f"> {data['reason']}", ""]
    gates = data.get("gates") or []
    if gates:
        lines += ["| Gate | Verdict | Value | Threshold | Requests | At | Query |", "|---|---|---|---|---|---|---|"]
        for g in gates:
            lines.append(f"| {g['gate']} | {g['verdict']} | {_fmt(g['value'])} | {_fmt(g['threshold'])} | "
                         f"{_fmt(g['samples'])} | {g['at']} | `{_fmt(g['query'])}` |")
        lines.append("")
    points = data.get("points") or []
    if points:
        xs = [p["t"] for p in points]
        lines += _chart("Canary 5xx per minute", xs, [p["errors_per_min"] for p in points], "5xx/min")
        lines += _chart("Canary p99 latency (ms)", xs,
                        [None if p["p99_s"] is None else p["p99_s"] * 1000 for p in points], "ms")
    for action in data.get("actions") or []:
        lines.append(f"- {action}")
    return "\n".join(lines).rstrip() + "\n"
