"""The repository-level post-pass over the rule pack's hits: what semgrep (intra-file) cannot judge alone.

It drops a hit only with a reason (logged at debug and listed in the report as a suppression), never when the
integration map is incomplete or a file it needs cannot be read, and adds key-client-exposed hits for modules the
map knows run in the browser."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.integration_map import MAX_SOURCE_BYTES, IntegrationMap, read_source
from checker.tools import Hit

if TYPE_CHECKING:
    from checker.scan import EngineRun

log = logging.getLogger(__name__)

URL_NOT_PERSISTED = "code-ideogram-url-not-persisted"
KEY_CLIENT_EXPOSED = "code-ideogram-key-client-exposed"
UNHANDLED = "code-ideogram-unhandled-errors"
NO_TIMEOUT = "code-ideogram-no-timeout"
WINDOW = 15  # lines after a call in which its result must be persisted
STATUSES = ("400", "401", "422", "429")

_PERSIST = r"(?i:(?:[\w.]*\.)?_?(?:download|upload|persist|mirror|rehost|archive|save_image|save_to|store_image|store_to|put_object|copy_to|fetch_image|fetch_bytes)\w*)"  # noqa: E501
_DEF = re.compile(r"^(\s*)(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:def|function\*?)\s+(\w+)"
                  r"|^(\s*)func\s+(?:\([^)]*\)\s*)?(\w+)\s*[\[(]"  # Go, methods too
                  r"|^(\s*)(?:(?:public|private|protected|static|final|abstract)\s+)+function\s+&?(\w+)\s*\("  # PHP
                  r"|^(\s*)(?:export\s+)?(?:const|let|var)\s+(\w+)\s*=\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*(?::[^=]*)?=>"
                  r"|^(\s*)(?:(?:public|private|protected|static|async)\s+)*(\w+)\s*\([^)]*\)\s*(?::[^{]*)?\{")
_NOT_NAMES = frozenset({"if", "for", "while", "switch", "catch", "return", "function", "constructor"})
_RECEIVER = re.compile(r"(?:\b(?:self|this)\s*\.\s*)?\b(\w+)\s*\.\s*(?:get|post|put|patch|delete|request|head|stream"
                       r"|send)\s*[<(]")
_FINITE_TIMEOUT = re.compile(
    r"\btimeout\s*[=:]\s*(?!None\b|null\b|undefined\b|0\b|false\b)[\w(.]|AbortSignal\.timeout\("
    r"|\bhttpx\.(?:Async)?Client\((?![^)]*timeout\s*=\s*None)|\bfrom\s+['\"]ky['\"]|require\(\s*['\"]ky['\"]\s*\)")
_KEY_HEADER = re.compile(r"""(?i)(?:["'`]api-key["'`]\s*:\s*(?!["'`]\s*["'`])\S"""
                         r"""|\.(?:set|append)\(\s*["'`]api-key["'`]\s*,|\[\s*["'`]api-key["'`]\s*\]\s*=[^=])""")

Reader = Callable[[str], list[str] | None]


def _reader(root: Path) -> Reader:
    cache: dict[str, list[str] | None] = {}
    inside: dict[bytes, bool] = {}

    def lines(name: str) -> list[str] | None:
        if name not in cache:
            try:
                data = read_source(root, name, MAX_SOURCE_BYTES, inside)
            except (OSError, ValueError):
                data = None
            cache[name] = None if data is None else data.decode("utf-8", "replace").splitlines()
        return cache[name]

    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def enclosing_function(lines: list[str], line: int) -> str | None:
    """The name of the function or method whose body holds 1-based `line` (the nearest less-indented definition)."""
    depth = _indent(lines[line - 1])
    for text in reversed(lines[:line - 1]):
        match = _DEF.match(text)
        if match and _indent(text) < depth:
            name = next((g for g in match.groups()[1::2] if g), None)
            if name and name not in _NOT_NAMES:
                return name
        if text.strip() and _indent(text) == 0 and not text.lstrip().startswith(("}", ")", "@", "#", "//")):
            return None
    return None


@functools.lru_cache(maxsize=256)
def _call_pattern(function: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w$])(?:[\w$]+\s*\.\s*)?{re.escape(function)}\s*\(")


_IMPORT = re.compile(r"^\s*(?:from\s+\S+\s+import\b|import\b|export\s*\{|use\s)|\brequire\s*\(")


def callers(names: Iterable[str], read: Reader, function: str) -> list[tuple[str, int]] | None:
    """Every call of `function` in the repository (path, 1-based line), definitions and imports left out; None when
    a file could not be read, or when the function is also used as a value (aliased, passed as a callback,
    registered as a handler): then its callers are not all known."""
    call = _call_pattern(function)
    word = re.compile(rf"(?<![\w$]){re.escape(function)}(?![\w$])")
    found = []
    for name in names:
        lines = read(name)
        if lines is None:
            return None
        for number, text in enumerate(lines, 1):
            if not word.search(text) or (_DEF.match(text) and enclosing_name(text) == function):
                continue
            if call.search(text):
                found.append((name, number))
            elif not _IMPORT.search(text) and not text.lstrip().startswith(("#", "//", "*", "/*")):
                log.debug("post-pass: %s is used as a value at %s:%d; its callers are not all known", function, name,
                          number)
                return None
    return found


def enclosing_name(text: str) -> str | None:
    match = _DEF.match(text)
    return next((g for g in match.groups()[1::2] if g), None) if match else None


def persists(lines: list[str], line: int, function: str) -> bool:
    """Whether the call of `function` at `line` downloads/stores its result: handed straight to a persisting call,
    or bound to a name that a persisting call (or a loop feeding one) takes within the next lines."""
    text = lines[line - 1]
    if re.search(rf"{_PERSIST}\s*\([^\n]*{re.escape(function)}\s*\(", text):
        return True
    call = rf"(?:await\s+)?(?:[\w$]+\s*(?:\.|->|::)\s*)*{re.escape(function)}\s*\("
    bound = re.search(rf"(\w+)\s*,\s*\w+\s*:?=\s*{call}", text) or re.search(  # Go: url, err := ...
        rf"(\w+)\s*(?::[^=]*)?=\s*{call}", text)
    if not bound:
        return False
    names = {bound.group(1)}
    window = lines[line:line + WINDOW]
    for later in window:
        loop = re.search(r"for\s*\(?\s*(?:const|let|var)?\s*(\w+)\s+(?:in|of)\s+(\w+)", later) or re.search(
            r"for\s+(?:_\s*,\s*)?(\w+)\s*:=\s*range\s+(\w+)", later)  # Go
        php = re.search(r"foreach\s*\(\s*\$(\w+)\s+as\s+\$(\w+)", later)
        if loop and loop.group(2) in names:
            names.add(loop.group(1))
        if php and php.group(1) in names:
            names.add(php.group(2))
    alternatives = "|".join(re.escape(n) for n in names)
    persist = re.compile(rf"{_PERSIST}\s*\([^\n]*\b(?:{alternatives})\b")
    return any(persist.search(later) for later in window)


def returned_url_persisted(hit: Hit, imap: IntegrationMap, read: Reader) -> str | None:
    """A `return` of the URL is fine when every caller in the repository persists the result."""
    lines = read(hit.path)
    if lines is None or hit.line > len(lines) or not lines[hit.line - 1].lstrip().startswith(("return", "yield")):
        return None
    function = enclosing_function(lines, hit.line)
    if function is None:
        return None
    calls = callers(imap.files, read, function)
    if not calls:
        return None
    for path, number in calls:
        theirs = read(path)
        if theirs is None or not persists(theirs, number, function):
            return None
    where = ", ".join(f"{p}:{n}" for p, n in calls[:3]) + (" ..." if len(calls) > 3 else "")
    return f"every caller of {function}() persists the image ({len(calls)} call(s): {where})"


def catch_maps_statuses(hit: Hit, read: Reader) -> str | None:
    """The call sits in a try whose catch hands the error to a same-class mapper that branches on the statuses."""
    lines = read(hit.path)
    if lines is None or hit.line > len(lines):
        return None
    depth = _indent(lines[hit.line - 1])
    start = None
    for number in range(hit.line - 1, 0, -1):
        text = lines[number - 1]
        if _indent(text) < depth and re.match(r"\s*(?:\}\s*)?try\s*(?::|\{)", text):
            start = number
            break
        if _indent(text) < depth and _DEF.match(text):
            return None
    if start is None:
        return None
    base = _indent(lines[start - 1])
    for number in range(hit.line, min(len(lines), hit.line + 60)):
        text = lines[number]
        handler = re.search(r"catch\s*\(\s*(\w+)|except\b[^:\n]*\bas\s+(\w+)\s*:", text)
        if handler and _indent(text) <= base + 4:
            var = handler.group(1) or handler.group(2)
            body = "\n".join(lines[number + 1:number + 1 + WINDOW])
            mapper = re.search(rf"\b(?:self|this)\s*\.\s*(\w+)\s*\(\s*{re.escape(var)}\b", body)
            if not mapper:
                return None
            span = class_span(lines, hit.line)
            if span is None:
                return None
            codes = mapper_statuses(lines[span[0]:span[1]], mapper.group(1))
            if len(codes) >= 2:
                return f"the catch hands the error to {mapper.group(1)}(), which branches on {'/'.join(codes)}"
            return None
    return None


_CLASS = re.compile(r"^(\s*)(?:export\s+)?(?:default\s+)?(?:abstract\s+|final\s+)?class\s+\w+")


def class_span(lines: list[str], line: int) -> tuple[int, int] | None:
    """The 0-based [start, end) lines of the class whose body holds 1-based `line`."""
    depth = _indent(lines[line - 1])
    for start in range(line - 2, -1, -1):
        match = _CLASS.match(lines[start])
        if match and len(match.group(1)) < depth:
            base = len(match.group(1))
            for end in range(start + 1, len(lines)):
                text = lines[end]
                if text.strip() and _indent(text) <= base and not text.strip().startswith(("}", ")")):
                    return start, end
                if text.strip().startswith("}") and _indent(text) == base:
                    return start, end + 1
            return start, len(lines)
    return None


def mapper_statuses(lines: list[str], method: str) -> list[str]:
    """The HTTP statuses among 400/401/422/429 that the method `method` (of these lines: the class) branches on."""
    for number, text in enumerate(lines):
        if enclosing_name(text) == method:
            depth = _indent(text)
            body = []
            for later in lines[number + 1:number + 80]:
                if later.strip() and _indent(later) <= depth and not later.strip().startswith((")", "]")):
                    break
                body.append(later)
            joined = "\n".join(body)
            return [code for code in STATUSES if re.search(rf"\b{code}\b", joined)]
    return []


def _module_file(imap: IntegrationMap, importer: str, spec: str) -> str | None:
    """The repository file an import names: a relative JS specifier or a dotted Python module."""
    if spec.startswith("."):
        if "/" in spec or spec.startswith("./") or spec.startswith("../"):
            base = Path(importer).parent
            stem = (base / spec).as_posix()
            parts: list[str] = []
            for part in stem.split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part not in (".", ""):
                    parts.append(part)
            stem = "/".join(parts)
            for name in imap.files:
                if name.rsplit(".", 1)[0] in (stem, f"{stem}/index"):
                    return name
            return None
        spec = spec.lstrip(".")
    tail = spec.replace(".", "/")
    return next((n for n in imap.files if n.endswith((f"{tail}.py", f"{tail}/__init__.py"))), None)


def wrapper_timeout(hit: Hit, imap: IntegrationMap, read: Reader) -> str | None:
    """The call's client is made in another module of the repository with a finite timeout (set there, or its
    library's default: httpx 5 s, ky 10 s)."""
    lines = read(hit.path)
    if lines is None or hit.line > len(lines):
        return None
    match = _RECEIVER.search(lines[hit.line - 1])
    if not match:
        return None
    receiver = match.group(1)
    text = "\n".join(lines)
    origin = None
    imported = re.search(rf"^\s*from\s+([\w.]+)\s+import\s+[^\n]*\b{receiver}\b", text, re.MULTILINE) or re.search(
        rf"""import\s*\{{[^}}]*\b{receiver}\b[^}}]*\}}\s*from\s*["']([^"']+)["']""", text)
    if imported:
        origin = _module_file(imap, hit.path, imported.group(1))
        if origin is not None and origin != hit.path:
            theirs = read(origin)
            if theirs is not None:
                assigned = re.compile(rf"\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?{receiver}\s*(?::[^=]*)?=[^=]")
                if any(assigned.match(t) for t in lines):
                    return None  # rebound here: the imported client is not the one called
                mades = [t for t in theirs if assigned.match(t)]
                made = mades[0] if len(mades) == 1 else None  # bound once there, or not known
                if made and _FINITE_TIMEOUT.search(made):
                    default = " (httpx's default: 5 s)" if re.search(r"httpx\.(?:Async)?Client\(", made) \
                        and "timeout" not in made else ""
                    return f"{receiver} is made in {origin} with a finite timeout{default}"
                cls = re.search(r"=\s*(?:new\s+)?(\w+)\s*\(", made or "")
                if cls:
                    return _class_timeout(cls.group(1), imap, read, hit.path, receiver)
        return None
    typed = re.search(rf"\b{receiver}\s*[:?]\s*(?:readonly\s+)?([A-Z]\w*)", text) or re.search(
        rf"(?:self|this)\.{receiver}\s*=\s*(?:new\s+)?([A-Z]\w*)\s*\(", text)
    if typed:
        return _class_timeout(typed.group(1), imap, read, hit.path, receiver)
    return None


