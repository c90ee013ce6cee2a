"""The integration map: Ideogram callers, dev-proxy prefixes, wrapper classes and browser modules of a repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.integration_map import integration_map, is_browser_module, proxy_prefixes

VITE = b"""import { defineConfig } from 'vite';
export default defineConfig({
  server: {
    proxy: {
      '/api/ideogram': { target: 'https://api.ideogram.ai', changeOrigin: true, rewrite: (p) => p.replace(/^\\/api\\/ideogram/, '') },
      '/ideogram-short': 'https://api.ideogram.ai',
      '/api/other': { target: 'https://api.example.com' },
    },
  },
});
"""
NEXT = b"""module.exports = {
  async rewrites() {
    return [
      { source: '/ideogram-v3/:path*', destination: 'https://api.ideogram.ai/v1/ideogram-v3/:path*' },
      { destination: 'https://api.ideogram.ai/describe', source: '/describe' },
      { source: '/blog/:slug', destination: 'https://cms.example.com/:slug' },
    ];
  },
};
"""


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("vite.config.ts", VITE, ("/api/ideogram", "/ideogram-short")),
    ("web/next.config.js", NEXT, ("/describe", "/ideogram-v3")),
    ("vite.config.ts", b"export default { server: { proxy: { '/api': 'https://api.example.com' } } }", ()),
    ("next.config.mjs", b"export default { reactStrictMode: true }", ()),
])
def test_proxy_prefixes(name, data, expected):
    assert proxy_prefixes([(name, data)]) == expected


@pytest.mark.parametrize(("path", "data", "vite_app", "expected"), [
    ("app/page.tsx", b"'use client';\nimport { useState } from 'react';", False, True),
    ("app/page.tsx", b"// header\n\"use client\"\nexport default function P() {}", False, True),
    ("src/api.ts", b"export const go = () => window.location.assign('/');", True, True),
    ("src/api.ts", b"export const go = () => window.location.assign('/');", False, False),
    ("app/actions.ts", b"'use server';\nexport async function gen() { document.title; }", True, False),
    ("server/gen.py", b"'use client'", True, False),
    ("lib/ideogram.ts", b"import 'server-only';\nexport async function gen() {}", True, False),
])
def test_browser_modules(path, data, vite_app, expected):
    assert is_browser_module(path, data, vite_app) is expected


def write(root: Path, files: dict[str, bytes]) -> list[str]:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return sorted(files)


def test_map_of_a_vite_spa_behind_a_dev_proxy(tmp_path):
    files = write(tmp_path, {
        "vite.config.ts": VITE,
        "src/ideogram.ts": b"export class IdeogramClient {\n  gen(p: string) {\n"
                           b"    return fetch(`/api/ideogram/v1/ideogram-v3/generate`, { method: 'POST' });\n  }\n}\n",
        "src/App.tsx": b"import { IdeogramClient } from './ideogram';\ndocument.title = 'x';\n",
        "src/util.ts": b"export const add = (a: number, b: number) => a + b;\n",
        "server/main.py": b"requests.post('https://api.ideogram.ai/generate', headers={'Api-Key': k}, timeout=9)\n",
    })
    imap = integration_map(tmp_path, [*files, "missing.ts"])
    assert imap.proxy_prefixes == ("/api/ideogram", "/ideogram-short")
    assert imap.callers == ("server/main.py", "src/ideogram.ts")
    assert imap.wrappers == ("IdeogramClient",)
    assert imap.browser_modules == ("src/App.tsx",)
    assert imap.reaches_ideogram("src/ideogram.ts") and not imap.reaches_ideogram("src/util.ts")


def test_map_of_a_repository_without_ideogram(tmp_path):
    files = write(tmp_path, {
        "next.config.js": b"module.exports = { rewrites: async () => [{ source: '/a', destination: '/b' }] };\n",
        "app/page.tsx": b"'use client';\nexport default function Page() { return null; }\n",
        "lib/api.ts": b"export const get = () => fetch('/api/items');\n",
    })
    imap = integration_map(tmp_path, files)
    assert (imap.callers, imap.proxy_prefixes, imap.wrappers) == ((), (), ())
    assert imap.browser_modules == ("app/page.tsx",)
