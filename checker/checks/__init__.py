"""Checks implemented in Python (Engine.NATIVE): each module exposes `run(ctx) -> Outcome`."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import Config
from checker.tools import Hit


@dataclass(frozen=True, slots=True)
class NativeContext:
    """What a native check sees: the scan root, the files selected for this run, and the config."""

    root: Path
    files: tuple[str, ...]
    config: Config
    check_ids: tuple[str, ...]  # the ids of this runner that are enabled in this run


@dataclass(frozen=True, slots=True)
class Outcome:
    """Hits for any of the runner's ids; `skipped` gives a reason per id that could not be judged."""

    hits: Sequence[Hit] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def run_native(runner: str, ctx: NativeContext) -> Outcome:
    """Raises ToolError for a dependency that failed (an `error` result, never a pass)."""
    module = importlib.import_module(f"checker.checks.{runner}")
    outcome: Outcome = module.run(ctx)
    return outcome
