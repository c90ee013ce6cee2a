"""A first pass over the whole repository that semgrep (intra-file) cannot make: which files reach Ideogram, through
which dev-proxy paths and wrapper classes, and which modules run in the browser. Post-passes consult it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

IDEOGRAM_HOST = re.compile(rb"api\.ideogram\.ai", re.IGNORECASE)
API_KEY_HEADER = re.compile(rb"""["'`]api-key["'`]""", re.IGNORECASE)

# vite.config.*: server.proxy entries aimed at Ideogram, long form ('/x': { target: ... }) or short ('/x': '...').
_VITE_PROXY = re.compile(
    rb"""["'`](/[\w\-./]*)["'`]\s*:\s*(?:\{[^{}]*?target\s*:\s*)?["'`]https?://api\.ideogram\.ai""", re.IGNORECASE)
# next.config.*: rewrites { source: '/x/:path*', destination: 'https://api.ideogram.ai/...' } in either order.
_NEXT_REWRITE = re.compile(
    rb"""source\s*:\s*["'`](/[^"'`:*]*)[^"'`]*["'`]\s*,\s*destination\s*:\s*["'`]https?://api\.ideogram\.ai"""
    rb"""|destination\s*:\s*["'`]https?://api\.ideogram\.ai[^"'`]*["'`]\s*,\s*source\s*:\s*["'`](/[^"'`:*]*)""",
    re.IGNORECASE)
_WRAPPER_CLASS = re.compile(rb"\bclass\s+(\w*ideogram\w*)", re.IGNORECASE)
_USE_CLIENT = re.compile(rb"""\A(?:\s|//[^\n]*\n|/\*.*?\*/)*["']use client["']""", re.DOTALL)
_USE_SERVER = re.compile(rb"""\A(?:\s|//[^\n]*\n|/\*.*?\*/)*["']use server["']""", re.DOTALL)
_BROWSER_GLOBALS = re.compile(rb"\b(?:window|document|localStorage|sessionStorage)\.")
_JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
_CONFIG_NAME = re.compile(r"(?:^|/)(vite|next)\.config\.(?:js|mjs|cjs|ts|mts)$")


@dataclass(frozen=True, slots=True)
class IntegrationMap:
    callers: tuple[str, ...]  # files that call Ideogram: its host, its Api-Key header or a proxied path
    proxy_prefixes: tuple[str, ...]  # relative paths a Vite/Next dev proxy or rewrite sends to Ideogram
    wrappers: tuple[str, ...]  # class names of Ideogram clients defined in the repository
    browser_modules: tuple[str, ...]  # JS/TS modules that run in the browser

    def reaches_ideogram(self, path: str) -> bool:
        return path in self.callers


def proxy_prefixes(configs: Iterable[tuple[str, bytes]]) -> tuple[str, ...]:
    """The relative paths that vite.config.* `server.proxy` or next.config.* rewrites forward to Ideogram."""
    found: set[str] = set()
    for name, data in configs:
        pattern = _VITE_PROXY if "vite.config" in name else _NEXT_REWRITE
        for match in pattern.finditer(data):
            prefix = next(g for g in match.groups() if g)
            found.add(prefix.decode("utf-8", "replace").rstrip("/") or "/")
    return tuple(sorted(found))


def is_browser_module(path: str, data: bytes, vite_app: bool) -> bool:
    """'use client' modules; in a Vite SPA (no server rendering), any module that touches browser globals."""
    if not path.endswith(_JS_SUFFIXES) or _USE_SERVER.search(data):
        return False
    if _USE_CLIENT.search(data):
        return True
    return vite_app and bool(_BROWSER_GLOBALS.search(data))


def calls_ideogram(data: bytes, prefixes: Sequence[str]) -> bool:
    if IDEOGRAM_HOST.search(data) or API_KEY_HEADER.search(data):
        return True
    return any(re.search(rb"""["'`]""" + re.escape(p.encode()) + rb"""[/"'`$]""", data) for p in prefixes)


def integration_map(root: Path, files: Sequence[str]) -> IntegrationMap:
    """Reads each listed file once; a file that cannot be read is left out here (the scanners report it)."""
    contents: dict[str, bytes] = {}
    for name in files:
        try:
            contents[name] = (root / name).read_bytes()
        except OSError:
            continue
    configs = [(n, d) for n, d in contents.items() if _CONFIG_NAME.search(n)]
    prefixes = proxy_prefixes(configs)
    vite_app = any("vite.config" in n for n, _ in configs)
    callers = tuple(sorted(n for n, d in contents.items()
                           if not _CONFIG_NAME.search(n) and calls_ideogram(d, prefixes)))
    wrappers = tuple(sorted({m.decode() for n in callers for m in _WRAPPER_CLASS.findall(contents[n])}))
    browser = tuple(sorted(n for n, d in contents.items() if is_browser_module(n, d, vite_app)))
    return IntegrationMap(callers, prefixes, wrappers, browser)
