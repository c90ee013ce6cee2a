"""Find committed secrets with detect-secrets' plugins (never verifying) in isolated workers, fast enough for a PR gate.

Why CPython's private `re._parser` (stable since 3.11) and not google-re2 or pyahocorasick, which both install here:
the gate relaxes the plugins' own patterns (drops their lookarounds), which RE2 cannot even compile, so it would need
this parser all the same; and Aho-Corasick would only replace the literal pre-check, already a C substring search.
Measured on gradio/streamlit the gate is 45-61 % of a worker's CPU, spent in keyword and entropy marking (Python) and
three literal-free patterns, none of which either library speeds up.

Two modes share one reader. *Raw* is the detect-secrets CLI exactly (`tests/test_secrets_engine.py` compares
them; the noise benchmark's "before"). The *product* reads every file git lists (undecodable bytes fall back to
latin-1, lock and "non-text" files included), runs our Ideogram detector outside detect-secrets' filters, and
lets `checker.detectors.noise` judge lock-file hashes, placeholders and local dev credentials, each judgement
counted (`Outcome.suppressed`).

The detect-secrets CLI spends ~75 % of its time in per-line, per-plugin dependency injection
(`detect_secrets.util.inject.call_function_with_arguments`: 28 plugins x every line). Most files hold
nothing any plugin could report, so each worker first asks a *gate* built from the plugins themselves
whether a file could yield a secret at all; only files the gate cannot rule out go through
detect-secrets' line scan, unchanged. The gate is conservative by construction (see `_Gate`).
"""

from __future__ import annotations

import bisect
import io
import itertools
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from checker.detectors import noise
from checker.detectors.decode import decoded, is_binary, printable
from checker.errors import ToolError
from checker.tools import Hit, executable, isolated_env, launcher

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
    cmd = launcher(executable("detect-secrets"))
    if jobs:
        cmd += ["-c", str(jobs)]
    return [*cmd, *cli_args(), *files]


def check_id_for(secret_type: str) -> str:
    return "secret-ideogram-key" if secret_type == IDEOGRAM_TYPE else "secret-generic"


def parse_output(text: str) -> list[Hit]:
    """One Hit per secret in the CLI's JSON (see `_hits`)."""
    try:
        data = _Output.model_validate_json(text)
    except ValidationError:
        raise ToolError("detect-secrets wrote output that is not its JSON format") from None
    return [hit for filename, secrets in data.results.items() for hit in _hits(filename, secrets) if hit is not None]


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
                # NOTE: mirrors checker/detectors/ideogram_key.py: _HEADER needs api[-_]key; _NAMED and _CLIENT
                # need ideogram; the env-list value and a client's apiKey need ideogram on the line before.
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

    def open_lines(self, lines: Sequence[str]) -> set[int] | None:
        """Indices of the lines `fires` would open on, each judged alone (None: every line), from one pass per
        pattern over the whole text: a match marks every line it touches, so no line `fires([line])` opens on is
        left out (the leftmost match from any point before it reaches into its line)."""
        if self.always:
            return None
        stripped = [line.rstrip() for line in lines]
        text = "\n".join(stripped)
        starts = list(itertools.accumulate((len(line) + 1 for line in stripped[:-1]), initial=0))
        lowered = text.lower() if text.isascii() else None
        found: set[int] = set()

        def mark(start: int, end: int) -> None:
            first = bisect.bisect_right(starts, start) - 1
            found.update(range(first, bisect.bisect_right(starts, max(start, end - 1))))

        for fast, slow in self.folded:
            for m in fast.finditer(lowered) if lowered is not None else slow.finditer(text):
                mark(m.start(), m.end())
        for p in self.text:
            haystack = lowered if p.icase else text
            if p.needs is not None and haystack is not None and not any(lit in haystack for lit in p.needs):
                continue
            for m in p.pattern.finditer(text):
                mark(m.start(), m.end())
        for plugin, min_len in self.entropy:
            for m in plugin.regex.finditer(text):
                value = m.group(min(plugin.regex.groups, 2))  # what findall's item gives `fires`
                if len(value) > min_len and plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                    mark(m.start(), m.end())
        found.update(i for i, line in enumerate(stripped) for p in self.lines if p.search(line))
        return found


# --- the worker: its own process (`python -I`, cwd outside the repository, files read by absolute path) -------

