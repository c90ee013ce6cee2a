"""The integration map: Ideogram callers, dev-proxy prefixes, wrapper classes and browser modules of a repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.integration_map import endpoint_helpers, integration_map, is_browser_module, proxy_prefixes, read_source

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


# --- the map fed to the rule pack, through the real `ideogram-prod check` (real semgrep) -----------------------

CALL_SITE = "code-ideogram-no-timeout,code-ideogram-unhandled-errors,code-ideogram-no-backoff"

SPA_FILES = {
    "package.json": '{"name": "studio", "private": true}\n',
    "vite.config.ts": VITE.decode(),
    "src/endpoints.ts": "export function studioPath(path: string): string {\n"
                        "  return `/api/ideogram/${path}`;\n}\n",
    # line numbers matter: the assertions name them
    "src/generate.ts": """\
import { studioPath } from './endpoints';

export async function generateViaProxy(prompt: string) {
  const res = await fetch(`/api/ideogram/v1/ideogram-v3/generate`, { method: 'POST', body: JSON.stringify({ prompt }) });
  return res.json();
}

export async function remixViaHelper(prompt: string) {
  const res = await fetch(studioPath('v1/ideogram-v3/remix'), { method: 'POST', body: prompt });
  return res.json();
}

export async function upscaleViaShortProxy(form: FormData) {
  const res = await fetch('/ideogram-short/upscale', { method: 'POST', body: form });
  return res.json();
}

export async function listItems() {
  const res = await fetch('/api/items');
  return res.json();
}

export async function generateCarefully(prompt: string) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const res = await fetch('/api/ideogram/v1/ideogram-v3/generate', {
      method: 'POST', body: JSON.stringify({ prompt }), signal: AbortSignal.timeout(120_000),
    });
    if (res.status === 429) { await new Promise((r) => setTimeout(r, 2 ** attempt * 1000)); continue; }
    if (res.status === 401) throw new Error('bad key');
    if (!res.ok) throw new Error(`ideogram ${res.status}`);
    return res.json();
  }
  throw new Error('gave up');
}
""",
}

SDK_FILES = {
    "src/sdk.ts": """\
import ideogram from '@api/ideogram';

ideogram.auth(process.env.IDEOGRAM_API_KEY!);

export async function generate(prompt: string) {
  const { data } = await ideogram.post_generate_image({ image_request: { prompt, model: 'V_2' } });
  return data;
}
""",
    "src/wrapped.ts": """\
import type { StudioIdeogramClient } from './client';
import type { MetricsClient } from './metrics';

export async function generateWith(client: StudioIdeogramClient, prompt: string) {
  return client.post<{ data: unknown[] }>('/ideogram-v3/generate', { prompt });
}