def _class_timeout(cls: str, imap: IntegrationMap, read: Reader, here: str, receiver: str) -> str | None:
    for name in imap.files:
        if name == here:
            continue
        lines = read(name)
        if lines is None:
            return None
        if any(re.match(rf"\s*(?:export\s+)?(?:default\s+)?class\s+{re.escape(cls)}\b", t) for t in lines):
            if _FINITE_TIMEOUT.search("\n".join(lines)):
                return f"{receiver} is a {cls}, defined in {name} with a finite timeout"
            return None
    return None


_DROPS: dict[str, Callable[[Hit, IntegrationMap, Reader], str | None]] = {
    URL_NOT_PERSISTED: returned_url_persisted,
    UNHANDLED: lambda hit, imap, read: catch_maps_statuses(hit, read),
    NO_TIMEOUT: wrapper_timeout,
}


def exposed_key_hits(imap: IntegrationMap, read: Reader, known: Iterable[Hit]) -> list[Hit]:
    """The key header sent from a module the map knows runs in the browser (a Vite SPA module touching the page,
    a 'use client' module, a React page with client-only hooks), where the rule has not already said so."""
    seen = {h.path for h in known if h.check_id == KEY_CLIENT_EXPOSED}  # the rule already judged that module
    hits = []
    for name in imap.browser_modules:
        lines = read(name)
        for number, text in enumerate(lines or (), 1):
            if _KEY_HEADER.search(text) and name not in seen:
                code = " ".join(text.split())
                evidence = hashlib.sha256(f"{KEY_CLIENT_EXPOSED}-map\x1f{code}".encode(errors="surrogateescape"))
                hits.append(Hit(KEY_CLIENT_EXPOSED, name, number, number, evidence.hexdigest(),
                                "The Ideogram Api-Key header is sent from browser code (this module runs in the "
                                "browser: the repository is a Vite SPA or the module is a client component), so "
                                "anyone can read the key. Call Ideogram from a server route instead."))
    return hits


