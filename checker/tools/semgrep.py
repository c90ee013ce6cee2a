"""Run our local semgrep rule pack offline over explicit files, and parse its JSON into Hits.

semgrep runs isolated from the scanned repository: `python -I` (no PYTHON* variables, no working directory on
sys.path), an environment built from scratch with an empty temp HOME, and the files it reads copied into a tree of
our own that is its working directory (no .semgrepignore, .gitignore or .semgrep/ of the repository is anywhere near
it), with `--disable-nosem` (a `# nosemgrep` comment is the PR's own word). tests/adversarial/test_isolation_semgrep.py
plants each of those. One process runs every check: the tree has one folder per set of checks whose anchors a file
holds, and each check's rules are kept out of the other folders (on streamlit the code rules spent 80 % of semgrep's
matching time on the files only the webhook anchor kept).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from checker.detectors.decode import decoded
from checker.errors import ToolError
from checker.targets import is_readable_file
from checker.tools import Hit, executable, isolated_env, launcher

log = logging.getLogger(__name__)

# NOTE: without these semgrep phones home and, offline, hangs ~98 s per call (shared/reference/static-checks.md).
OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check", "--no-rewrite-rule-ids")
OFFLINE_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
# Every file we name is read whatever its size or first bytes, and no comment in it can hide a match.
TARGET_FLAGS = ("--max-target-bytes=0", "--no-exclude-binary-files", "--disable-nosem")
# semgrep's error types that leave a file's results trustworthy: tree-sitter recovered from a syntax error and
# the rules ran over the rest of the file (common in real repositories, so it stays a log line). Every other
# error (Timeout, Out of memory, Syntax error, Lexical error, Fatal error, Too many matches, ...) means a file
# was not fully checked: the run is an error.
# NOTE: a partial parse may drop the region around the error, and a match in it. Such a region is broken code for
# Python or Node too, unless it is new syntax semgrep's grammar lacks; failing every repository that uses such
# syntax would make the gate unusable, so each one is logged (stderr) with its path instead.
TOLERATED_ERRORS = frozenset({"PartialParsing"})
TIMEOUT = 30  # seconds per rule per file; a timeout is an error, never a pass
# Bytes of argv per semgrep process (paths + their pointers): half of ARG_MAX, which argv shares with the (small,
# isolated) environment and our other flags.
ARGV_BUDGET = max(64 * 1024, os.sysconf("SC_ARG_MAX") // 2)


class _Pos(BaseModel):
    line: int


class _Extra(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str = ""
    metadata: dict[str, object] = {}
    lines: str = ""


class _Result(BaseModel):
    model_config = ConfigDict(extra="ignore")
    check_id: str
    path: str
    start: _Pos
    end: _Pos
    extra: _Extra


class _Error(BaseModel):
    model_config = ConfigDict(extra="ignore")
    level: str = "error"
    type: str | list[object] = ""
    rule_id: str | None = None
    path: str | None = None


class _Paths(BaseModel):
    model_config = ConfigDict(extra="ignore")
    scanned: list[str] = []


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")
    results: list[_Result]
    errors: list[_Error] = []
    paths: _Paths = _Paths()


# Every rule of the pack is anchored on words that must appear in a file for it to match at all: the
# Ideogram host, env names or the Api-Key header for code rules; a webhook/callback route or signature
# header for webhook-unverified. Files without them skip semgrep (most of a big repository), which
# changes no finding; tests/test_rules.py checks the anchors against every case and the examples.
_ANCHORS = re.compile(rb"ideogram|api[-_]?key", re.IGNORECASE)
PREFILTERS: dict[str, re.Pattern[bytes]] = {
    "webhook-unverified": re.compile(rb"webhook|callback|signature", re.IGNORECASE),
}


def anchor_for(check_id: str) -> re.Pattern[bytes]:
    return PREFILTERS.get(check_id, _ANCHORS)


def prefiltered(root: Path, files: Sequence[str], check_ids: Sequence[str]) -> list[str]:
    """The files in which at least one selected rule could match (by path or content: Next.js routes
    are webhooks by their folder name). A file that cannot be read is an error, never a file skipped."""
    anchors = {anchor_for(c).pattern for c in check_ids}
    union = re.compile(b"|".join(b"(?:" + a + b")" for a in sorted(anchors)), re.IGNORECASE)
    keep = []
    for name in files:
        path = root / name
        if not is_readable_file(path):
            raise ToolError(f"{name}: listed for scanning but not a readable file")
        if union.search(os.fsencode(name)):
            keep.append(name)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ToolError(f"{name}: cannot be read: {exc.strerror}") from None
        if union.search(data):
            keep.append(name)
    return keep


# Suffixes semgrep surely parses for a language (it may parse more); generic and regex rules read any file.
_SURE_SUFFIXES = {"python": (".py",), "javascript": (".js", ".jsx"), "typescript": (".ts", ".tsx"),
                  "go": (".go",), "php": (".php",)}


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader parses the pack 6x faster


@functools.cache
def sure_suffixes(rule_files: tuple[Path, ...]) -> tuple[str, ...] | None:
    """Suffixes of the files semgrep must list as scanned, from the languages of the rules that apply to every
    path (no `paths:` filter); None when one such rule reads any file. A named file semgrep leaves out for any
    reason (a size, binary or ignore filter of some version) is then an error, not a silent pass."""
    languages: set[str] = set()
    for path in rule_files:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        languages |= {str(lang) for rule in doc.get("rules", []) if not rule.get("paths")
                      for lang in rule.get("languages", [])}
    if languages & {"generic", "regex"}:
        return None
    return tuple(sorted({suffix for lang in languages for suffix in _SURE_SUFFIXES.get(lang, ())}))


def rules_dir() -> Path:
    return Path(str(resources.files("checker") / "rules"))


def rule_file(check_id: str) -> Path:
    return rules_dir() / f"{check_id}.yaml"


def command(rule_files: Sequence[Path], output: Path, jobs: int | None = None, timeout: int = TIMEOUT) -> list[str]:
    cmd = [*launcher(executable("semgrep")), "scan", *OFFLINE_FLAGS, *TARGET_FLAGS, "--json", "--output",
           str(output), "--quiet", "--timeout", str(timeout)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    for path in rule_files:
        cmd += ["--config", str(path)]
    return cmd


def offline_env(workdir: Path) -> dict[str, str]:
    """semgrep's whole environment: isolated (HOME = workdir) plus its offline switches and private files."""
    return isolated_env(workdir, {
        **OFFLINE_ENV, "NO_COLOR": "1",
        "SEMGREP_SETTINGS_FILE": str(workdir / "settings.yml"),
        "SEMGREP_LOG_FILE": str(workdir / "semgrep.log"),
        "SEMGREP_VERSION_CACHE_PATH": str(workdir / "version"),
    })


