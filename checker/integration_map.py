"""A first pass over the whole repository that semgrep (intra-file) cannot make: which files reach Ideogram, through
which dev-proxy paths, endpoint helpers, generated SDK and wrapper classes, and which modules run in the browser.
The rule pack is fed from it (extra taint sources per scan) and the post-pass consults it.

The repository is untrusted: files are read by bytes path without following symlinks, each read and each regex is
bounded, and whatever cannot be read is recorded in `problems` (the scan then errors; nothing is guessed)."""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

IDEOGRAM_HOST = re.compile(rb"api\.ideogram\.ai", re.IGNORECASE)
API_KEY_HEADER = re.compile(rb"""["'`]api-key["'`]""", re.IGNORECASE)

# Bounds: a proxy config is a few KiB; a bigger one is not what it claims to be. Source files beyond the cap
# (bundles, generated code) are left to the scanners, which read every file whatever its size.
MAX_CONFIG_BYTES = 512 * 1024
MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_NAMES = 500  # proxy prefixes, helpers or SDK operations rendered into the rules: more is not a real app

# vite.config.*: server.proxy entries aimed at Ideogram, long form ('/x': { target: ... }) or short ('/x': '...').
# Every repetition is bounded so that a hostile config costs linear time.
_VITE_PROXY = re.compile(
    rb"""["'`](/[\w\-./]{0,200})["'`]\s{0,50}:\s{0,50}(?:\{[^{}]{0,2000}?target\s{0,50}:\s{0,50})?"""
    rb"""["'`]https?://api\.ideogram\.ai""", re.IGNORECASE)
# next.config.*: rewrites { source: '/x/:path*', destination: 'https://api.ideogram.ai/...' } in either order.
_NEXT_REWRITE = re.compile(
    rb"""source\s{0,50}:\s{0,50}["'`](/[^"'`:*]{0,200})[^"'`]{0,200}["'`]\s{0,50},\s{0,50}destination\s{0,50}:"""
    rb"""\s{0,50}["'`]https?://api\.ideogram\.ai"""
    rb"""|destination\s{0,50}:\s{0,50}["'`]https?://api\.ideogram\.ai[^"'`]{0,500}["'`]\s{0,50},\s{0,50}source"""
    rb"""\s{0,50}:\s{0,50}["'`](/[^"'`:*]{0,200})""",
    re.IGNORECASE)
# A proxy key or rewrite source that names Ideogram itself, whatever its target (an env var, a constant).
_NAMED_PROXY = re.compile(rb"""source\s{0,50}:\s{0,50}["'`](/[\w\-./]{0,100}ideogram[\w\-./]{0,100})"""
                          rb"""|["'`](/[\w\-./]{0,100}ideogram[\w\-./]{0,100})["'`]\s{0,50}:""", re.IGNORECASE)
