"""webhook-insecure-url: a webhook or callback URL over plain http:// leaks payloads and can be spoofed."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from checker.checks.base import NativeContext, Outcome
from checker.config import DEFAULT_CODE_EXCLUDE
from checker.targets import matcher
from checker.tools import Hit

CHECK_ID = "webhook-insecure-url"
MAX_BYTES = 2_000_000
SUFFIXES = (
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".rb", ".java", ".kt",
    ".php", ".cs", ".rs", ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".conf", ".env", ".properties",
    ".tf", ".tfvars", ".hcl", ".xml", ".sh", ".bash", ".zsh",
)
NAMES = ("Dockerfile", "Containerfile", "Procfile", "Makefile", ".env", ".envrc")
LOCKFILES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
                       "Pipfile.lock", "uv.lock", "composer.lock", "Gemfile.lock", "Cargo.lock", "go.sum"})
STRUCTURED = (".yaml", ".yml", ".json")

# A name that says "this is where events get delivered": webhook, callback, notify/notification URL, hook URL.
_WORD = r"(?:web[-_]?hooks?|call[-_]?backs?|notify[-_]?ur[il]s?|notification[-_]?ur[il]s?|hook[-_]?ur[il]s?)"
_NAME_RE = re.compile(rf"[\w.-]*{_WORD}[\w.-]*", re.IGNORECASE)
# Host (with optional userinfo and port) may be empty: `"http://" + host` is as insecure as a literal host.
_URL = r"http://(?P<host>(?:[^\s/?#@\"'`<>]*@)?(?:\[[0-9A-Fa-f:.]+\](?::\d+)?|(?:\$?\{[^}\s]*\}|[^\s/?#\"'`<>()\[\]{},;\\])*))"
_QUOTE = r"(?:[fFrRbBuU]{0,2}[\"'`])"
_DEFAULT = (  # the URL is the default of a setting: Field(default="..."), os.getenv("X", "...")
    r"(?:[\w.]*\(\s*default\s*[=:]\s*|[\w.]*(?:getenv|get|env)\(\s*[\"'][^\"'\n]*[\"']\s*,\s*)"
)
_OPS = r"(?::\s*[\w\[\]., |]+?\s*=(?!=)|:=|=>|:|=(?!=)|\?\?|\|\||\bor\b)"
_PATTERNS = (
    # webhook_url = "http://…", WEBHOOK_URL=http://…, "callback": "http://…", webhookUrl: `http://…`
    re.compile(rf"(?P<name>[\w.-]*{_WORD}[\w.-]*)[\"'`]?[\])]?\s*{_OPS}\s*\[?\s*"
               rf"(?:{_QUOTE}|{_DEFAULT}{_QUOTE})?{_URL}", re.IGNORECASE),
    # os.environ.get("WEBHOOK_URL", "http://…"), ["--callback-url", "http://…"]
    re.compile(rf"[\"'](?P<name>[\w.-]*{_WORD}[\w.-]*)[\"']\s*,\s*{_QUOTE}{_URL}", re.IGNORECASE),
    # --webhook-url http://…, --callback-url=http://…
    re.compile(rf"(?P<name>--[\w-]*{_WORD}[\w-]*)(?:\s+|=){_QUOTE}?{_URL}", re.IGNORECASE),
)
_URL_KEYS = frozenset({"url", "uri", "endpoint", "href", "address", "target", "value"})
_COMMENT_STARTS = ("#", "//", "/*", "* ", "<!--")


@dataclass(frozen=True, slots=True)
class InsecureUrl:
    name: str
    host: str
    line: int


def host_of(authority: str) -> str:
    """The host of a URL's authority: no userinfo (it may hold a password), no port, IPv6 unbracketed."""
    host = authority.rsplit("@", 1)[-1]
    if "{" in host or "$" in host:
        return "(dynamic)"
    if host.startswith("["):
        return host[1:].split("]", 1)[0].lower()
    return host.split(":", 1)[0].lower()


def is_loopback(host: str) -> bool:
    """localhost, *.localhost, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def is_hook_name(name: str) -> bool:
    return bool(_NAME_RE.fullmatch(name.strip().lstrip("-")))


def line_urls(line: str) -> Iterator[tuple[str, str]]:
    """(name, host) for every non-loopback http:// URL that a webhook-like name is set to on this line."""
    stripped = line.lstrip()
    if stripped.startswith(_COMMENT_STARTS) and not stripped.startswith("--"):
        return
    seen: set[int] = set()
    for pattern in _PATTERNS:
        for match in pattern.finditer(line):
            start = match.start("host")
            if start in seen:
                continue
            seen.add(start)
            host = host_of(match.group("host"))
            if not is_loopback(host):
                yield match.group("name").strip("-").rsplit(".", 1)[-1], host or "(dynamic)"