def _error_kind(err: _Error) -> str:
    return err.type if isinstance(err.type, str) else str(err.type[0]) if err.type else "unknown"


def _relative(path: str, names: Mapping[str, str]) -> str:
    if path not in names:
        raise ToolError("semgrep reported a path it was not given")
    return names[path]


def parse_output(raw: bytes, names: Mapping[str, str], must_scan: Collection[str] = ()) -> list[Hit]:
    """Hits keyed by the rule's metadata.check_id, paths mapped back through `names` (target given to semgrep ->
    path relative to the scan root); the matched code is hashed, never kept. An error on any file, or a target in
    `must_scan` that semgrep did not scan, raises ToolError naming the file (semgrep's message may quote the
    file's code, so it is never shown)."""
    try:
        data = _Output.model_validate(json.loads(raw.decode("utf-8", "surrogateescape")))
    except (ValueError, ValidationError):
        raise ToolError("semgrep wrote output that is not its JSON format") from None
    fatal = [e for e in data.errors if _error_kind(e) not in TOLERATED_ERRORS]
    for err in data.errors:
        if _error_kind(err) in TOLERATED_ERRORS and err.path:
            log.warning("semgrep: %s: partly parsed (%s); the rules ran over the rest of the file",
                        names.get(err.path, "a file"), _error_kind(err))
    if fatal:
        first = fatal[0]
        shown = names.get(first.path or "")  # None: a rule file or no file, not one we scan
        where = f"{shown}: " if shown is not None else ""
        rule = f" (rule {first.rule_id})" if first.rule_id else ""
        more = f"; {len(fatal) - 1} more error(s)" if len(fatal) > 1 else ""
        raise ToolError(f"{where}semgrep could not check this file: {_error_kind(first)}{rule}{more}")
    skipped = sorted(set(must_scan) - set(data.paths.scanned))
    if skipped:
        more = f" and {len(skipped) - 1} more" if len(skipped) > 1 else ""
        raise ToolError(f"{_relative(skipped[0], names)}{more}: semgrep skipped a file its rules must read")
    hits = []
    for res in data.results:
        check_id = str(res.extra.metadata.get("check_id") or res.check_id)
        code = " ".join(res.extra.lines.split())
        evidence = hashlib.sha256(f"{res.check_id}\x1f{code}".encode(errors="surrogateescape")).hexdigest()
        hits.append(Hit(check_id, _relative(res.path, names), res.start.line, res.end.line, evidence,
                        res.extra.message.strip()))
    return hits


