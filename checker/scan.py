"""The static scan: pick files, run the scanners side by side, and turn their hits into check results."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

CODE_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")


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


def code_files(files: Sequence[str], config: Config) -> list[str]:
    spec = matcher(() if config.scan_tests else DEFAULT_CODE_EXCLUDE)
    return [f for f in files if f.endswith(CODE_SUFFIXES) and not spec.match_file(f)]


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


def run_engines(req: ScanRequest, files: list[str], enabled: Sequence[CheckSpec]) -> dict[Engine, EngineRun]:
    """Each engine runs once for all its checks; the engines run in parallel (each is its own process)."""
    wanted: dict[Engine, list[str]] = {}
    for spec in enabled:
        wanted.setdefault(spec.engine, []).append(spec.id)
    tasks = {engine: _engine_task(engine, req, files, ids) for engine, ids in wanted.items()}
    with ThreadPoolExecutor(max_workers=max(1, len(tasks))) as pool:
        futures = {engine: pool.submit(task) for engine, task in tasks.items()}
        return {engine: future.result() for engine, future in futures.items()}


def _keep(hit: Hit, changed: ChangedLines | None) -> bool:
    if changed is None:
        return True
    lines = changed.get(hit.path)
    return lines is not None and any(n in lines for n in range(hit.line, hit.end_line + 1))


def results_for(
    req: ScanRequest, runs: dict[Engine, EngineRun], changed: ChangedLines | None,
    allowed_secrets: set[tuple[str, str]],
) -> tuple[CheckResult, ...]:
    by_id = {spec.id: spec for spec in req.checks}
    found: dict[str, list[Finding]] = {spec.id: [] for spec in req.checks}
    suppressed: dict[str, int] = {spec.id: 0 for spec in req.checks}
    suppressions = Suppressions(req.root)
    for engine, run in runs.items():
        for hit in run.hits:
            spec = by_id.get(hit.check_id)
            if spec is None or not _keep(hit, changed):
                continue
            cfg = req.config.check(spec.id)
            if cfg.exclude and matcher(cfg.exclude).match_file(hit.path):
                continue
            if engine is Engine.SECRETS and (hit.path, hit.evidence) in allowed_secrets:
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
        run = runs[spec.engine]
        if run.error is not None:
            results.append(CheckResult(spec.id, Status.ERROR, run.error))
            continue
        findings = tuple(sorted(found[spec.id], key=Finding.sort_key))
        note = f"; {suppressed[spec.id]} suppressed inline" if suppressed[spec.id] else ""
        status = Status.FAILED if findings else Status.PASSED
        results.append(CheckResult(spec.id, status, f"{run.files} file(s) scanned{note}", findings))
    return sorted_results(results)


def run_scan(req: ScanRequest) -> tuple[CheckResult, ...]:
    files = list_files(req.root, (*DEFAULT_EXCLUDE, *req.config.exclude))
    changed = changed_lines(req.root, req.diff_base) if req.diff_base else None
    if changed is not None:
        files = [f for f in files if f in changed]
    enabled = [spec for spec in req.checks if req.config.check(spec.id).enabled]
    allowed: set[tuple[str, str]] = set()
    if any(spec.engine is Engine.SECRETS for spec in enabled):
        from checker.tools.secrets import baseline_allowed

        allowed = baseline_allowed(req.root, req.config.secrets.baseline)
    log.info("scanning %d file(s) under %s", len(files), req.root)
    runs = run_engines(req, files, enabled)
    return results_for(req, runs, changed, allowed)