export async function report(metrics: MetricsClient, ideogramCalls: number) {
  return metrics.post('/v1/ideogram-usage', { ideogramCalls });
}
""",
}


def found(cli, root: Path, tmp_path: Path, select: str = CALL_SITE) -> tuple[set[tuple[str, str, int]], dict]:
    out = tmp_path / "report.json"
    result = cli("check", str(root), "--select", select, "--json", str(out))
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(out.read_text())
    return {(f["check_id"].removeprefix("code-ideogram-"), f["location"]["path"], f["location"]["line"])
            for f in doc["findings"]}, doc


def test_calls_through_a_vite_dev_proxy_are_ideogram_calls(cli, make_repo, tmp_path):
    got, _ = found(cli, make_repo(SPA_FILES), tmp_path)
    for line in (4, 9, 14):  # a template string, a helper from another module, the short-form proxy entry
        assert {(c, "src/generate.ts", line) for c in ("no-timeout", "unhandled-errors", "no-backoff")} <= got
    # /api/items goes to the app's own server; the careful call has a timeout, a backoff loop and status branches
    assert not {f for f in got if f[2] >= 18}, got


def test_without_the_proxy_config_a_relative_path_is_the_apps_own(cli, make_repo, tmp_path):
    files = {k: v for k, v in SPA_FILES.items() if k != "vite.config.ts"}
    got, _ = found(cli, make_repo(files), tmp_path)
    assert not {f for f in got if f[1] == "src/generate.ts" and f[2] in (4, 9, 14)}, got


def test_generated_sdk_operations_and_client_typed_parameters_are_ideogram_calls(cli, make_repo, tmp_path):
    got, _ = found(cli, make_repo({**SPA_FILES, **SDK_FILES}), tmp_path)
    assert {("no-timeout", "src/sdk.ts", 6), ("unhandled-errors", "src/sdk.ts", 6),
            ("no-backoff", "src/sdk.ts", 6)} <= got
    # a wrapper's timeout and retries are judged in its own module; a call site must still handle its errors
    assert {f for f in got if f[1] == "src/wrapped.ts"} == {("unhandled-errors", "src/wrapped.ts", 5)}


def test_an_sdk_configured_with_a_timeout_is_not_missing_one(cli, make_repo, tmp_path):
    files = {**SDK_FILES, "src/setup.ts": "import ideogram from '@api/ideogram';\n"
                                          "ideogram.config({ timeout: 120_000 });\n"}
    got, _ = found(cli, make_repo(files), tmp_path)
    assert ("no-timeout", "src/sdk.ts", 6) not in got
    assert ("unhandled-errors", "src/sdk.ts", 6) in got


PY_FILES = {
    "app/endpoints.py": 'def ideogram_url(path: str) -> str:\n    return f"https://api.ideogram.ai/v1/{path}"\n',
    "app/generate.py": """\
import requests

from app.endpoints import ideogram_url
from app.client import IdeogramClient
from app.metrics import MetricsSession


def generate(prompt: str, key: str) -> dict:
    res = requests.post(ideogram_url("ideogram-v3/generate"), json={"prompt": prompt}, headers={"X-Trace": key})
    return res.json()


def generate_with(client: IdeogramClient, prompt: str) -> dict:
    return client.post("/ideogram-v3/generate", json={"prompt": prompt})


def report(session: MetricsSession, ideogram_calls: int) -> None:
    session.post("/usage", json={"ideogram_calls": ideogram_calls}, timeout=5)
""",
}


def test_python_helpers_and_client_typed_parameters_are_ideogram_calls(cli, make_repo, tmp_path):
    got, _ = found(cli, make_repo(PY_FILES), tmp_path)
    assert {("no-timeout", "app/generate.py", 9), ("unhandled-errors", "app/generate.py", 9),
            ("unhandled-errors", "app/generate.py", 14)} <= got
    assert not {f for f in got if f[2] >= 17}, got
    assert ("no-timeout", "app/generate.py", 14) not in got  # the wrapper's own module judges its timeout


UNNAMED = {
    "package.json": '{"name": "studio", "private": true}\n',
    "vite.config.ts": "export default { server: { proxy: { '/img': { target: 'https://api.ideogram.ai', "
                      "changeOrigin: true } } } };\n",
    "src/paths.ts": "export const imagePath = (op: string) => `/img/v1/${op}`;\n",
    "src/gen.ts": """\
import { imagePath } from './paths';

export async function generate(prompt: string) {
  const res = await fetch(`/img/v1/generate`, { method: 'POST', body: prompt });
  return res.json();
}