# We check files ourselves, by absolute path: detect-secrets' test is relative to a cwd we never give it.
_CLI_OFF = ("detect_secrets.filters.common.is_invalid_file",)
# The product turns off the filters that hide whole files (lock, "non-text", swagger) or drop a secret without a
# trace: the noise rules judge those matches instead, every judgement counted; the allowlist pragma is judged,
# and listed, by checker.suppress with the inline ignores.
_PRODUCT_OFF = (
    *_CLI_OFF,
    "detect_secrets.filters.heuristic.is_lock_file",
    "detect_secrets.filters.heuristic.is_non_text_file",
    "detect_secrets.filters.heuristic.is_swagger_file",
    "detect_secrets.filters.allowlist.is_line_allowlisted",
)
_IDEOGRAM_HINT = re.compile(r"(?i)api[-_]?key|ideogram")


def configure() -> _Gate:
    """Settings exactly as `detect-secrets scan -n --plugin <ours>` builds them, and the gate over them."""
    from detect_secrets.core.usage import ParserBuilder
    from detect_secrets.settings import get_plugins

    ParserBuilder().add_console_use_arguments().parse_args(cli_args())
    return _Gate(get_plugins())


class _NamedText(io.StringIO):
    """Decoded file contents under the repo-relative name that detect-secrets' transformers and filters see."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text, newline=None)  # universal newlines, as open() gives the CLI
        self.name = name


def _passes(text: str, name: str) -> Iterator[list[str]]:
    """The line lists detect-secrets' scan_file reads: the plain (or transformed) lines, then eager transformers."""
    from detect_secrets.transformers import get_transformed_file

    f = _NamedText(text, name)
    lines = get_transformed_file(f)  # type: ignore[arg-type]
    yield lines or f.readlines()
    f.seek(0)
    eager = get_transformed_file(f, use_eager_transformers=True)  # type: ignore[arg-type]
    if eager:
        yield eager


@dataclass(frozen=True, slots=True)
class Job:
    """What one worker scans: names relative to root; raw = the plain CLI's behaviour (parity, benchmarks)."""

    root: Path
    files: tuple[str, ...]
    raw: bool = False
    services: frozenset[str] = frozenset()