_WRAPPER_CLASS = re.compile(rb"\bclass\s+(\w{0,100}ideogram\w{0,100})", re.IGNORECASE)
_USE_CLIENT = re.compile(rb"""\A(?:\s|//[^\n]*\n|/\*.*?\*/)*["']use client["']""", re.DOTALL)
_USE_SERVER = re.compile(rb"""\A(?:\s|//[^\n]*\n|/\*.*?\*/)*["']use server["']""", re.DOTALL)
_BROWSER_GLOBALS = re.compile(rb"\b(?:window|document|localStorage|sessionStorage)\.")
_DEFAULT_EXPORT = re.compile(rb"\bexport\s+default\b")
_CLIENT_HOOKS = re.compile(rb"\buse(?:State|Effect|Reducer|Ref|Callback|LayoutEffect)\s*[<(]")
_SERVER_ONLY = re.compile(rb"""["']server-only["']|(?:^|/)(?:pages|app)/api/|\.server\.""")
_JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
_CONFIG_STEMS = ("vite.config", "next.config")
_CONFIG_SUFFIXES = ("js", "mjs", "cjs", "ts", "mts")
_CONFIG_NAME = re.compile(r"(?:^|/)(vite|next)\.config\.(?:js|mjs|cjs|ts|mts)$")
# The generated SDK of api.readme.io (`npx api install @api/ideogram`): its operations are `post_generate_image`...
_SDK_IMPORT = re.compile(rb"""(?:from|require\s*\()\s*["']@api/ideogram["']""")
_SDK_OP = re.compile(rb"\.((?:get|post|put|patch|delete)_\w{1,80})\s*\(")
_SDK_TIMEOUT = re.compile(rb"\.config\s*\(\s*\{[^{}]{0,500}\btimeout\s*:", re.DOTALL)
# Helpers returning an Ideogram endpoint (its host or a proxied path): `function url(p) { return `/api/x/${p}` }`,
# `const url = (p) => `...``, a method `url(p) { return ... }`, `def url(p): return f"https://api.ideogram.ai/{p}"`.
_HELPER = re.compile(
    rb"""(?:function\s{1,10}(\w{1,80})\s{0,10}\([^()]{0,300}\)[^{};]{0,100}\{\s{0,200}return\s{1,10}"""
    rb"""|(?:const|let|var)\s{1,10}(\w{1,80})\s{0,10}(?::[^=]{0,100})?=\s{0,10}(?:async\s{1,10})?"""
    rb"""(?:\([^()]{0,300}\)|\w{1,80})[^=;{]{0,100}=>\s{0,20}(?:\{\s{0,200}return\s{1,10})?"""
    rb"""|^[ \t]{0,40}(?:(?:public|private|protected|static|async)\s{1,10}){0,3}(\w{1,80})\s{0,10}\([^()]{0,300}\)"""
    rb"""[^{};=]{0,100}\{\s{0,200}return\s{1,10}"""
    rb"""|def\s{1,10}(\w{1,80})\s{0,10}\([^()]{0,300}\)[^:\n]{0,100}:\s{0,200}return\s{1,10}f?)"""
    rb"""["'`]([^"'`\n]{0,300})""",
    re.MULTILINE)
# A type annotation naming an Ideogram client: `client: StudioIdeogramClient`, `private readonly api: IdeogramApi`.
_ANNOTATION = re.compile(rb"\b\w{1,80}\s{0,5}\??:\s{0,5}(\w{0,80}[Ii]deogram\w{0,80})\b")
_NOT_HELPERS = frozenset({"if", "for", "while", "switch", "catch", "function", "return", "constructor"})


@dataclass(frozen=True, slots=True)
class IntegrationMap:
    files: tuple[str, ...]  # the code files the map read (the post-pass looks for callers among them)
    callers: tuple[str, ...]  # files that call Ideogram: its host, its Api-Key header or a proxied path
    proxy_prefixes: tuple[str, ...]  # relative paths a Vite/Next dev proxy or rewrite sends to Ideogram
    wrappers: tuple[str, ...]  # class names of Ideogram clients defined in the repository
    browser_modules: tuple[str, ...]  # JS/TS modules that run in the browser
    helpers: tuple[str, ...] = ()  # functions that return an Ideogram (or proxied) endpoint
    sdk_ops: tuple[str, ...] = ()  # operations called on the generated `@api/ideogram` SDK
    sdk_timeout: bool = False  # some module configures the SDK with a timeout (sdk.config({ timeout }))
    vite_app: bool = False
    problems: tuple[str, ...] = ()  # what could not be read: the rule pack is not fed from a partial map
    linked: tuple[str, ...] = ()  # files that reach Ideogram only through a name without "ideogram" in it
    client_types: tuple[str, ...] = ()  # Ideogram client types that annotate a parameter or attribute somewhere

    def reaches_ideogram(self, path: str) -> bool:
        return path in self.callers

    def unnamed(self) -> tuple[str, ...]:
        """Proxy prefixes and helpers that do not say "ideogram": the rules' whole-file gate and the scan's
        prefilter (both anchored on that word) must let their files through."""
        return tuple(n for n in (*self.proxy_prefixes, *self.helpers) if "ideogram" not in n.lower())

    def linked_checks(self) -> dict[str, tuple[str, ...]]:
        """The call-site checks each linked file gets whatever its anchor (semgrep.run's `linked`)."""
        return dict.fromkeys(self.linked, CALL_SITE_CHECKS)

    def widened(self, kept: Sequence[str], read: dict[str, int], targets: Sequence[str]) -> list[str]:
        """The rule pack's targets plus the files that reach Ideogram only through an unnamed prefix or helper
        (counted as read by the call-site checks, which judge them)."""
        extra = sorted((set(self.linked) & set(targets)) - set(kept))
        for check_id in CALL_SITE_CHECKS:
            if check_id in read:
                read[check_id] += len(extra)
        return [*kept, *extra]

    @property
    def complete(self) -> bool:
        return not self.problems