def batches(targets: Sequence[str], budget: int = ARGV_BUDGET) -> Iterator[list[str]]:
    """`targets` in runs whose argv stays under `budget` bytes (100k paths do not fit one exec)."""
    batch: list[str] = []
    used = 0
    for target in targets:
        cost = len(os.fsencode(target)) + 1 + 8  # the string, its NUL, its argv pointer
        if batch and used + cost > budget:
            yield batch
            batch, used = [], 0
        batch.append(target)
        used += cost
    if batch:
        yield batch


def _plain_name(name: str) -> str | None:
    """`name` itself when it is UTF-8 (semgrep reads its argv as text), else None."""
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return name


def _readable(root: Path, name: str) -> bytes:
    path = root / name
    if not is_readable_file(path):
        raise ToolError(f"{name}: listed for scanning but not a readable file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ToolError(f"{name}: cannot be read: {exc.strerror}") from None


def checks_of(name: str, data: bytes, check_ids: Sequence[str]) -> frozenset[str]:
    """The checks whose anchor this file holds (in its path, its bytes, or its bytes without NULs: UTF-16 text)."""
    encoded = os.fsencode(name)
    bare = data.replace(b"\x00", b"") if b"\x00" in data else data
    return frozenset(c for c in check_ids
                     if (anchor := anchor_for(c)).search(encoded) or anchor.search(data) or anchor.search(bare))


def place(tree: Path, folder: str, name: str, data: bytes, mode: int = 0o644) -> Path:
    """A copy of the file at tree/folder/name for semgrep to read. A name that is not UTF-8 has each undecodable
    byte as "_" (semgrep would scan a mangled name, and report nothing); content that is not UTF-8 is written as its
    decoded text, line for line the same (semgrep reads nothing from it, and says so nowhere). The permission bits are
    kept (semgrep reads an executable file's shebang for its language). A name taken already (two names mangled to
    one) goes one folder down, `~1/`, `~2/`...: never one file in place of another."""
    plain = _plain_name(name) or os.fsencode(name).decode("utf-8", "replace").replace("\ufffd", "_")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = decoded(data)[0].encode("utf-8", "surrogateescape")
    for n in itertools.count():
        target = tree / folder / (f"~{n}" if n else "") / plain
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as fh:
                fh.write(data)
            target.chmod(mode & 0o777)
            return target
        except (FileExistsError, NotADirectoryError):
            continue
        except OSError as exc:
            raise ToolError(f"{name}: cannot be copied for semgrep: {exc.strerror or type(exc).__name__}") from None
    raise AssertionError("unreachable")


def _rule_docs(rule_files: Sequence[Path]) -> list[tuple[str, dict[str, Any]]]:
    """(check id, rule) for every rule in the files: a file is named after its check."""
    out = []
    for path in rule_files:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        out += [(path.stem, rule) for rule in doc.get("rules", [])]
    return out


# The extensions semgrep 1.185 gives each language of our rules (semgrep_interfaces/lang.json). A rule in another
# language, or reading any file (generic, regex), always runs; so does every rule when a target is executable (a
# shebang may make it any language).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "python": (".py", ".pyi"), "py": (".py", ".pyi"), "javascript": (".cjs", ".js", ".jsx", ".mjs"),
    "js": (".cjs", ".js", ".jsx", ".mjs"), "typescript": (".ts", ".tsx"), "ts": (".ts", ".tsx"), "go": (".go",),
    "golang": (".go",), "php": (".php", ".tpl", ".phtml"),
}


def may_read(rule: Mapping[str, Any], names: Collection[str]) -> bool:
    """Whether semgrep could apply this rule to one of these (non-executable) files: by its languages' extensions.
    Leaving the others out changes no result and spares semgrep parsing them (a Python-only change: 3.5 -> 2.6 CPU
    s)."""
    languages = [str(lang) for lang in rule.get("languages", [])]
    if not languages or any(lang not in EXTENSIONS for lang in languages):
        return True
    return any(name.endswith(EXTENSIONS[lang]) for lang in languages for name in names)


def pack(rules: Sequence[tuple[str, dict[str, Any]]], folders: Mapping[str, frozenset[str]],
         names: Mapping[str, Collection[str]] | None = None) -> list[dict[str, Any]]:
    """The rules semgrep runs, each kept out of the folders whose files its check's anchor does not match (anchored
    patterns: they match our folders only). A check with no folder of its own is left out, and so is a rule that
    can read none of its check's files (`names`, per check; None: every rule may read them)."""
    out = []
    for check_id, rule in rules:
        others = sorted(f for f, checks in folders.items() if check_id not in checks)
        if len(others) == len(folders) or (names is not None and not may_read(rule, names.get(check_id, ()))):
            continue
        if others:
            paths = dict(rule.get("paths") or {})
            paths["exclude"] = [*paths.get("exclude", []), *(f"/{f}/" for f in others)]
            rule = {**rule, "paths": paths}
        out.append(rule)
    return out