export async function remix(form: FormData) {
  const res = await fetch(imagePath('remix'), { method: 'POST', body: form });
  return res.json();
}
""",
    "src/items.ts": "export async function items() {\n  const res = await fetch('/api/items');\n  return res.json();\n}\n",
}


def test_a_proxy_prefix_and_helper_that_never_say_ideogram_still_reach_the_rules(cli, make_repo, tmp_path):
    """Neither the file nor the path names Ideogram: the rules' whole-file gate and the scan's prefilter (both
    anchored on the word) let the file through because the map linked it to the proxy."""
    imap = integration_map(make_repo(UNNAMED), sorted(UNNAMED))
    assert (imap.proxy_prefixes, imap.helpers, imap.linked) == (("/img",), ("imagePath",), ("src/gen.ts",
                                                                                          "src/paths.ts"))
    got, _ = found(cli, make_repo(UNNAMED), tmp_path)
    for line in (4, 9):
        assert {(c, "src/gen.ts", line) for c in ("no-timeout", "unhandled-errors", "no-backoff")} <= got
    assert not {f for f in got if f[1] != "src/gen.ts"}, got


@pytest.mark.parametrize(("data", "prefixes", "expected"), [
    (b"export function url(p: string): string {\n  return `/api/ideogram/${p}`;\n}\n", ("/api/ideogram",), {"url"}),
    (b"export const url = (p: string) => `/img/v1/${p}`;\n", ("/img",), {"url"}),
    (b"class A {\n  endpoint(op: string) {\n    return `/img/${op}`;\n  }\n}\n", ("/img",), {"endpoint"}),
    (b'def ideogram_url(path):\n    return f"https://api.ideogram.ai/v1/{path}"\n', (), {"ideogram_url"}),
    (b"const url = (p) => `/images/${p}`;\n", ("/img",), set()),  # /images is not the /img proxy
    (b"function f() {\n  if (x) {\n    return '/api/ideogram/x';\n  }\n}\n", ("/api/ideogram",), set()),
    (b"const other = () => 'https://api.example.com/v1';\n", (), set()),
])
def test_endpoint_helpers(data, prefixes, expected):
    assert endpoint_helpers(data, prefixes) == expected


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("vite.config.ts", b"export default { server: { proxy: { '/api/ideogram': { target: env.IDEOGRAM_BASE } } } };",
     ("/api/ideogram",)),
    ("next.config.mjs", b"export default { rewrites: async () => [{ source: '/ideogram/:path*', destination: "
                        b"`${process.env.IDEOGRAM_BASE}/:path*` }] };", ("/ideogram",)),
    ("next.config.js", b"module.exports = { rewrites: async () => [{ source: '/:path*', destination: "
                       b"'https://api.ideogram.ai/:path*' }] };", ()),  # everything proxied: no prefix to tell apart
])
def test_proxy_prefixes_named_after_ideogram_or_too_wide(name, data, expected):
    assert proxy_prefixes([(name, data)]) == expected


@pytest.mark.parametrize(("path", "data", "expected"), [
    ("pages/studio.tsx", b"import { useState } from 'react';\nexport default function S() { useState(0); }", True),
    ("pages/api/generate.tsx", b"import { useState } from 'react';\nexport default function S() { useState(0); }",
     False),
    ("lib/hooks.ts", b"export function useThing() { useState(0); }", False),  # not a default-exported component
])
def test_react_pages_with_client_hooks_are_browser_modules(path, data, expected):
    assert is_browser_module(path, data, vite_app=False) is expected


def test_use_server_means_nothing_in_a_vite_spa():
    data = b"'use server';\nexport async function gen() { document.title = 'x'; }"
    assert is_browser_module("src/gen.ts", data, vite_app=True, spa=True) is True
    assert is_browser_module("src/gen.ts", data, vite_app=True, spa=False) is False  # Vite beside Next.js


def test_read_source_never_follows_a_symlink_out_of_the_repository(tmp_path):
    outside = tmp_path / "outside"
    (outside / "src").mkdir(parents=True)
    (outside / "src" / "secret.ts").write_bytes(b"fetch('https://api.ideogram.ai')")
    root = tmp_path / "repo"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.ts").write_bytes(b"ok")
    (root / "linked").symlink_to(outside / "src")
    (root / "file.ts").symlink_to(outside / "src" / "secret.ts")
    assert read_source(root, "real/a.ts", 100) == b"ok"
    assert read_source(root, "linked/secret.ts", 100) is None
    assert read_source(root, "file.ts", 100) is None
    with pytest.raises(ValueError):
        read_source(root, "real/a.ts", 1)
