"""The static scan: pick files, run the scanners side by side, and turn their hits into check results."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import DEFAULT_CODE_EXCLUDE, DEFAULT_EXCLUDE, Config
from checker.diff import ChangedLines, changed_lines
from checker.errors import ToolError
from checker.findings import (
    CheckResult,
    Finding,
    Location,
    Severity,
    Status,
    Suppression,
    SuppressionKind,
    sorted_results,
)
from checker.redact import fingerprint
from checker.registry import CheckSpec, Engine
from checker.suppress import Suppressions, load_baseline
from checker.targets import is_git_tree, list_files, matcher
from checker.tools import Hit

log = logging.getLogger(__name__)

CODE_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".php")


@dataclass(frozen=True, slots=True)
class ScanRequest:
    root: Path
    config: Config
    checks: tuple[CheckSpec, ...]
    diff_base: str | None = None
    jobs: int | None = None
    # The ref the config and baseline were read from (the PR's base); None: the working tree's.
    config_ref: str | None = None


@dataclass(frozen=True, slots=True)
class EngineRun:
    hits: tuple[Hit, ...] = ()
    error: str | None = None
    files: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    quiet: tuple[tuple[Hit, str], ...] = ()  # hits the engine itself judged noise, with the reason (listed)


def is_dotenv(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.startswith(".env") or name.endswith(".env")


def code_files(files: Sequence[str], config: Config) -> list[str]:
    """What the rule pack reads: source files (minus tests unless scan_tests) and .env files."""
    spec = matcher(() if config.scan_tests else DEFAULT_CODE_EXCLUDE)
    return [f for f in files if (f.endswith(CODE_SUFFIXES) or is_dotenv(f)) and not spec.match_file(f)]


def _native_task(runner: str, req: ScanRequest, files: list[str], ids: list[str]) -> Callable[[], EngineRun]:
    def task() -> EngineRun:
        from checker.checks import NativeContext, run_native

        try:
            outcome = run_native(runner, NativeContext(req.root, tuple(files), req.config, tuple(ids)))
        except ToolError as exc:
            return EngineRun(error=str(exc))
        return EngineRun(tuple(outcome.hits), files=len(files), skipped=dict(outcome.skipped),
                         notes=dict(outcome.notes))

    return task


def _engine_task(engine: Engine, req: ScanRequest, files: list[str], ids: list[str]) -> Callable[[], EngineRun]:
    def task() -> EngineRun:
        try:
            if engine is Engine.SECRETS:
                from checker.tools import secrets

                targets = [f for f in files if f != req.config.secrets.baseline]
                outcome = secrets.scan(req.root, targets, req.jobs)
                return EngineRun(outcome.hits, files=outcome.read,
                                 quiet=tuple((s.hit, s.reason) for s in outcome.suppressed))
            from checker.tools import semgrep

            targets = code_files(files, req.config)
            return EngineRun(tuple(semgrep.run(req.root, targets, ids, req.jobs)), files=len(targets))
        except ToolError as exc:
            return EngineRun(error=str(exc))

    return task


def run_key(spec: CheckSpec) -> str:
    """Checks that share a run key are produced by one run: one semgrep, one detect-secrets, one per module."""
    return f"native:{spec.runner}" if spec.engine is Engine.NATIVE else str(spec.engine)


def run_engines(
    req: ScanRequest, files: list[str], enabled: Sequence[CheckSpec], all_files: list[str] | None = None,
    secret_files: list[str] | None = None,
) -> dict[str, EngineRun]:
    """Each run serves all its checks; runs go in parallel (the scanners are separate processes).

    Native checks judge the whole repository (`all_files`): a missing runbook is not a changed line.
    """
    wanted: dict[str, list[str]] = {}
    for spec in enabled:
        wanted.setdefault(run_key(spec), []).append(spec.id)
    tasks: dict[str, Callable[[], EngineRun]] = {}
    for key, ids in wanted.items():
        if key.startswith("native:"):
            tasks[key] = _native_task(key.removeprefix("native:"), req, all_files or files, ids)
        else:
            chosen = secret_files if key == Engine.SECRETS and secret_files is not None else files
            tasks[key] = _engine_task(Engine(key), req, chosen, ids)
    with ThreadPoolExecutor(max_workers=max(1, len(tasks))) as pool:
        futures = {key: pool.submit(task) for key, task in tasks.items()}
        return {key: future.result() for key, future in futures.items()}


def _keep(hit: Hit, changed: ChangedLines | None) -> bool:
    if changed is None:
        return True
    lines = changed.get(hit.path)
    return lines is not None and any(n in lines for n in range(hit.line, hit.end_line + 1))


def results_for(
    req: ScanRequest, runs: dict[str, EngineRun], changed: ChangedLines | None,
    allowed_secrets: frozenset[tuple[str, str]] | set[tuple[str, str]],
) -> tuple[CheckResult, ...]:
    """Hits become findings, or listed suppressions (a per-check exclude, the baseline, a reasoned inline
    ignore); the gate's own checks are judged on every change and cannot be ignored inline."""
    by_id = {spec.id: spec for spec in req.checks}
    found: dict[str, list[Finding]] = {spec.id: [] for spec in req.checks}
    suppressed: dict[str, list[Suppression]] = {spec.id: [] for spec in req.checks}
    suppressions = Suppressions(req.root)
    excluded = {spec.id: matcher(req.config.check(spec.id).exclude) for spec in req.checks
                if req.config.check(spec.id).exclude}
    baseline_where = f"{req.config_ref}:" if req.config_ref else ""
    for key, run in runs.items():
        for hit, noise in run.quiet:
            if hit.check_id in suppressed and _keep(hit, changed):
                suppressed[hit.check_id].append(Suppression(
                    hit.check_id, SuppressionKind.NOISE, Location(hit.path, hit.line, hit.end_line),
                    fingerprint(hit.check_id, hit.path, hit.evidence), noise))
        for hit in run.hits:
            spec = by_id.get(hit.check_id)
            gate = spec is not None and spec.engine is Engine.GATE
            if spec is None or (not gate and not _keep(hit, changed)):
                continue
            cfg = req.config.check(spec.id)
            location = Location(hit.path, hit.line, hit.end_line)
            fp = fingerprint(spec.id, hit.path, hit.evidence)
            why: tuple[SuppressionKind, str] | None = None
            message = hit.message or spec.title
            if spec.id in excluded and excluded[spec.id].match_file(hit.path):
                why = (SuppressionKind.EXCLUDE, f"checks.{spec.id}.exclude in the config")
            elif key == Engine.SECRETS and (hit.path, hit.evidence) in allowed_secrets:
                why = (SuppressionKind.BASELINE, f"audited in {baseline_where}{req.config.secrets.baseline}")
            elif not gate:
                verdict = suppressions.verdict(hit.path, hit.line, spec.id, secret=key == Engine.SECRETS)
                if verdict.justification is not None:
                    why = (SuppressionKind.INLINE, verdict.justification)
                elif verdict.note:
                    message += f" ({verdict.note})"
            if why is not None:
                suppressed[spec.id].append(Suppression(spec.id, why[0], location, fp, why[1]))
                continue
            found[spec.id].append(Finding(
                check_id=spec.id, severity=cfg.severity or Severity(hit.severity or spec.severity), message=message,
                location=location,
                fingerprint=fp, checklist_item=spec.checklist_item,
            ))
    results = []
    for spec in req.checks:
        if not req.config.check(spec.id).enabled:
            results.append(CheckResult(spec.id, Status.SKIPPED, "disabled in configuration"))
            continue
        run = runs[run_key(spec)]
        if run.error is not None:
            results.append(CheckResult(spec.id, Status.ERROR, run.error))
            continue
        findings = tuple(sorted(found[spec.id], key=Finding.sort_key))
        if spec.id in run.skipped and not findings:
            results.append(CheckResult(spec.id, Status.SKIPPED, run.skipped[spec.id]))
            continue
        reason = run.notes.get(spec.id, f"{run.files} file(s) scanned")
        listed = tuple(sorted(suppressed[spec.id], key=Suppression.sort_key))
        for kind in SuppressionKind:
            count = sum(1 for s in listed if s.kind is kind)
            if count:
                reason += f"; {count} suppressed {'inline' if kind is SuppressionKind.INLINE else 'by ' + kind}"
        status = Status.FAILED if findings else Status.PASSED
        results.append(CheckResult(spec.id, status, reason, findings, listed))
    return sorted_results(results)