def _must_scan(rules: Sequence[tuple[str, dict[str, Any]]], checks: frozenset[str], name: str) -> bool:
    """Whether semgrep must list this file as scanned: a rule of its checks with no `paths:` filter surely reads it."""
    languages = {str(lang) for check_id, rule in rules if check_id in checks and not rule.get("paths")
                 for lang in rule.get("languages", [])}
    if languages & {"generic", "regex"}:
        return True
    return name.endswith(tuple(s for lang in languages for s in _SURE_SUFFIXES.get(lang, ())))


def _run_once(cmd: list[str], cwd: Path, workdir: Path, out: Path, names: Mapping[str, str],
              must_scan: Collection[str]) -> list[Hit]:
    # NOTE: cwd is the tree the targets were copied to: given targets outside its working directory, semgrep 1.185
    # re-discovers the project for each one (100 files: 60 s instead of 6 s).
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=offline_env(workdir), capture_output=True, check=False,
                              stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise ToolError(f"cannot start semgrep: {exc.strerror}") from None
    if proc.returncode not in (0, 1) or not out.is_file():
        raise ToolError(f"semgrep exited with code {proc.returncode}")
    return parse_output(out.read_bytes(), names, must_scan)


RuleRenderer = Callable[[Sequence[Path], Path], list[Path]]


def run(root: Path, files: Sequence[str], check_ids: Sequence[str], jobs: int | None = None,
        prefilter: bool = True, budget: int = ARGV_BUDGET, timeout: int = TIMEOUT,
        render: RuleRenderer | None = None, linked: Mapping[str, Collection[str]] | None = None) -> list[Hit]:
    """Every selected check's rules over `files` (relative to root) in one semgrep process (more only when argv
    cannot hold the paths); a crash, exit >= 2, unreadable output or an error on any file raises ToolError.

    prefilter: each check's rules read only the files that hold its anchor (see PREFILTERS), the scan's contract;
    False: every rule reads every file (tests/test_rules.py proves the anchors sound that way). Files are copied to
    a tree of their own, one folder per set of checks (see `pack`), and a hit outside its check's files is dropped.
    `render` may rewrite the rule files first (into the directory it is given; same names, so the same check ids).
    `linked`: checks a file gets whatever its anchor (the integration map's files that reach Ideogram through a
    proxied path or helper whose name lacks the anchor word).
    """
    if not files or not check_ids:
        return []
    wanted = frozenset(check_ids)
    with tempfile.TemporaryDirectory(prefix="ideogram-prod-semgrep-") as tmp:
        workdir = Path(tmp)
        tree = workdir / "tree"
        tree.mkdir()
        folders: dict[frozenset[str], str] = {}
        names: dict[str, str] = {}
        checks_by_target: dict[str, frozenset[str]] = {}
        executable = False
        for name in files:
            data = _readable(root, name)
            checks = checks_of(name, data, check_ids) if prefilter else wanted
            checks |= wanted & frozenset((linked or {}).get(name, ()))
            if not checks:
                continue
            folder = folders.setdefault(checks, str(len(folders)))
            mode = (root / name).stat().st_mode
            executable = executable or bool(mode & 0o111)
            target = str(place(tree, folder, name, data, mode))
            names[target] = name
            checks_by_target[target] = checks
        if not names:
            return []
        rule_files = [rule_file(c) for c in check_ids]
        if render is not None:
            rule_files = render(rule_files, workdir / "rendered")
        rules = _rule_docs(rule_files)
        config = workdir / "rules.json"
        per_check = {c: [names[t] for t, checks in checks_by_target.items() if c in checks] for c in check_ids}
        ran = pack(rules, {f: c for c, f in folders.items()}, None if executable else per_check)
        if not ran:
            return []  # no rule reads any of these files (semgrep would parse none of them either)
        config.write_text(json.dumps({"rules": ran}), encoding="utf-8")
        out = workdir / "out.json"
        hits: list[Hit] = []
        for batch in batches(sorted(names), budget):
            out.unlink(missing_ok=True)
            must_scan = [t for t in batch if _must_scan(rules, checks_by_target[t], names[t])]
            hits += _run_once([*command([config], out, jobs, timeout), "--", *batch], tree, workdir, out, names,
                              must_scan)
    by_name = {names[t]: checks for t, checks in checks_by_target.items()}
    return [hit for hit in hits if hit.check_id in by_name.get(hit.path, frozenset())]