def read_source(root: Path, name: str, limit: int, inside: dict[bytes, bool] | None = None) -> bytes | None:
    """A regular file under root, by bytes path, without following a symlink (in its name or a parent folder out
    of root); None when it is not one. Raises ValueError when it is larger than `limit`. `inside`: a cache of the
    folders already resolved (one scan reads thousands of files from few folders)."""
    path = os.path.join(os.fsencode(root), os.fsencode(name))
    folder = os.path.dirname(path)
    known = inside if inside is not None else {}
    if folder not in known:
        base = os.path.realpath(os.fsencode(root))
        known[folder] = os.path.commonpath([base, os.path.realpath(folder)]) == base
    if not known[folder]:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > limit:
            raise ValueError(f"{info.st_size} bytes")
        return handle.read(limit + 1)


def proxy_prefixes(configs: Iterable[tuple[str, bytes]]) -> tuple[str, ...]:
    """The relative paths that vite.config.* `server.proxy` or next.config.* rewrites forward to Ideogram."""
    found: set[str] = set()
    for name, data in configs:
        pattern = _VITE_PROXY if "vite.config" in name else _NEXT_REWRITE
        matches = [next(g for g in m.groups() if g) for m in pattern.finditer(data)]
        matches += [next(g for g in m.groups() if g) for m in _NAMED_PROXY.finditer(data)]
        for prefix in matches:
            found.add(prefix.decode("utf-8", "replace").rstrip("/") or "/")
    return tuple(sorted(p for p in found if p != "/"))


def is_browser_module(path: str, data: bytes, vite_app: bool, spa: bool = False) -> bool:
    """'use client' modules; in a Vite SPA (no server rendering), any module that touches browser globals; a
    default-exported React component with client-only hooks (a server component cannot have them)."""
    # NOTE: in a Vite SPA (no Next.js) a 'use server' directive is only a string: the module still ships to the browser
    server = _USE_SERVER.search(data) and not (vite_app and spa)
    if not path.endswith(_JS_SUFFIXES) or server or _SERVER_ONLY.search(path.encode()):
        return False
    if _USE_CLIENT.search(data):
        return True
    if path.endswith((".jsx", ".tsx")) and _DEFAULT_EXPORT.search(data) and _CLIENT_HOOKS.search(data) \
            and not _SERVER_ONLY.search(data):
        return True
    return vite_app and bool(_BROWSER_GLOBALS.search(data)) and not _SERVER_ONLY.search(data)


def calls_ideogram(data: bytes, prefixes: Sequence[str]) -> bool:
    if IDEOGRAM_HOST.search(data) or API_KEY_HEADER.search(data) or _SDK_IMPORT.search(data):
        return True
    return any(re.search(rb"""["'`]""" + re.escape(p.encode()) + rb"""[/"'`$?]""", data) for p in prefixes)


def endpoint_helpers(data: bytes, prefixes: Sequence[str]) -> set[str]:
    """Names of functions in `data` that return the Ideogram host or a proxied path (a string starting with it)."""
    found = set()
    for match in _HELPER.finditer(data):
        name = next((g for g in match.groups()[:-1] if g), b"").decode()
        text = match.group(match.lastindex or 0).decode("utf-8", "replace")
        if name and name not in _NOT_HELPERS and (
                "api.ideogram.ai" in text.lower() or any(text.startswith(p + "/") or text == p for p in prefixes)
                or any(text.startswith("${") and p in text for p in prefixes)):
            found.add(name)
    return found


