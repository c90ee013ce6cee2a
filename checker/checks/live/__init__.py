"""Live checks (Engine.LIVE), run by `preflight`: the context and result helpers every module here uses, and the
runner that runs the modules side by side against real endpoints (a crash is an `error` result, never a pass)."""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from checker.config import Config
from checker.errors import CheckerError
from checker.findings import CheckResult, Finding, Location, Severity, Status
from checker.redact import REDACTOR, fingerprint
from checker.registry import BY_ID

if TYPE_CHECKING:
    from checker.checks.base import LiveCheck

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveContext:
    config: Config
    spend: bool = False

    @property
    def ideogram_key(self) -> str | None:
        """Read from the environment only; registered with the redactor before anyone can print it."""
        value = os.environ.get(self.config.ideogram.api_key_env) or None
        REDACTOR.register(value)
        return value


def finding(check_id: str, message: str, where: str, severity: Severity | None = None) -> Finding:
    spec = BY_ID[check_id]
    return Finding(check_id, severity or spec.severity, REDACTOR(message), Location(where),
                   fingerprint(check_id, where, message), spec.checklist_item)


def passed(check_id: str, reason: str, *warnings: Finding) -> CheckResult:
    return CheckResult(check_id, Status.PASSED, REDACTOR(reason), tuple(warnings))


def failed(check_id: str, message: str, where: str) -> CheckResult:
    return CheckResult(check_id, Status.FAILED, REDACTOR(message), (finding(check_id, message, where),))


def errored(check_id: str, reason: str) -> CheckResult:
    return CheckResult(check_id, Status.ERROR, REDACTOR(reason))


def skipped(check_id: str, reason: str) -> CheckResult:
    return CheckResult(check_id, Status.SKIPPED, REDACTOR(reason))


def _run_module(runner: str, ctx: LiveContext, ids: tuple[str, ...]) -> list[CheckResult]:
    module = cast("LiveCheck", importlib.import_module(f"checker.checks.live.{runner}"))
    started = time.monotonic()
    try:
        results: list[CheckResult] = module.run(ctx, ids)
        log.debug("%s took %.2f s", runner, time.monotonic() - started)
    except CheckerError:
        raise  # bad input (a kubeconfig that cannot be used...) is exit 2, not a check result
    except Exception as exc:  # a crashing live check must fail closed, never pass or vanish
        log.debug("live check module %s crashed", runner, exc_info=True)
        return [errored(i, f"check crashed: {type(exc).__name__}: {exc}") for i in ids]
    return results


def run_live(ctx: LiveContext, ids: Sequence[str]) -> tuple[CheckResult, ...]:
    """Every selected id yields exactly one result; disabled ones are skipped with the reason."""
    by_runner: dict[str, list[str]] = {}
    out: list[CheckResult] = []
    for check_id in ids:
        if not ctx.config.check(check_id).enabled:
            out.append(skipped(check_id, "disabled in configuration"))
            continue
        by_runner.setdefault(BY_ID[check_id].runner, []).append(check_id)
    with ThreadPoolExecutor(max_workers=max(1, len(by_runner))) as pool:
        futures = [pool.submit(_run_module, runner, ctx, tuple(group)) for runner, group in by_runner.items()]
        for future in futures:
            out.extend(future.result())
    severity = {i: ctx.config.check(i).severity for i in ids}
    final = []
    for result in out:
        override = severity.get(result.check_id)
        if override is not None:
            result = CheckResult(result.check_id, result.status, result.reason, tuple(
                Finding(f.check_id, override, f.message, f.location, f.fingerprint, f.checklist_item)
                for f in result.findings))
        final.append(result)
    return tuple(sorted(final, key=lambda r: r.check_id))