class _Worker:
    def __init__(self, job: Job) -> None:
        from detect_secrets.settings import get_settings

        self.job = job
        self.gate = configure()
        self.ours: Any = None
        self.kinds: Counter[str] = Counter()
        settings = get_settings()
        settings.disable_filters(*(_CLI_OFF if job.raw else _PRODUCT_OFF))
        if not job.raw:
            # Our detector runs outside detect-secrets' filters: `is_indirect_reference` drops
            # `IdeogramClient(api_key="...")` and `os.getenv("IDEOGRAM_API_KEY", "...")`.
            from detect_secrets.settings import get_plugins

            everything = list(get_plugins())
            self.ours = next(p for p in everything if p.secret_type == IDEOGRAM_TYPE)
            settings.disable_plugins(type(self.ours).__name__)
            get_plugins.cache_clear()
            others = [p for p in everything if p is not self.ours]
            # Lock files: no entropy detector (every hash would be one). Binary files: provider patterns only.
            self.plugins = {
                "text": others,
                "lock": [p for p in others if p.secret_type not in noise.ENTROPY_TYPES],
                "binary": [p for p in others if p.secret_type not in noise.GENERIC_TYPES],
            }
            self.gates = {kind: _Gate([*plugins, self.ours]) for kind, plugins in self.plugins.items()}

    def text(self, name: str) -> tuple[str, str] | None:
        """(text, kind) of a file, kind "text", "lock" or "binary"; None where the CLI would skip it (raw mode
        only). OSError: unreadable."""
        from detect_secrets.core import scan

        if self.job.raw and (not (self.job.root / name).is_file()
                             or scan._is_filtered_out(required_filter_parameters=["filename"], filename=name)):
            return None
        data = (self.job.root / name).read_bytes()
        if self.job.raw:
            try:
                return data.decode("utf-8"), "text"  # what open() gives the CLI under a UTF-8 locale
            except UnicodeDecodeError:
                return None  # the CLI skips such a file, silently: the product decodes it instead
        text, encoding = decoded(data)
        from detect_secrets.filters.heuristic import is_non_text_file

        if is_binary(data, encoding):
            return printable(data), "binary"
        if noise.is_lock_file(name):
            return text, "lock"
        if is_non_text_file(name):  # .svg, .css...: text, but their long strings are not credentials
            return text, "binary"
        return text, "text"

    def scan(self, name: str) -> list[dict[str, Any]] | None:
        """The file's secrets as detect-secrets' JSON entries (plus `suppressed` outside raw mode); None: not read."""
        from detect_secrets.core import scan

        read = self.text(name)
        if read is None:
            return None
        text, kind = read
        self.kinds[kind] += 1
        gate = self.gate if self.job.raw else self.gates[kind]
        found: dict[tuple[str, str], dict[str, Any]] = {}
        # A binary file's text runs are no config file: detect-secrets' transformers would only parse noise.
        passes = [io.StringIO(text).readlines()] if kind == "binary" else _passes(text, name)
        for lines in passes:
            # The product asks the gate once for the lines it opens on (none: it does not fire); the raw mode asks
            # whether it fires, then reads every line, as the CLI does.
            wanted = None if self.job.raw else gate.open_lines(lines)
            if wanted is None and self.job.raw and not gate.fires(lines):
                continue
            if wanted is None or wanted:
                if self.job.raw:
                    secrets: Iterator[Any] = scan._process_line_based_plugins(
                        lines=list(enumerate(lines, start=1)), filename=name)
                else:
                    secrets = itertools.chain(_process_lines(lines, name, self.plugins[kind], wanted),
                                              self._ideogram(name, lines))
                local = frozenset() if self.job.raw else noise.local_passwords(lines, self.job.services)
                for secret in secrets:
                    self._add(found, secret, lines, kind == "binary", local)
            if found:
                break
        entries = list(found.values())
        kept = entries if self.job.raw else _distinct(entries)
        for entry in entries:
            del entry["value"]  # the secret itself never leaves the worker
        return kept

    def _ideogram(self, name: str, lines: list[str]) -> Iterator[Any]:
        from detect_secrets.util.code_snippet import get_code_snippet

        previous = ""
        for number, line in enumerate(lines, start=1):
            if _IDEOGRAM_HINT.search(line) or _IDEOGRAM_HINT.search(previous):
                context = get_code_snippet(lines=lines, line_number=number)
                yield from self.ours.analyze_line(filename=name, line=line.rstrip(), line_number=number,
                                                  context=context)
            previous = line

    def _add(self, found: dict[tuple[str, str], dict[str, Any]], secret: Any, lines: list[str], binary: bool,
             local: frozenset[str]) -> None:
        """First match of a secret wins (as in detect-secrets' collection), except that a finding beats noise."""
        entry: dict[str, Any] = secret.json()
        key = (secret.type, secret.secret_hash)
        entry["value"] = secret.secret_value or ""  # for _distinct(); scan() deletes it before output
        if not self.job.raw:
            entry["suppressed"] = self._suppression(secret, lines, binary, local)
            earlier = found.get(key)
            if earlier is not None and (earlier["suppressed"] is None or entry["suppressed"] is not None):
                return
        elif key in found:
            return
        found[key] = entry

    def _suppression(self, secret: Any, lines: list[str], binary: bool, local: frozenset[str]) -> str | None:
        number = secret.line_number
        line = lines[number - 1].rstrip() if 0 < number <= len(lines) else ""
        return noise.suppression(secret.type, secret.secret_value or "", line, secret.filename, binary=binary,
                                 services=self.job.services, local=local)


def _process_lines(lines: list[str], filename: str, plugins: Sequence[Any], wanted: set[int] | None) -> Iterator[Any]:
    """detect-secrets' `_process_line_based_plugins` with these plugins only; its filters and order unchanged.

    Only the lines the gate opens on (`wanted`, 0-based; None: all) are analysed: every line a plugin reports opens it
    on its own (the property `test_gate_never_rules_out_a_line_any_plugin_reports` holds), and these plugins read no
    other line. In a 28,000-line yarn.lock that one word opened, this is 40 s against a fraction of a second.
    """
    from detect_secrets.core import scan
    from detect_secrets.util.code_snippet import get_code_snippet

    for number, raw_line in enumerate(lines, start=1):
        if wanted is not None and number - 1 not in wanted:
            continue
        line = raw_line.rstrip()
        context = get_code_snippet(lines=lines, line_number=number)
        if scan._is_filtered_out(required_filter_parameters=["line"], filename=filename, line=line, context=context):
            continue
        for plugin in plugins:
            for secret in scan._scan_line(plugin=plugin, filename=filename, line=line, line_number=number,
                                          context=context):
                if not scan._is_filtered_out(required_filter_parameters=["context"], filename=secret.filename,
                                             secret=secret.secret_value, plugin=plugin, line=line, context=context):
                    yield secret