def _symlinked_configs(root: Path, files: Sequence[str]) -> list[str]:
    """Proxy configs that are symlinks beside a listed package.json (or at the root): list_files leaves symlinks
    out, and a proxy config the map cannot read must not be taken for none."""
    folders = {""} | {f.rpartition("/")[0] for f in files if f.rsplit("/", 1)[-1] == "package.json"}
    found = []
    for folder in sorted(folders):
        for stem in _CONFIG_STEMS:
            for suffix in _CONFIG_SUFFIXES:
                name = f"{folder}/{stem}.{suffix}" if folder else f"{stem}.{suffix}"
                try:
                    if stat.S_ISLNK(os.lstat(os.path.join(os.fsencode(root), os.fsencode(name))).st_mode):
                        found.append(name)
                except OSError:
                    continue
    return found


def integration_map(root: Path, files: Sequence[str], listed: Sequence[str] = ()) -> IntegrationMap:
    """The map of the repository; a crash while building it is a problem of the map (the rule pack then errors,
    the post-pass drops nothing), never a scan without it."""
    try:
        return _built(root, files, listed)
    except Exception as exc:  # an incomplete map must stop the rule pack, not the whole scan
        log.debug("integration map crashed", exc_info=exc)
        return IntegrationMap((), (), (), (), (), problems=(f"the integration map crashed ({type(exc).__name__})",))


def _built(root: Path, files: Sequence[str], listed: Sequence[str]) -> IntegrationMap:
    """Reads each code file once (`listed`: every file of the scan, where package.json folders are found). A proxy
    config that cannot be read (a symlink, too large, not a file) is a problem; an oversized source file is left to
    the scanners."""
    problems = [f"{n}: a symlink, not followed (the dev proxy's targets are unknown)"
                for n in _symlinked_configs(root, [*files, *listed])]
    contents: dict[str, bytes] = {}
    inside: dict[bytes, bool] = {}
    for name in files:
        config = bool(_CONFIG_NAME.search(name))
        try:
            data = read_source(root, name, MAX_CONFIG_BYTES if config else MAX_SOURCE_BYTES, inside)
        except ValueError as exc:
            if config:
                problems.append(f"{name}: too large for a proxy config ({exc})")
            continue
        except OSError as exc:
            problems.append(f"{name}: cannot be read ({exc.strerror})")
            continue
        if data is None:
            if config:
                problems.append(f"{name}: not a regular file inside the repository")
            continue
        contents[name] = data
    configs = [(n, d) for n, d in contents.items() if _CONFIG_NAME.search(n)]
    prefixes = proxy_prefixes(configs)
    vite_app = any("vite.config" in n for n, _ in configs)
    spa = vite_app and not any("next.config" in n for n, _ in configs)
    code = {n: d for n, d in contents.items() if not _CONFIG_NAME.search(n)}
    callers = tuple(sorted(n for n, d in code.items() if calls_ideogram(d, prefixes)))
    wrappers = tuple(sorted({m.decode() for n in callers for m in _WRAPPER_CLASS.findall(code[n])}))
    browser = tuple(sorted(n for n, d in code.items() if is_browser_module(n, d, vite_app, spa)))
    helpers: set[str] = set()
    for name in callers:
        helpers |= endpoint_helpers(code[name], prefixes)
    annotated = {m.decode() for d in code.values() if b"deogram" in d for m in _ANNOTATION.findall(d)}
    client_types = tuple(sorted(t for t in annotated if t in wrappers or re.fullmatch(WRAPPER_TYPE, t)))
    unnamed = [n for n in (*prefixes, *helpers) if "ideogram" not in n.lower()]
    linked: tuple[str, ...] = ()
    if unnamed:
        mention = re.compile(b"|".join(re.escape(n.encode()) for n in unnamed))
        linked = tuple(sorted(n for n, d in code.items() if not _CONFIG_NAME.search(n) and mention.search(d)))
    sdk_files = [d for d in code.values() if _SDK_IMPORT.search(d)]
    ops = {m.decode() for d in sdk_files for m in _SDK_OP.findall(d)}
    for what, names in (("dev-proxy prefixes", prefixes), ("endpoint helpers", helpers), ("SDK operations", ops)):
        if len(names) > MAX_NAMES:
            problems.append(f"{len(names)} {what} (more than {MAX_NAMES}): not rendered into the rules")
    imap = IntegrationMap(
        files=tuple(sorted(code)), callers=callers, proxy_prefixes=prefixes, wrappers=wrappers,
        browser_modules=browser, helpers=tuple(sorted(helpers)), sdk_ops=tuple(sorted(ops)),
        sdk_timeout=any(_SDK_TIMEOUT.search(d) for d in sdk_files), vite_app=vite_app, problems=tuple(problems),
        linked=linked, client_types=client_types)
    log.debug("integration map: %d caller(s), proxy prefixes %s, wrappers %s, helpers %s, SDK ops %s, %d browser "
              "module(s), problems %s", len(callers), prefixes, wrappers, imap.helpers, imap.sdk_ops, len(browser),
              imap.problems)
    return imap


