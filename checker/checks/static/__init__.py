"""Static checks (Engine.NATIVE): one module per CheckSpec.runner, each exposing `run(ctx) -> Outcome`."""

from __future__ import annotations

import importlib
from typing import cast

from checker.checks.base import NativeContext, Outcome, StaticCheck


def run_native(runner: str, ctx: NativeContext) -> Outcome:
    """Raises ToolError for a dependency that failed (an `error` result, never a pass)."""
    module = cast(StaticCheck, importlib.import_module(f"checker.checks.static.{runner}"))
    return module.run(ctx)