def _distinct(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each token once: a generic match (entropy, keyword) overlapping a provider pattern's match on its line is
    that token, found twice (the ghp_... value and its high-entropy string)."""
    providers = [(e["line_number"], e["value"]) for e in entries if e["type"] not in noise.GENERIC_TYPES]
    return [e for e in entries if not (
        e["type"] in noise.GENERIC_TYPES and e["value"]
        and any(n == e["line_number"] and p and (p in e["value"] or e["value"] in p) for n, p in providers))]


def worker_main() -> int:
    """Read a Job as JSON on stdin; print {"results": {file: [secret, ...]}, "errors": {file: why}, "read": n}."""
    data = json.load(sys.stdin)
    job = Job(Path(data["root"]), tuple(data["files"]), bool(data.get("raw")), frozenset(data.get("services", ())))
    worker = _Worker(job)
    results: dict[str, list[dict[str, Any]]] = {}
    errors: dict[str, str] = {}
    read = 0
    for name in job.files:
        try:
            entries = worker.scan(name)
        except OSError as exc:
            errors[name] = exc.strerror or type(exc).__name__
            continue
        if entries is None:
            continue
        read += 1
        if entries:
            results[name] = sorted(entries, key=lambda e: (e["line_number"], e["hashed_secret"], e["type"]))
    json.dump({"results": results, "errors": errors, "read": read, "lock": worker.kinds["lock"],
               "binary": worker.kinds["binary"]}, sys.stdout)
    return 0


# --- the driver -----------------------------------------------------------------------------------------


class _WorkerSecret(_Secret):
    suppressed: str | None = None


class _WorkerOutput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    results: dict[str, list[_WorkerSecret]]
    errors: dict[str, str] = {}
    read: int = 0
    lock: int = 0
    binary: int = 0


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A match the noise rules judged not to be a finding: counted and listed, never silently dropped."""

    hit: Hit
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    hits: tuple[Hit, ...]
    suppressed: tuple[Suppressed, ...]
    read: int
    lock_files: int = 0  # read without the entropy detectors
    binary_files: int = 0  # read with the provider patterns only (their text runs, for real binaries)

    def note(self, given: int) -> str:
        """What was read and how, for the check's reason."""
        parts = [f"{self.read} of {given} file(s) read"]
        if self.lock_files:
            parts.append(f"{self.lock_files} lock file(s) without the entropy detectors")
        if self.binary_files:
            parts.append(f"{self.binary_files} binary or non-text file(s) with provider patterns only")
        return "; ".join(parts)


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


def _output_of(cmd: list[str], what: str, stdin: str | None = None) -> str:
    """stdout of a scanner process started so that nothing in the scanned repository can reach it.

    Its cwd and HOME are a fresh empty directory, its environment `isolated_env()`'s; the worker runs under
    `python -I` (no cwd or script dir on sys.path, no PYTHON* variables, no user site). One that cannot start
    or exits non-zero is a ToolError (fails closed).
    """
    with tempfile.TemporaryDirectory(prefix="ideogram-prod-secrets-") as cwd:
        env = isolated_env(Path(cwd))
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, check=False,
                                  stdin=None if stdin is not None else subprocess.DEVNULL)
        except OSError as exc:
            raise ToolError(f"cannot start {what}: {exc.strerror}") from None
    if proc.returncode != 0:
        raise ToolError(f"{what} exited with code {proc.returncode}")
    return proc.stdout


def worker_command() -> list[str]:
    return [sys.executable, "-I", "-W", "ignore", "-m", "checker.tools.secrets"]


def _run_worker(job: Job) -> str:
    payload = {"root": str(job.root.resolve()), "files": list(job.files), "raw": job.raw,
               "services": sorted(job.services)}
    return _output_of(worker_command(), "the detect-secrets worker", stdin=json.dumps(payload))


def scan_outputs(root: Path, files: Sequence[str], jobs: int | None = None, *, raw: bool = True,
                 services: frozenset[str] = frozenset()) -> list[str]:
    """Each worker's output; raw: exactly the CLI's findings, in its JSON format (`{"results": ...}`)."""
    if not files:
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, math.ceil(len(files) / MIN_FILES_PER_WORKER)))
    parts = chunks(root, files, workers)
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        return list(pool.map(lambda part: _run_worker(Job(root, tuple(part), raw, services)), parts))