# --- feeding the rule pack -------------------------------------------------------------------------------------

# The checks judged at an Ideogram call site. wrong-auth-header is not fed: a proxied call carries no key (the
# proxy adds it) and an Authorization header there is the app's own session.
CALL_SITE_CHECKS = ("code-ideogram-no-timeout", "code-ideogram-no-backoff", "code-ideogram-unhandled-errors")
# A parameter or field typed as an Ideogram client. Only unhandled-errors is judged at such a call site: its
# timeout and retries are the wrapper's, judged where its HTTP library is visible (the wrapper's own module).
WRAPPER_TYPE = r"\w*Ideogram\w*(?:Client|Api|API|Service|Sdk|SDK)"
_JS = frozenset({"javascript", "typescript", "js", "ts"})
_PY = frozenset({"python", "py"})
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The call-site rules' whole-file gate (only files that say ideogram or api-key are analysed).
GATE = r"(?is)\A(?=(?:[^ia]++|i(?!deogram)|a(?!pi-key))*+(?:ideogram|api-key)).*"


def _alternation(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names)))


def _string_regex(prefix: str) -> str:
    """A semgrep string pattern for literals (and template strings) that start with a proxied path."""
    return '"=~/^' + re.escape(prefix).replace("/", r"\/") + r'(?:[\/?#]|$)/"'


def _typed(regex: str, languages: frozenset[str]) -> list[dict[str, Any]]:
    """Sources: a parameter or an attribute typed as an Ideogram client."""
    where = {"metavariable-regex": {"metavariable": "$T", "regex": f"^(?:{regex})$"}}
    if languages & _PY:
        return [
            {"patterns": [{"pattern-inside": "def $F(..., $P: $T, ...):\n  ...\n"}, where, {"pattern": "$P"}]},
            {"patterns": [{"pattern-inside": "class $CLS:\n  ...\n  def $I(..., $P: $T, ...):\n    ...\n"
                                             "    self.$A = $P\n    ...\n  ...\n"}, where, {"pattern": "self.$A"}]},
        ]
    return [
        {"patterns": [{"pattern-either": [
            {"pattern-inside": "function $F(..., $P: $T, ...) { ... }\n"},
            {"pattern-inside": "(..., $P: $T, ...) => { ... }\n"},
            {"pattern-inside": "class $C { ... $M(..., $P: $T, ...) { ... } ... }\n"}]}, where, {"pattern": "$P"}]},
        {"patterns": [{"pattern-either": [
            {"pattern-inside": "class $C { ... constructor(..., private readonly $P: $T, ...) { ... } ... }\n"},
            {"pattern-inside": "class $C { ... constructor(..., private $P: $T, ...) { ... } ... }\n"},
            {"pattern-inside": "class $C { ... constructor(..., readonly $P: $T, ...) { ... } ... }\n"},
            {"pattern-inside": "class $C { ... $P: $T; ... }\n"}]}, where, {"pattern": "this.$P"}]},
    ]


