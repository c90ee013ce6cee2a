"""Find committed secrets with detect-secrets' own engine and settings (never verifying), fast enough for a PR gate.

The detect-secrets CLI spends ~75 % of its time in per-line, per-plugin dependency injection
(`detect_secrets.util.inject.call_function_with_arguments`: 28 plugins x every line). Most files hold
nothing any plugin could report, so each worker first asks a *gate* built from the plugins themselves
whether a file could yield a secret at all; only files the gate cannot rule out go through
`detect_secrets.core.scan.scan_file`, unchanged. The gate is conservative by construction (see
`_Gate`), so the findings are exactly the CLI's: `tests/test_secrets_engine.py` compares them.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.errors import InputError, ToolError
from checker.tools import Hit, executable

IDEOGRAM_TYPE = "Ideogram API Key"
# Below this many files per worker, another process costs more to start than it saves.
MIN_FILES_PER_WORKER = 64


class _Secret(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    filename: str
    hashed_secret: str
    line_number: int = 0
    is_secret: bool | None = None


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")
    results: dict[str, list[_Secret]]


def plugin_path() -> Path:
    return Path(str(resources.files("checker") / "detectors" / "ideogram_key.py"))


def cli_args() -> list[str]:
    # NOTE: -n: without it detect-secrets sends candidate secrets to AWS, Slack, ... to verify them.
    return ["scan", "-n", "--plugin", str(plugin_path())]


def command(files: Sequence[str], jobs: int | None = None) -> list[str]:
    """The plain detect-secrets CLI with our settings: the reference our engine must agree with."""
    cmd = [executable("detect-secrets")]
    if jobs:
        cmd += ["-c", str(jobs)]
    return [*cmd, *cli_args(), *files]


def check_id_for(secret_type: str) -> str:
    return "secret-ideogram-key" if secret_type == IDEOGRAM_TYPE else "secret-generic"


def parse_output(text: str) -> list[Hit]:
    """One Hit per secret; a generic hit on a line that already holds an Ideogram key is the same secret."""
    try:
        data = _Output.model_validate_json(text)
    except ValidationError:
        raise ToolError("detect-secrets wrote output that is not its JSON format") from None
    hits: list[Hit] = []
    for filename, secrets in data.results.items():
        ideogram_lines = {s.line_number for s in secrets if s.type == IDEOGRAM_TYPE}
        for s in secrets:
            if s.type != IDEOGRAM_TYPE and s.line_number in ideogram_lines:
                continue
            message = f"{s.type} committed in the repository"
            hits.append(Hit(check_id_for(s.type), filename, s.line_number, s.line_number, s.hashed_secret, message))
    return hits


# --- the gate -------------------------------------------------------------------------------------------


def _relaxed(sub: Any) -> Any:
    """The parsed pattern without its zero-width assertions (`^ $ \b`, lookarounds): it matches a superset.

    What is left only consumes characters, so a match inside one line is also a match in the whole
    file text, whatever lies around the line. Atomic groups and possessive repeats are the exception
    (they can fail where more text follows): None.
    """
    items = []
    for op, av in sub:
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        if op in (sre_c.ATOMIC_GROUP, sre_c.POSSESSIVE_REPEAT):
            return None
        if op is sre_c.SUBPATTERN:
            inner = _relaxed(av[3])
            if inner is None:
                return None
            av = (av[0], av[1], av[2], inner)
        elif op is sre_c.BRANCH:
            branches = [_relaxed(b) for b in av[1]]
            if any(b is None for b in branches):
                return None
            av = (av[0], branches)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            inner = _relaxed(av[2])
            if inner is None:
                return None
            av = (av[0], av[1], inner)
        elif op is sre_c.GROUPREF_EXISTS:
            yes, no = _relaxed(av[1]), (_relaxed(av[2]) if av[2] is not None else None)
            if yes is None or (av[2] is not None and no is None):
                return None
            av = (av[0], yes, no)
        items.append((op, av))
    return sre_parse.SubPattern(sub.state, items)


def _needs(op: Any, av: Any, icase: bool) -> frozenset[str] | None:
    """Strings one of which every match of this element contains (None: nothing known)."""
    if op is sre_c.SUBPATTERN and not (av[1] or av[2]):
        return required_literals(av[3], icase)[0]
    if op is sre_c.BRANCH:
        options = [required_literals(branch, icase)[0] for branch in av[1]]
        if any(o is None for o in options):
            return None
        return frozenset().union(*options)  # type: ignore[arg-type]
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[0] >= 1:
        return required_literals(av[2], icase)[0]
    return None


def required_literals(sub: Any, icase: bool) -> tuple[frozenset[str] | None, int]:
    """Strings one of which every match must contain (lowercased under re.I), and the index where they start.

    A sequence's match contains each element's match, so any element's requirement holds for the whole;
    a branch needs one of its branches'; a repeat of at least once, its body's. Under re.I only ASCII
    literals count (non-ASCII ones can fold onto ASCII, e.g. the Kelvin sign onto `k`).
    """
    found: list[tuple[frozenset[str], int]] = []
    run: list[str] = []
    start = 0
    for i, (op, av) in enumerate([*list(sub), (None, None)]):
        if op is sre_c.LITERAL and (not icase or chr(av).isascii()):
            if not run:
                start = i
            run.append(chr(av).lower() if icase else chr(av))
            continue
        if run:
            found.append((frozenset({"".join(run)}), start))
            run = []
        need = _needs(op, av, icase) if op is not None else None
        if need:
            found.append((need, i))
    useful = [(f, i) for f, i in found if min(map(len, f)) >= 2]
    if not useful:
        return None, 0
    return max(useful, key=lambda fi: (min(map(len, fi[0])), -len(fi[0])))


class TextPattern:
    """A detector regex turned into a whole-file test that can only say yes more often than the original.

    `pattern` is the relaxed pattern (see `_relaxed`) cut to start at the element holding a literal
    every match needs (dropping a prefix of a sequence also only adds matches); the literal test runs
    first, and the cut lets `re` jump to candidate positions instead of trying every one.
    """

    def __init__(self, pattern: re.Pattern[str], relaxed: Any) -> None:
        from re import _compiler  # type: ignore[attr-defined]

        self.source = pattern.pattern
        self.icase = bool(pattern.flags & re.IGNORECASE)
        self.needs, cut = required_literals(relaxed, self.icase)
        has_backrefs = _has_groupref(relaxed)
        tail = relaxed if has_backrefs or cut == 0 else sre_parse.SubPattern(relaxed.state, list(relaxed)[cut:])
        self.pattern: re.Pattern[str] = _compiler.compile(tail, pattern.flags)

    def search(self, text: str, lowered: str | None) -> bool:
        if self.needs is not None:
            haystack = lowered if self.icase else text
            if haystack is not None and not any(lit in haystack for lit in self.needs):
                return False
        return self.pattern.search(text) is not None


def _has_groupref(sub: Any) -> bool:
    for op, av in sub:
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS, sre_c.GROUPREF_IGNORE, sre_c.GROUPREF_LOC_IGNORE,
                  sre_c.GROUPREF_UNI_IGNORE):
            return True
        children = (
            [av[3]] if op is sre_c.SUBPATTERN else list(av[1]) if op is sre_c.BRANCH
            else [av[2]] if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) else []
        )
        if any(_has_groupref(c) for c in children):
            return True
    return False


def text_pattern(pattern: re.Pattern[str]) -> TextPattern | None:
    """The whole-file test for a detector regex, or None if only the line-by-line search is sound."""
    try:
        relaxed = _relaxed(sre_parse.parse(pattern.pattern, pattern.flags))
        return None if relaxed is None else TextPattern(pattern, relaxed)
    except Exception:  # noqa: BLE001 - a pattern we cannot take apart is searched line by line
        return None


def _folded(lowercase_literals: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """re.I is slow without a literal prefix; on ASCII text, lowering it first is the same test and 15x faster.

    (Only for patterns made of lowercase literals: re.I's extra Unicode folds, such as the Kelvin sign
    matching `k`, need non-ASCII text, which takes the re.I path.)
    """
    assert lowercase_literals == lowercase_literals.lower()
    return re.compile(lowercase_literals), re.compile(lowercase_literals, re.IGNORECASE)


class _Gate:
    """Can any configured plugin report anything in these lines? False only when provably not.

    Per plugin, a necessary condition for `plugin.analyze_line` to return anything on some line:
    - a plain RegexBasedDetector (or JwtTokenDetector, whose override only filters): a denylist regex
      matches the line;
    - the high-entropy plugins: a quoted candidate (their own regex, which cannot span lines) has an
      entropy above the limit;
    - KeywordDetector: one of its DENYLIST keywords occurs (every one of its regexes requires one);
    - our IdeogramKeyDetector: `api-key`/`api_key` or `ideogram` occurs in the line or the one before;
    - any other plugin: no condition known, so every file is scanned in full.
    Filters only ever remove secrets, so they need no gate.
    """

    def __init__(self, plugins: Sequence[Any]) -> None:
        from detect_secrets.plugins import keyword
        from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
        from detect_secrets.plugins.high_entropy_strings import (
            Base64HighEntropyString,
            HexHighEntropyString,
            HighEntropyStringsPlugin,
        )
        from detect_secrets.plugins.jwt import JwtTokenDetector

        self.text: list[TextPattern] = []
        # (case-sensitive pattern of lowercase literals for ASCII text lowered, re.I pattern for the rest)
        self.folded: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
        self.lines: list[re.Pattern[str]] = []
        self.entropy: list[tuple[Any, float]] = []
        self.always = False
        for plugin in plugins:
            kind = type(plugin)
            if (
                isinstance(plugin, RegexBasedDetector)
                and kind.analyze_line is BasePlugin.analyze_line
                and (kind.analyze_string is RegexBasedDetector.analyze_string or kind is JwtTokenDetector)
            ):
                for pattern in plugin.denylist:
                    whole = text_pattern(pattern)
                    if whole is None:
                        self.lines.append(pattern)
                    else:
                        self.text.append(whole)
            elif (
                kind in (Base64HighEntropyString, HexHighEntropyString)
                and kind.analyze_line is HighEntropyStringsPlugin.analyze_line
                and kind.analyze_string is HighEntropyStringsPlugin.analyze_string
                and "\n" not in plugin.charset and "'" not in plugin.charset and '"' not in plugin.charset
            ):
                # Shannon entropy never exceeds log2(len): shorter candidates cannot pass the limit.
                self.entropy.append((plugin, 2 ** plugin.entropy_limit))
            elif kind is keyword.KeywordDetector and kind.analyze_line is keyword.KeywordDetector.analyze_line:
                self.folded.append(_folded("|".join(keyword.DENYLIST)))
            elif kind.__name__ == "IdeogramKeyDetector" and kind.secret_type == IDEOGRAM_TYPE:
                # NOTE: mirrors checker/detectors/ideogram_key.py: _HEADER needs api[-_]key, _NAMED needs
                # ideogram, and the env-list value needs ideogram on the line before. Keep in step.
                self.folded.append(_folded(r"api[-_]key|ideogram"))
            else:
                self.always = True

    def fires(self, lines: Sequence[str]) -> bool:
        if self.always:
            return True
        stripped = [line.rstrip() for line in lines]
        text = "\n".join(stripped)
        # lowered is None for non-ASCII text, where re.I can fold other characters onto ASCII ones.
        lowered = text.lower() if text.isascii() else None
        if lowered is not None:
            if any(fast.search(lowered) for fast, _ in self.folded):
                return True
        elif any(slow.search(text) for _, slow in self.folded):
            return True
        if any(p.search(text, lowered) for p in self.text):
            return True
        for plugin, min_len in self.entropy:
            for found in plugin.regex.findall(text):
                value = found[1] if isinstance(found, tuple) else found
                if len(value) > min_len and plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                    return True
        return any(p.search(line) for p in self.lines for line in stripped)


# --- the worker (runs in its own process, configured exactly like the CLI) -----------------------------


def configure() -> _Gate:
    """Settings exactly as `detect-secrets scan -n --plugin <ours>` builds them, and the gate over them."""
    from detect_secrets.core.usage import ParserBuilder
    from detect_secrets.settings import get_plugins

    ParserBuilder().add_console_use_arguments().parse_args(cli_args())
    return _Gate(get_plugins())


def scan_paths(gate: _Gate, files: Iterable[str]) -> dict[str, Any]:
    """detect-secrets' `results` for files relative to the current directory, as its CLI prints them."""
    from detect_secrets.core import scan
    from detect_secrets.core.secrets_collection import SecretsCollection

    collection = SecretsCollection()
    for filename in files:
        if scan._is_filtered_out(required_filter_parameters=["filename"], filename=filename):
            continue
        try:
            # Both passes scan_file may read: the plain (or transformed) lines, then the eager transformers.
            possible = any(gate.fires(lines) for lines in scan._get_lines_from_file(filename))
        except OSError:
            continue  # scan_file skips unreadable files the same way
        if possible:
            collection.scan_file(filename)
    return dict(collection.json())