def _parse_worker(text: str) -> _WorkerOutput:
    try:
        return _WorkerOutput.model_validate_json(text)
    except ValidationError:
        raise ToolError("detect-secrets wrote output that is not its JSON format") from None


def compose_services(root: Path, files: Sequence[str]) -> frozenset[str]:
    """Service names of the repository's compose files: hosts that only exist on a developer's machine or CI."""
    names: set[str] = set()
    for name in files:
        if not _COMPOSE.fullmatch(name.rsplit("/", 1)[-1]):
            continue
        try:
            path = root / name
            if path.stat().st_size > 1_000_000:
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, yaml.YAMLError, RecursionError):
            continue  # unreadable: no names, so fewer matches count as local (the strict direction)
        services = data.get("services") if isinstance(data, dict) else None
        if isinstance(services, dict):
            names.update(str(s).lower() for s in services)
    return frozenset(names)


_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.\-][\w.\-]+)?\.ya?ml")


def scan(root: Path, files: Sequence[str], jobs: int | None = None) -> Outcome:
    """Findings and counted suppressions over files (relative to root) from `jobs` workers (default: all cores).

    Every file is read (undecodable bytes fall back to latin-1); a file that cannot be read is a ToolError.
    With IDEOGRAM_PROD_DETECT_SECRETS set (a pinned install elsewhere), that CLI runs instead, unchanged.
    """
    if not files:
        return Outcome((), (), 0)
    if os.environ.get("IDEOGRAM_PROD_DETECT_SECRETS"):
        cli = parse_output(_run_cli(root, files, jobs))
        return Outcome(tuple(sorted(cli, key=_order)), (), len(files))
    hits: list[Hit] = []
    suppressed: list[Suppressed] = []
    read = lock = binary = 0
    errors: dict[str, str] = {}
    for text in scan_outputs(root, files, jobs, raw=False, services=compose_services(root, files)):
        out = _parse_worker(text)
        read += out.read
        lock += out.lock
        binary += out.binary
        errors.update(out.errors)
        for filename, entries in out.results.items():
            for hit, entry in zip(_hits(filename, entries), entries, strict=True):
                if hit is None:
                    continue
                if entry.suppressed is None:
                    hits.append(hit)
                else:
                    suppressed.append(Suppressed(hit, entry.suppressed))
    if errors:
        first = sorted(errors)[0]
        raise ToolError(f"could not read {len(errors)} file(s), e.g. {first}: {errors[first]}")
    if read != len(files):
        raise ToolError(f"the detect-secrets worker read {read} of {len(files)} file(s)")
    return Outcome(tuple(sorted(hits, key=_order)), tuple(sorted(suppressed, key=lambda s: _order(s.hit))), read,
                   lock, binary)


def _order(hit: Hit) -> tuple[str, int, str]:
    return (hit.path, hit.line, hit.check_id)


def _hits(filename: str, secrets: Sequence[_Secret]) -> list[Hit | None]:
    """One Hit per secret, None where it repeats one: a generic hit on a line holding an Ideogram key is that key."""
    ideogram_lines = {s.line_number for s in secrets if s.type == IDEOGRAM_TYPE}
    hits: list[Hit | None] = []
    for s in secrets:
        if s.type != IDEOGRAM_TYPE and s.line_number in ideogram_lines:
            hits.append(None)
            continue
        message = f"{s.type} committed in the repository"
        hits.append(Hit(check_id_for(s.type), filename, s.line_number, s.line_number, s.hashed_secret, message,
                        noise.severity(s.type, filename)))
    return hits


def _run_cli(root: Path, files: Sequence[str], jobs: int | None) -> str:
    """The pinned CLI over absolute paths (its cwd is outside the repository), results renamed back to relative."""
    base = str(root.resolve()) + os.sep
    text = _output_of(command([base + f for f in files], jobs), "detect-secrets")
    try:
        data = json.loads(text)
        data["results"] = {k.removeprefix(base): v for k, v in data["results"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ToolError("detect-secrets wrote output that is not its JSON format") from None
    return json.dumps(data)


def run(root: Path, files: Sequence[str], jobs: int | None = None) -> list[Hit]:
    """The findings alone (see `scan`)."""
    return list(scan(root, files, jobs).hits)


if __name__ == "__main__":
    sys.exit(worker_main())