def extra_sources(imap: IntegrationMap, check_id: str, languages: Iterable[str]) -> list[dict[str, Any]]:
    """The taint sources the map adds to one rule of a call-site check: proxied paths, endpoint helpers, the
    generated SDK and (unhandled-errors only) instances typed as an Ideogram client."""
    langs = frozenset(str(lang).lower() for lang in languages)
    if check_id not in CALL_SITE_CHECKS or not langs & (_JS | _PY):
        return []
    sources: list[dict[str, Any]] = []
    if langs & _JS:
        sources += [{"pattern": _string_regex(p)} for p in imap.proxy_prefixes]
    if imap.helpers:
        names = {"metavariable-regex": {"metavariable": "$HELPER", "regex": f"^(?:{_alternation(imap.helpers)})$"}}
        sources.append({"patterns": [{"pattern-either": [{"pattern": "$HELPER(...)"}, {"pattern": "$O.$HELPER(...)"}]},
                                     names]})
    if langs & _JS and imap.sdk_ops and not (check_id == "code-ideogram-no-timeout" and imap.sdk_timeout):
        sources += [{"pattern": "require('@api/ideogram')"},
                    {"patterns": [{"pattern-inside": "import $SDK from '@api/ideogram';\n...\n"}, {"pattern": "$SDK"}]}]
    if check_id == "code-ideogram-unhandled-errors" and imap.client_types:
        # only the types the repository annotates with: the typed sources cost semgrep a match per function
        sources += _typed(_alternation(imap.client_types), langs)
    return sources


def _widen_methods(node: Any, ops: str) -> int:
    """Call-site method regexes (`$M` in get|post|...) also accept the SDK's operation names; returns how many."""
    count = 0
    if isinstance(node, dict):
        mv = node.get("metavariable-regex")
        if isinstance(mv, dict) and mv.get("metavariable") == "$M" and "post" in str(mv.get("regex", "")):
            mv["regex"] = f"(?:{mv['regex']})|^(?:{ops})$"
            count += 1
        for value in node.values():
            count += _widen_methods(value, ops)
    elif isinstance(node, list):
        for value in node:
            count += _widen_methods(value, ops)
    return count


def _widen_gate(node: Any, names: Sequence[str]) -> None:
    """The whole-file gate also lets through files that name an unnamed proxy prefix or endpoint helper."""
    wider = r"(?is)\A(?=.*?(?:ideogram|api-key|" + "|".join(re.escape(n) for n in names) + r")).*"
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern-regex" and value == GATE:
                node[key] = wider
            else:
                _widen_gate(value, names)
    elif isinstance(node, list):
        for value in node:
            _widen_gate(value, names)


def fed_rule(imap: IntegrationMap, doc: dict[str, Any]) -> bool:
    """Adds the map's sources (and SDK operations) to the taint rules of call-site checks in a rule document;
    whether anything changed."""
    changed = False
    for rule in doc.get("rules", []):
        check_id = str((rule.get("metadata") or {}).get("check_id") or "")
        if rule.get("mode") != "taint" or not isinstance(rule.get("pattern-sources"), list):
            continue
        languages = rule.get("languages", [])
        extra = extra_sources(imap, check_id, languages)
        if not extra:
            continue
        rule["pattern-sources"] = [*rule["pattern-sources"], *extra]
        if imap.unnamed():
            _widen_gate(rule, imap.unnamed())
        if imap.sdk_ops and frozenset(str(lang) for lang in languages) & _JS:
            _widen_methods(rule.get("pattern-sinks"), _alternation(imap.sdk_ops))
        changed = True
    return changed


def fed_rules(imap: IntegrationMap, rule_files: Sequence[Path], outdir: Path) -> list[Path]:
    """The rule files to run: those the map adds to are rendered into `outdir` (a per-scan copy, same names so the
    rule ids are unchanged); the others are used as they are."""
    out: list[Path] = []
    for path in rule_files:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        if not fed_rule(imap, doc):
            out.append(path)
            continue
        outdir.mkdir(parents=True, exist_ok=True)
        target = outdir / path.name
        target.write_text(yaml.safe_dump(doc, sort_keys=False, width=1000), encoding="utf-8")
        out.append(target)
    return out
