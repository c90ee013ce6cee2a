"""The static scan: pick files, run the scanners side by side, and turn their hits into check results."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from checker import postpass
from checker.base_ref import Change, changes
from checker.config import DEFAULT_CODE_EXCLUDE, DEFAULT_EXCLUDE, Config
from checker.diff import ChangedLines, changed_lines
from checker.errors import ToolError
from checker.findings import (
    CheckResult,
    Files,
    Finding,
    Location,
    Severity,
    Status,
    Suppression,
    SuppressionKind,
    judged,
    sorted_results,
)
from checker.integration_map import IntegrationMap, fed_rules, integration_map
from checker.redact import REDACTOR, fingerprint
from checker.registry import CheckSpec, Engine
from checker.suppress import Suppressions, load_baseline
from checker.targets import is_git_tree, list_files, matcher
from checker.tools import Hit

log = logging.getLogger(__name__)

# Native runners that judge the repository as a whole (a missing runbook is on no changed line): with
# --diff-base they are evaluated only when the PR changed a file they read, and then on every finding.
REPO_WIDE = frozenset({"docs", "alerts", "k8s_manifests"})
# Runners that run the pull request's own code: strictly after every scanner has finished reading the tree
# (a test that rewrites the scanned files must not change what they saw); their result is never line-filtered.
AFTER_SCANNERS = frozenset({"tests_pass"})
CODE_SUFFIXES = (".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".php")


@dataclass(frozen=True, slots=True)
class ScanRequest:
    root: Path
    config: Config
    checks: tuple[CheckSpec, ...]
    diff_base: str | None = None
    jobs: int | None = None
    # Under --diff-base: every path the change touches, listed once (the gate judges them; a deletion makes the
    # repository-wide checks judged). None: not listed (no --diff-base, or no check needs it).
    changes: tuple[Change, ...] | None = None
    # The ref the config and baseline were read from (the PR's base); None: the working tree's.
    config_ref: str | None = None
    config_file: str | None = None  # an explicit --config inside root (relative): watched like the default one
    integration: IntegrationMap | None = None  # the repository-level pass (built by run_scan for the rule pack)
    # (all files, secret files) as `listed` gives them, when the caller has listed the tree already (the header).
    listing: tuple[list[str], list[str]] | None = None

    @property
    def deletes(self) -> bool:
        """The change deletes files: a deleted runbook or manifest was read by no check, so the repository-wide
        checks are then judged although no file they read changed."""
        return any(change.status == "D" for change in self.changes or ())


@dataclass(frozen=True, slots=True)
class EngineRun:
    """One scanner run: its hits, or the error that kept it from looking, and how much it really read."""

    hits: tuple[Hit, ...] = ()
    error: str | None = None
    files: int = 0  # files read (a check of this run that read none is skipped, never passed)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    quiet: tuple[tuple[Hit, str], ...] = ()  # hits the engine itself judged noise, with the reason (listed)
    given: int = 0  # files the run was given
    read_by: dict[str, int] = field(default_factory=dict)  # files read per check id, where it differs
    read_paths: frozenset[str] = frozenset()  # what a native runner read (diff mode: did the PR touch it?)
    not_applicable: frozenset[str] = frozenset()  # skipped ids that have nothing to judge in this repository
    nothing: dict[str, str] = field(default_factory=dict)  # per id: why reading nothing is not a pass

    def read(self, check_id: str) -> int:
        return self.read_by.get(check_id, self.files)


def is_dotenv(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.startswith(".env") or name.endswith(".env")


def code_files(files: Sequence[str], config: Config) -> list[str]:
    """What the rule pack reads: source files (minus tests unless scan_tests) and .env files."""
    spec = matcher(() if config.scan_tests else DEFAULT_CODE_EXCLUDE)
    return [f for f in files if (f.endswith(CODE_SUFFIXES) or is_dotenv(f)) and not spec.match_file(f)]


def _crashed(what: str, exc: Exception) -> EngineRun:
    """The one crash policy: a check that raised is an `error` result (its type only: the text may quote input)."""
    log.debug("%s crashed", what, exc_info=exc)
    return EngineRun(error=f"{what} crashed ({type(exc).__name__}); rerun with -vv --debug for details")


def _native_task(runner: str, req: ScanRequest, files: list[str], ids: list[str]) -> Callable[[], EngineRun]:
    def task() -> EngineRun:
        from checker.checks.base import NativeContext
        from checker.checks.static import run_native

        ctx = NativeContext(req.root, tuple(files), req.config, tuple(ids))
        try:
            outcome = run_native(runner, ctx)
        except ToolError as exc:
            return EngineRun(error=str(exc), given=len(files), files=len(ctx.read))
        except Exception as exc:  # noqa: BLE001 - a crash is an `error` result, never a missing one
            return _crashed(f"the {runner} check", exc)
        nothing = f"none of the {len(files)} file(s) is one this check reads"
        return EngineRun(tuple(outcome.hits), files=len(ctx.read), skipped=dict(outcome.skipped),
                         notes=dict(outcome.notes), given=len(files), read_by=dict(outcome.read),
                         read_paths=frozenset(ctx.read), not_applicable=outcome.not_applicable,
                         nothing={i: nothing for i in ids})

    return task


def _nothing_for_rules(check_id: str, given: int, scope: str) -> str:
    if not given:
        return f"no source files {scope}"
    if check_id in semgrep_prefilters():
        return (f"no webhook code {scope} (of {given} source file(s), none in this rule's languages mentions a "
                f"webhook, callback or signature)")
    return (f"no Ideogram code {scope} (of {given} source file(s), none in this rule's languages mentions "
            f"ideogram or an API key)")


def semgrep_prefilters() -> frozenset[str]:
    from checker.tools.semgrep import PREFILTERS

    return frozenset(PREFILTERS)


# The file suffixes semgrep parses for each language a rule names (generic and regex rules read any file).
LANGUAGE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "python": (".py", ".pyi"), "javascript": (".js", ".jsx", ".mjs", ".cjs"),
    "typescript": (".ts", ".tsx", ".mts", ".cts"), "go": (".go",), "php": (".php",),
}
ANY_FILE = ("generic", "regex")


@functools.cache
def rule_suffixes(check_id: str) -> tuple[str, ...] | None:
    """The suffixes a rule's languages cover; None when one of them reads any file."""
    from checker.tools.semgrep import rule_file

    doc = yaml.safe_load(rule_file(check_id).read_text(encoding="utf-8"))
    languages = {str(lang) for rule in doc.get("rules", []) for lang in rule.get("languages", [])}
    if languages & set(ANY_FILE) or languages - set(LANGUAGE_SUFFIXES):
        return None
    return tuple(suffix for lang in sorted(languages) for suffix in LANGUAGE_SUFFIXES[lang])