def run_scan(req: ScanRequest) -> tuple[CheckResult, ...]:
    all_files = list_files(req.root, (*DEFAULT_EXCLUDE, *req.config.exclude))
    changed = changed_lines(req.root, req.diff_base) if req.diff_base else None
    files = all_files if changed is None else [f for f in all_files if f in changed]
    # Default excludes (vendor/, dist/, *.min.js...) are for the code rules: in git, secrets hide there too.
    secret_files = list_files(req.root, req.config.exclude) if is_git_tree(req.root) else all_files
    secret_files = secret_files if changed is None else [f for f in secret_files if f in changed]
    enabled = [spec for spec in req.checks if req.config.check(spec.id).enabled]
    allowed: frozenset[tuple[str, str]] = frozenset()
    if any(spec.engine is Engine.SECRETS for spec in enabled):
        allowed = load_baseline(req.root, req.config.secrets.baseline, req.config_ref)
    log.info("scanning %d file(s) under %s", len(files), req.root)
    runs = run_engines(req, files, [spec for spec in enabled if spec.engine is not Engine.GATE], all_files,
                       secret_files)
    if any(spec.engine is Engine.GATE for spec in enabled):
        runs[str(Engine.GATE)] = gate_run(req)
    return results_for(req, runs, changed, allowed)


def gate_run(req: ScanRequest) -> EngineRun:
    """gate-config-changed: every change the PR makes to the gate's own settings, judged only against a base."""
    from checker.base_ref import CHECK_ID, gate_hits
    from checker.config import CONFIG_NAME

    if req.diff_base is None:
        return EngineRun(skipped={CHECK_ID: "no --diff-base: no base ref to compare the gate's settings with"})
    watched = {CONFIG_NAME, req.config.secrets.baseline, ".secrets.baseline"}
    hits, looked = gate_hits(req.root, req.diff_base, watched, from_head=req.config_ref is None)
    return EngineRun(tuple(hits), files=looked, notes={CHECK_ID: f"{looked} changed path(s) compared with "
                                                                  f"{req.diff_base}"})
