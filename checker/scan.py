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
from checker.findings import CheckResult, Finding, Location, Status, sorted_results
from checker.redact import fingerprint
from checker.registry import CheckSpec, Engine
from checker.suppress import Suppressions
from checker.targets import list_files, matcher
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


@dataclass(frozen=True, slots=True)
class EngineRun:
    hits: tuple[Hit, ...] = ()
    error: str | None = None
    files: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


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
                return EngineRun(tuple(secrets.run(req.root, targets, req.jobs)), files=len(targets))
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
            tasks[key] = _engine_task(Engine(key), req, files, ids)
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
    allowed_secrets: set[tuple[str, str]],
) -> tuple[CheckResult, ...]:
    by_id = {spec.id: spec for spec in req.checks}
    found: dict[str, list[Finding]] = {spec.id: [] for spec in req.checks}
    suppressed: dict[str, int] = {spec.id: 0 for spec in req.checks}
    suppressions = Suppressions(req.root)
    excluded = {spec.id: matcher(req.config.check(spec.id).exclude) for spec in req.checks
                if req.config.check(spec.id).exclude}
    for key, run in runs.items():
        for hit in run.hits:
            spec = by_id.get(hit.check_id)
            if spec is None or not _keep(hit, changed):
                continue
            cfg = req.config.check(spec.id)
            if spec.id in excluded and excluded[spec.id].match_file(hit.path):
                continue
            if key == Engine.SECRETS and (hit.path, hit.evidence) in allowed_secrets:
                continue
            if suppressions.covers(hit.path, hit.line, spec.id):
                suppressed[spec.id] += 1
                continue
            found[spec.id].append(Finding(
                check_id=spec.id, severity=cfg.severity or spec.severity, message=hit.message or spec.title,
                location=Location(hit.path, hit.line, hit.end_line),
                fingerprint=fingerprint(spec.id, hit.path, hit.evidence), checklist_item=spec.checklist_item,
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
        if suppressed[spec.id]:
            reason += f"; {suppressed[spec.id]} suppressed inline"
        status = Status.FAILED if findings else Status.PASSED
        results.append(CheckResult(spec.id, status, reason, findings))
    return sorted_results(results)


def run_scan(req: ScanRequest) -> tuple[CheckResult, ...]:
    all_files = list_files(req.root, (*DEFAULT_EXCLUDE, *req.config.exclude))
    changed = changed_lines(req.root, req.diff_base) if req.diff_base else None
    files = all_files if changed is None else [f for f in all_files if f in changed]
    enabled = [spec for spec in req.checks if req.config.check(spec.id).enabled]
    allowed: set[tuple[str, str]] = set()
    if any(spec.engine is Engine.SECRETS for spec in enabled):
        from checker.tools.secrets import baseline_allowed

        allowed = baseline_allowed(req.root, req.config.secrets.baseline)
    log.info("scanning %d file(s) under %s", len(files), req.root)
    runs = run_engines(req, files, enabled, all_files)
    return results_for(req, runs, changed, allowed)