def text_hits(source: str) -> list[InsecureUrl]:
    return [InsecureUrl(name, host, number)
            for number, line in enumerate(source.splitlines(), start=1)
            for name, host in line_urls(line)]


def _scalar_url(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and str(node.value).strip().lower().startswith("http://"):
        authority = str(node.value).strip()[len("http://"):]
        return host_of(re.split(r"[/?#\s]", authority, maxsplit=1)[0])
    return None


def _under_hook_key(name: str, node: yaml.Node, depth: int = 0) -> Iterator[InsecureUrl]:
    """http:// URLs anywhere below a webhook-named key (e.g. Alertmanager webhook_configs[].url)."""
    if depth > 3:
        return
    host = _scalar_url(node)
    if host is not None:
        yield InsecureUrl(name, host, node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _under_hook_key(name, item, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and (str(k.value).lower() in _URL_KEYS or is_hook_name(str(k.value))
                                                   or not isinstance(v, yaml.ScalarNode)):
                yield from _under_hook_key(name, v, depth + 1)


def _walk(node: yaml.Node) -> Iterator[InsecureUrl]:
    if isinstance(node, yaml.MappingNode):
        pairs = {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        # {name: WEBHOOK_URL, value: http://…}: Kubernetes env, ECS task definitions, Helm values lists
        label = pairs.get("name") or pairs.get("key")
        value = pairs.get("value")
        if isinstance(label, yaml.ScalarNode) and value is not None and is_hook_name(str(label.value)):
            host = _scalar_url(value)
            if host is not None:
                yield InsecureUrl(str(label.value), host, value.start_mark.line + 1)
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and is_hook_name(str(k.value)):
                yield from _under_hook_key(str(k.value), v)
            else:
                yield from _walk(v)
    elif isinstance(node, yaml.SequenceNode):
        # args: ["--webhook-url", "http://…"]
        for flag, value in zip(node.value, node.value[1:], strict=False):
            if isinstance(flag, yaml.ScalarNode) and str(flag.value).startswith("--") \
                    and is_hook_name(str(flag.value)):
                host = _scalar_url(value)
                if host is not None:
                    yield InsecureUrl(str(flag.value).lstrip("-"), host, value.start_mark.line + 1)
        for item in node.value:
            yield from _walk(item)


def structured_hits(source: str) -> list[InsecureUrl]:
    """Name/value pairs split over lines, read from the YAML (or JSON) structure; unparsable text is skipped."""
    try:
        nodes = list(yaml.compose_all(source, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    return [u for node in nodes if node is not None for u in _walk(node) if not is_loopback(u.host)]


def scanned(path: str) -> bool:
    name = PurePosixPath(path).name
    if name in LOCKFILES or path.endswith(".md"):
        return False
    return path.endswith(SUFFIXES) or name in NAMES or name.startswith((".env.", "Dockerfile", "docker-compose"))


def _where(host: str) -> str:
    return "host built at runtime" if host == "(dynamic)" else f"host {host}"


def file_hits(path: str, source: str) -> list[Hit]:
    found = text_hits(source)
    if path.endswith(STRUCTURED):
        lines = {u.line for u in found}
        found += [u for u in structured_hits(source) if u.line not in lines]
    hits: list[Hit] = []
    counts: dict[tuple[str, str], int] = {}
    for url in sorted(found, key=lambda u: (u.line, u.name)):
        key = (url.name.lower(), url.host)
        counts[key] = counts.get(key, 0) + 1
        hits.append(Hit(CHECK_ID, path, url.line, url.line, f"{key[0]}|{key[1]}|{counts[key]}",
                        f"{url.name} is a plain http:// URL ({_where(url.host)}); serve webhooks and callbacks "
                        f"over https://"))
    return hits


def run(ctx: NativeContext) -> Outcome:
    if CHECK_ID not in ctx.check_ids:
        return Outcome()
    tests = matcher(() if ctx.config.scan_tests else DEFAULT_CODE_EXCLUDE)
    targets = [f for f in ctx.files if scanned(f) and not tests.match_file(f)]
    hits: list[Hit] = []
    for path in targets:
        raw = ctx.read_bytes(path)  # NOTE: an unreadable file is an `error`, never a skipped file
        if len(raw) > MAX_BYTES or b"http://" not in raw.replace(b"\x00", b""):
            continue
        source = ctx.read_text(path)
        hits += file_hits(path, source)
    return Outcome(hits, notes={CHECK_ID: f"{len(targets)} code, config and manifest file(s) scanned"})