def rule_targets(root: Path, targets: list[str], ids: list[str]) -> tuple[list[str], dict[str, int]]:
    """The files semgrep is given (at least one selected rule could match) and, per rule, how many of them its
    own anchor matches: a rule that matches none read nothing (no Ideogram code), which is not a pass."""
    from checker.tools import semgrep

    kept = semgrep.prefiltered(root, targets, ids)
    read = dict.fromkeys(ids, 0)
    anchors = {cid: semgrep.anchor_for(cid) for cid in ids}
    suffixes = {cid: rule_suffixes(cid) for cid in ids}
    for name in kept:
        try:
            data = (root / name).read_bytes()
        except OSError as exc:
            raise ToolError(f"{name}: cannot read: {exc.strerror}") from None
        bare = data.replace(b"\x00", b"") if b"\x00" in data else data  # UTF-16 text: its ASCII, NULs dropped
        for cid, anchor in anchors.items():
            wanted = suffixes[cid]
            covered = wanted is None or name.endswith(wanted)
            if covered and (anchor.search(name.encode("utf-8", "surrogateescape")) or anchor.search(data)
                            or anchor.search(bare)):
                read[cid] += 1
    return kept, read


def _engine_task(engine: Engine, req: ScanRequest, files: list[str], ids: list[str]) -> Callable[[], EngineRun]:
    scope = "in this repository" if req.diff_base is None else "among the files this change touches"

    def task() -> EngineRun:
        try:
            if engine is Engine.SECRETS:
                from checker.tools import secrets

                targets = [f for f in files if f != req.config.secrets.baseline]
                outcome = secrets.scan(req.root, targets, req.jobs)
                return EngineRun(outcome.hits, files=outcome.read, given=len(targets),
                                 quiet=tuple((s.hit, s.reason) for s in outcome.suppressed),
                                 notes=dict.fromkeys(ids, outcome.note(len(targets))),
                                 nothing=dict.fromkeys(ids, f"no files to scan {scope}"))
            from checker.tools import semgrep

            targets = code_files(files, req.config)
            imap = req.integration
            if imap is not None and imap.problems:
                return EngineRun(error=f"{imap.problems[0]}: the rule pack is not run from a partial integration "
                                 f"map", given=len(targets))
            kept, read = rule_targets(req.root, targets, ids)
            kept = kept if imap is None else imap.widened(kept, read, targets)
            render = None if imap is None else functools.partial(fed_rules, imap)
            linked = None if imap is None else imap.linked_checks()
            hits = semgrep.run(req.root, kept, ids, req.jobs, render=render, linked=linked) if kept else []
            return EngineRun(tuple(hits), files=len(kept), given=len(targets), read_by=read,
                             nothing={cid: _nothing_for_rules(cid, len(targets), scope) for cid in ids})
        except ToolError as exc:
            return EngineRun(error=str(exc), given=len(files))
        except Exception as exc:  # noqa: BLE001 - a crash is an `error` result, never a missing one
            return _crashed(f"the {engine} scanner", exc)

    return task