def worker_main() -> int:
    """Read {"files": [...]} on stdin, print {"results": ...} on stdout; cwd is the scan root."""
    files = json.load(sys.stdin)["files"]
    gate = configure()
    json.dump({"results": scan_paths(gate, files)}, sys.stdout)
    return 0


# --- the driver -----------------------------------------------------------------------------------------


def chunks(root: Path, files: Sequence[str], count: int) -> list[list[str]]:
    """Split files into `count` lists of about equal bytes (largest first onto the lightest list)."""

    def size(name: str) -> int:
        try:
            return (root / name).stat().st_size
        except OSError:
            return 0

    loads = [0] * count
    parts: list[list[str]] = [[] for _ in range(count)]
    for name in sorted(files, key=size, reverse=True):
        i = loads.index(min(loads))
        parts[i].append(name)
        loads[i] += size(name) + 512  # a file costs something even when tiny
    return [p for p in parts if p]


def _output_of(cmd: list[str], root: Path, what: str, stdin: str | None = None) -> str:
    """stdout of a scanner process; one that cannot start or exits non-zero is a ToolError (fails closed)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, input=stdin, capture_output=True, text=True, check=False,
                              stdin=None if stdin is not None else subprocess.DEVNULL)
    except OSError as exc:
        raise ToolError(f"cannot start {what}: {exc.strerror}") from None
    if proc.returncode != 0:
        raise ToolError(f"{what} exited with code {proc.returncode}")
    return proc.stdout


def _run_worker(root: Path, files: list[str]) -> str:
    return _output_of([sys.executable, "-m", "checker.tools.secrets"], root, "the detect-secrets worker",
                      stdin=json.dumps({"files": files}))


def scan_outputs(root: Path, files: Sequence[str], jobs: int | None = None) -> list[str]:
    """Each worker's output, in the CLI's JSON format (`{"results": {file: [secret, ...]}}`)."""
    if not files:
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, math.ceil(len(files) / MIN_FILES_PER_WORKER)))
    parts = chunks(root, files, workers)
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        return list(pool.map(lambda part: _run_worker(root, part), parts))


def _run_cli(root: Path, files: Sequence[str], jobs: int | None) -> str:
    return _output_of(command(files, jobs), root, "detect-secrets")


def run(root: Path, files: Sequence[str], jobs: int | None = None) -> list[Hit]:
    """detect-secrets' findings on files (relative to root) from `jobs` worker processes (default: all cores).

    With IDEOGRAM_PROD_DETECT_SECRETS set (a pinned install elsewhere), that CLI runs instead, unchanged.
    """
    if not files:
        return []
    if os.environ.get("IDEOGRAM_PROD_DETECT_SECRETS"):
        outputs = [_run_cli(root, files, jobs)]
    else:
        outputs = scan_outputs(root, files, jobs)
    hits = [hit for text in outputs for hit in parse_output(text)]
    return sorted(hits, key=lambda h: (h.path, h.line, h.check_id))


def baseline_allowed(root: Path, baseline: str) -> set[tuple[str, str]]:
    """(filename, hashed_secret) pairs the team's baseline records and did not audit as real secrets."""
    path = root / baseline
    if not path.is_file():
        return set()
    try:
        data = _Output.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        raise InputError(f"{path}: not a detect-secrets baseline") from None
    return {(s.filename, s.hashed_secret) for secrets in data.results.values() for s in secrets
            if s.is_secret is not True}


if __name__ == "__main__":
    sys.exit(worker_main())