def deduplicated(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per check, file and line: a taint rule may report one call once per source it reaches."""
    seen: set[tuple[str, str, int]] = set()
    out = []
    for hit in hits:
        key = (hit.check_id, hit.path, hit.line)
        if key in seen:
            log.debug("post-pass: %s %s:%d reported twice; kept once", hit.check_id, hit.path, hit.line)
            continue
        seen.add(key)
        out.append(hit)
    return out


def judged(root: Path, hits: Iterable[Hit], imap: IntegrationMap) -> tuple[list[Hit], list[tuple[Hit, str]]]:
    """(hits kept and added, hits dropped with their reason)."""
    read = _reader(root)
    kept: list[Hit] = []
    dropped: list[tuple[Hit, str]] = []
    for hit in deduplicated(hits):
        check = _DROPS.get(hit.check_id)
        reason = check(hit, imap, read) if check is not None and imap.complete else None
        if reason is None:
            kept.append(hit)
            continue
        log.debug("post-pass: %s %s:%d dropped: %s", hit.check_id, hit.path, hit.line, reason)
        dropped.append((hit, f"repository-level: {reason}"))
    return [*kept, *exposed_key_hits(imap, read, kept)], dropped


def refined(root: Path, runs: Mapping[str, EngineRun], imap: IntegrationMap | None) -> dict[str, EngineRun]:
    """The semgrep run's hits judged at repository level (dropped ones listed with their reason)."""
    out = dict(runs)
    run = out.get("semgrep")
    if run is None or run.error is not None or imap is None:
        return out
    try:
        kept, dropped = judged(root, run.hits, imap)
    except Exception as exc:  # the rule pack's result is then not known: an error, never a pass
        log.debug("post-pass crashed", exc_info=exc)
        out["semgrep"] = replace(run, error=f"the repository-level post-pass crashed ({type(exc).__name__}); rerun "
                                            f"with -vv --debug for details")
        return out
    out["semgrep"] = replace(run, hits=tuple(kept), quiet=(*run.quiet, *dropped))
    return out