def run_key(spec: CheckSpec) -> str:
    """Checks that share a run key are produced by one run: one semgrep, one detect-secrets, one per module."""
    return f"native:{spec.runner}" if spec.engine is Engine.NATIVE else str(spec.engine)


def run_engines(
    req: ScanRequest, files: list[str], enabled: Sequence[CheckSpec], all_files: list[str] | None = None,
    secret_files: list[str] | None = None,
) -> dict[str, EngineRun]:
    """Each run serves all its checks; runs go in parallel (the scanners are separate processes).

    Repository-wide native checks judge the whole repository (`all_files`): a missing runbook is not a changed line.
    """
    wanted: dict[str, list[str]] = {}
    for spec in enabled:
        wanted.setdefault(run_key(spec), []).append(spec.id)
    tasks: dict[str, Callable[[], EngineRun]] = {}
    for key, ids in wanted.items():
        if key.startswith("native:"):
            runner = key.removeprefix("native:")
            # A check judged line by line (webhook-insecure-url) reads only the changed files under --diff-base.
            whole = runner in REPO_WIDE | AFTER_SCANNERS
            tasks[key] = _native_task(runner, req, (all_files or files) if whole else files, ids)
        else:
            chosen = secret_files if key == Engine.SECRETS and secret_files is not None else files
            tasks[key] = _engine_task(Engine(key), req, chosen, ids)
    later = {key: task for key, task in tasks.items() if key.removeprefix("native:") in AFTER_SCANNERS}
    now = {key: task for key, task in tasks.items() if key not in later}
    with ThreadPoolExecutor(max_workers=max(1, len(now))) as pool:
        futures = {key: pool.submit(task) for key, task in now.items()}
        runs = {key: future.result() for key, future in futures.items()}
    # NOTE: only now, with every scanner finished (the pool joined), may the pull request's own code run
    # (run_scan calls this for those runners only after the other results are final).
    runs.update({key: task() for key, task in later.items()})
    return runs


def runs_pr_code(spec: CheckSpec) -> bool:
    return spec.engine is Engine.NATIVE and spec.runner in AFTER_SCANNERS


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
        whole = key.removeprefix("native:") in REPO_WIDE | AFTER_SCANNERS  # judged as a whole, never per line
        for hit, noise in run.quiet:
            if hit.check_id in suppressed and _keep(hit, changed):
                suppressed[hit.check_id].append(Suppression(
                    hit.check_id, SuppressionKind.NOISE, Location(hit.path, hit.line, hit.end_line),
                    fingerprint(hit.check_id, hit.path, hit.evidence), noise))
        for hit in run.hits:
            spec = by_id.get(hit.check_id)
            gate = spec is not None and spec.engine is Engine.GATE
            if spec is None or (not gate and not whole and not _keep(hit, changed)):
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
            results.append(CheckResult(spec.id, Status.SKIPPED, "disabled in configuration", files=Files(0, 0)))
            continue
        run = runs[run_key(spec)]
        files = Files(run.given, run.read(spec.id))
        if run.error is not None:
            results.append(CheckResult(spec.id, Status.ERROR, run.error, files=files))
            continue
        if changed is not None and spec.runner in REPO_WIDE and not run.read_paths & changed.keys() \
                and not req.deletes:
            results.append(CheckResult(
                spec.id, Status.SKIPPED, f"not evaluated (diff mode): the change touches none of the "
                f"{len(run.read_paths)} file(s) this check reads", files=files))
            continue
        findings = tuple(sorted(found[spec.id], key=Finding.sort_key))
        listed = tuple(sorted(suppressed[spec.id], key=Suppression.sort_key))
        if spec.id in run.skipped and not findings:
            results.append(CheckResult(spec.id, Status.SKIPPED, run.skipped[spec.id], (), listed, files,
                                       applicable=spec.id not in run.not_applicable))
            continue
        reason = run.notes.get(spec.id, f"{files.read} of {files.given} file(s) read")
        for kind in SuppressionKind:
            count = sum(1 for s in listed if s.kind is kind)
            if count:
                reason += f"; {count} suppressed {'inline' if kind is SuppressionKind.INLINE else 'by ' + kind}"
        nothing = run.nothing.get(spec.id, "nothing to read")
        results.append(judged(spec.id, findings, files, reason, nothing, listed))
    return sorted_results(results)


def listed(root: Path, exclude: Sequence[str]) -> tuple[list[str], list[str]]:
    """(all files, secret files): what the checks read (minus the default and configured excludes) and what the
    secrets engine reads (in git, minus the configured excludes only: secrets hide in vendor/ and dist/ too).

    One git listing for both: a path the configured patterns exclude stays excluded with the defaults put before them
    (the last pattern that matches decides, and a default comes first), so the first list is the second, filtered.
    """
    everything = (*DEFAULT_EXCLUDE, *exclude)
    if not is_git_tree(root):
        files = list_files(root, everything)
        return files, files
    secret_files = list_files(root, exclude)
    spec = matcher(everything)
    return [f for f in secret_files if not spec.match_file(f)], secret_files


def run_scan(req: ScanRequest) -> tuple[CheckResult, ...]:
    all_files, secret_files = req.listing or listed(req.root, req.config.exclude)
    changed = changed_lines(req.root, req.diff_base) if req.diff_base else None
    if req.diff_base and any(spec.runner in REPO_WIDE or spec.engine is Engine.GATE for spec in req.checks):
        req = replace(req, changes=tuple(changes(req.root, req.diff_base)))
    files = all_files if changed is None else [f for f in all_files if f in changed]
    secret_files = secret_files if changed is None else [f for f in secret_files if f in changed]
    enabled = [spec for spec in req.checks if req.config.check(spec.id).enabled]
    allowed: frozenset[tuple[str, str]] = frozenset()
    if any(spec.engine is Engine.SECRETS for spec in enabled):
        allowed = load_baseline(req.root, req.config.secrets.baseline, req.config_ref)
    # A file (or folder) named after a key must not print the key: mask it wherever a path is shown.
    REDACTOR.register_paths([*all_files, *secret_files])
    log.info("scanning %d file(s) under %s", len(files), req.root)
    if any(spec.engine is Engine.SEMGREP for spec in enabled):
        req = replace(req, integration=integration_map(req.root, code_files(all_files, req.config), all_files))
    scanners = [spec for spec in enabled if spec.engine is not Engine.GATE and not runs_pr_code(spec)]
    runs = postpass.refined(req.root, run_engines(req, files, scanners, all_files, secret_files), req.integration)
    if any(spec.engine is Engine.GATE for spec in enabled):
        runs[str(Engine.GATE)] = gate_run(req)
    mine = replace(req, checks=tuple(spec for spec in req.checks if not runs_pr_code(spec)))
    results = results_for(mine, runs, changed, allowed)
    # Only now may the pull request's own code (its tests) run: every scanner has read the tree and every
    # inline ignore has been read from it, so a test that rewrites files changes none of the results above.
    theirs = replace(req, checks=tuple(spec for spec in req.checks if runs_pr_code(spec)))
    if theirs.checks:
        later = run_engines(req, files, [spec for spec in enabled if runs_pr_code(spec)], all_files, secret_files)
        results = (*results, *results_for(theirs, later, changed, allowed))
    return sorted_results(results)


def gate_run(req: ScanRequest) -> EngineRun:
    """gate-config-changed: every change the PR makes to the gate's own settings, judged only against a base."""
    from checker.base_ref import CHECK_ID, gate_hits
    from checker.config import CONFIG_NAME

    if req.diff_base is None:
        return EngineRun(skipped={CHECK_ID: "no --diff-base: no base ref to compare the gate's settings with"})
    watched = {CONFIG_NAME, req.config.secrets.baseline, ".secrets.baseline", *filter(None, [req.config_file])}
    hits, looked = gate_hits(req.changes or (), req.diff_base, watched, from_head=req.config_ref is None)
    return EngineRun(tuple(hits), files=looked, given=looked,
                     notes={CHECK_ID: f"{looked} changed path(s) compared with {req.diff_base}"})
