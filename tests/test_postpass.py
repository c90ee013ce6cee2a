"""The repository-level post-pass: through the real `ideogram-prod check` (real semgrep) where the rule pack reports
the shape today, and over real files on disk (a hit is data) where a rule does not report it yet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker import postpass
from checker.integration_map import IntegrationMap, integration_map
from checker.tools import Hit

SELECT = ("code-ideogram-no-timeout,code-ideogram-unhandled-errors,code-ideogram-url-not-persisted,"
          "code-ideogram-key-client-exposed")


def scan(cli, root: Path, tmp_path: Path) -> tuple[set[tuple[str, str, int]], list[dict]]:
    out = tmp_path / "report.json"
    result = cli("check", str(root), "--select", SELECT, "--json", str(out))
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(out.read_text())
    return ({(f["check_id"].removeprefix("code-ideogram-"), f["location"]["path"], f["location"]["line"])
             for f in doc["findings"]}, doc["suppressions"])


# --- cause 5: a returned URL that every caller persists -------------------------------------------------------

GENERATE_PY = """\
import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def generate_url(prompt: str, key: str) -> str:
    res = requests.post(IDEOGRAM_URL, json={"prompt": prompt}, headers={"Api-Key": key}, timeout=120)
    res.raise_for_status()
    return res.json()["data"][0]["url"]
"""
JOBS_PY = """\
from app.ideogram import generate_url
from app.storage import download_to_bucket


def make_cover(prompt: str, key: str) -> str:
    url = generate_url(prompt, key)
    return download_to_bucket(url, "covers/")


def make_banner(prompt: str, key: str) -> str:
    return download_to_bucket(generate_url(prompt, key), "banners/")
"""


def test_a_returned_url_that_every_caller_persists_is_dropped_with_its_reason(cli, make_repo, tmp_path):
    got, listed = scan(cli, make_repo({"app/ideogram.py": GENERATE_PY, "app/jobs.py": JOBS_PY}), tmp_path)
    assert not {f for f in got if f[0] == "url-not-persisted"}, got
    (why,) = [s for s in listed if s["check_id"] == "code-ideogram-url-not-persisted"]
    assert why["location"]["line"] == 9 and why["kind"] == "noise"
    assert "every caller of generate_url() persists" in why["justification"] and "app/jobs.py:6" in why["justification"]


@pytest.mark.parametrize("other", [
    # one caller hands the raw URL to the browser
    {"app/api.py": "from app.ideogram import generate_url\n\n\ndef cover_json(prompt, key):\n"
                   "    return {'url': generate_url(prompt, key)}\n"},
    # one caller stores the URL itself
    {"app/db.py": "from app.ideogram import generate_url\n\n\ndef remember(db, prompt, key):\n"
                  "    url = generate_url(prompt, key)\n    db.execute('insert into covers values (?)', (url,))\n"},
])
def test_a_returned_url_is_kept_when_one_caller_does_not_persist_it(cli, make_repo, tmp_path, other):
    got, _ = scan(cli, make_repo({"app/ideogram.py": GENERATE_PY, "app/jobs.py": JOBS_PY, **other}), tmp_path)
    assert ("url-not-persisted", "app/ideogram.py", 9) in got


def test_a_returned_url_nobody_calls_is_kept(cli, make_repo, tmp_path):
    got, _ = scan(cli, make_repo({"app/ideogram.py": GENERATE_PY}), tmp_path)
    assert ("url-not-persisted", "app/ideogram.py", 9) in got


URLS_TS = """\
import axios from 'axios';

export async function generateImageUrl(prompt: string, key: string): Promise<string> {
  const res = await axios.post(IDEOGRAM_URL, { prompt }, { headers: { 'Api-Key': key }, timeout: 120_000 });
  return res.data.data[0].url;
}
"""
COVERS_TS = """\
import { generateImageUrl } from './urls';

export async function makeCover(prompt: string, key: string) {
  const url = await generateImageUrl(prompt, key);
  return uploadToBucket(url, 'covers/');
}
"""
LEAK_TS = """\
import { generateImageUrl } from './urls';

export async function GET(req: Request) {
  return Response.json({ url: await generateImageUrl('a cat', process.env.IDEOGRAM_API_KEY!) });
}
"""


def write(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return sorted(files)


@pytest.mark.parametrize(("files", "dropped"), [
    ({"src/urls.ts": URLS_TS, "src/covers.ts": COVERS_TS}, True),
    ({"src/urls.ts": URLS_TS, "src/covers.ts": COVERS_TS, "app/route.ts": LEAK_TS}, False),
    ({"src/urls.ts": URLS_TS}, False),
])
def test_returned_url_in_typescript(tmp_path, files, dropped):
    """The same judgement on the hit itself, over files on disk (no rule in between)."""
    names = write(tmp_path, files)
    hit = Hit("code-ideogram-url-not-persisted", "src/urls.ts", 5, 5, "e", "m")
    kept, gone = postpass.judged(tmp_path, [hit], integration_map(tmp_path, names))
    assert (kept, [h for h, _ in gone]) == (([], [hit]) if dropped else ([hit], []))


@pytest.mark.parametrize(("files", "dropped"), [
    ({"src/urls.ts": URLS_TS, "src/covers.ts": COVERS_TS}, True),
    ({"src/urls.ts": URLS_TS, "src/covers.ts": COVERS_TS, "app/route.ts": LEAK_TS}, False),
])
def test_returned_url_in_typescript_through_the_check(cli, make_repo, tmp_path, files, dropped):
    got, listed = scan(cli, make_repo(files), tmp_path)
    assert (("url-not-persisted", "src/urls.ts", 5) not in got) is dropped
    if dropped:
        (why,) = [s for s in listed if s["check_id"] == "code-ideogram-url-not-persisted"]
        assert "every caller of generateImageUrl() persists the image (1 call(s): src/covers.ts:4)" in why[
            "justification"]


GO_CLIENT = """\
package studio

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

const ideogramURL = "https://api.ideogram.ai/v1/ideogram-v3/generate"

type GenerateResponse struct {
	Data []struct {
		URL         string `json:"url"`
		IsImageSafe bool   `json:"is_image_safe"`
	} `json:"data"`
}

type IdeogramClient struct {
	apiKey string
	http   *http.Client
}

// GenerateURL hands the signed link to its callers.
func (c *IdeogramClient) GenerateURL(ctx context.Context, prompt string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ideogramURL, strings.NewReader(prompt))
	if err != nil {
		return "", err
	}
	req.Header.Set("Api-Key", c.apiKey)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out GenerateResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.Data[0].URL, nil
}
"""
GO_JOBS = """\
package studio

import "context"

type Worker struct {
	ideogram *IdeogramClient
	store    *Store
}

func (w *Worker) MakeCover(ctx context.Context, prompt string) (string, error) {
	url, err := w.ideogram.GenerateURL(ctx, prompt)
	if err != nil {
		return "", err
	}
	return w.store.DownloadToBucket(ctx, url, "covers/")
}
"""
GO_HANDLER = """\
package studio

import (
	"encoding/json"
	"net/http"
)

type Handler struct{ ideogram *IdeogramClient }

func (h *Handler) Cover(w http.ResponseWriter, r *http.Request) {
	url, err := h.ideogram.GenerateURL(r.Context(), r.FormValue("prompt"))
	if err != nil {
		http.Error(w, "generation failed", http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"url": url})
}
"""
PHP_SERVICE = """\
<?php

namespace App\\Services;

use Illuminate\\Support\\Facades\\Http;

class IdeogramImages
{
    public function generateUrl(string $prompt): string
    {
        $response = Http::withHeaders(['Api-Key' => config('services.ideogram.key')])
            ->timeout(120)
            ->post('https://api.ideogram.ai/v1/ideogram-v3/generate', ['prompt' => $prompt]);
        $data = $response->json();
        return $data['data'][0]['url'];
    }
}
"""
PHP_JOB = """\
<?php

namespace App\\Jobs;

use App\\Services\\IdeogramImages;

class CoverJob
{
    public function handle(IdeogramImages $ideogram, Storage $storage): void
    {
        $url = $ideogram->generateUrl($this->prompt);
        $storage->downloadToDisk($url, 'covers/' . $this->id . '.png');
    }
}
"""
PHP_CONTROLLER = """\
<?php

namespace App\\Http\\Controllers;

use App\\Services\\IdeogramImages;

class CoverController
{
    public function store(IdeogramImages $ideogram)
    {
        $url = $ideogram->generateUrl(request('prompt'));
        return response()->json(['url' => $url]);
    }
}
"""


@pytest.mark.parametrize(("files", "finding"), [
    ({"client.go": GO_CLIENT, "jobs.go": GO_JOBS}, None),
    ({"client.go": GO_CLIENT, "jobs.go": GO_JOBS, "handler.go": GO_HANDLER}, ("client.go", 40)),
    ({"app/IdeogramImages.php": PHP_SERVICE, "app/CoverJob.php": PHP_JOB}, None),
    ({"app/IdeogramImages.php": PHP_SERVICE, "app/CoverJob.php": PHP_JOB, "app/CoverController.php": PHP_CONTROLLER},
     ("app/IdeogramImages.php", 15)),
])
def test_returned_url_in_go_and_php(cli, make_repo, tmp_path, files, finding):
    got, listed = scan(cli, make_repo(files), tmp_path)
    url = {(f[1], f[2]) for f in got if f[0] == "url-not-persisted"}
    if finding is None:
        assert url == set(), got
        (why,) = [s for s in listed if s["check_id"] == "code-ideogram-url-not-persisted"]
        assert "persists the image (1 call(s)" in why["justification"]
    else:
        assert finding in url, got


def test_nothing_is_dropped_when_the_map_is_incomplete(tmp_path):
    names = write(tmp_path, {"src/urls.ts": URLS_TS, "src/covers.ts": COVERS_TS})
    full = integration_map(tmp_path, names)
    broken = IntegrationMap(full.files, full.callers, (), (), (), problems=("vite.config.ts: a symlink",))
    hit = Hit("code-ideogram-url-not-persisted", "src/urls.ts", 5, 5, "e", "m")
    assert postpass.judged(tmp_path, [hit], broken) == ([hit], [])


def test_a_call_reported_once_per_source_is_kept_once(tmp_path):
    names = write(tmp_path, {"a.py": "x = 1\n"})
    one, two = Hit("code-ideogram-no-timeout", "a.py", 1, 1, "e1", "m"), Hit("code-ideogram-no-timeout", "a.py", 1, 1,
                                                                              "e2", "m")
    assert postpass.judged(tmp_path, [one, two], integration_map(tmp_path, names)) == ([one], [])


# --- cause 8: browser modules known at repository level --------------------------------------------------------

SPA = {
    "package.json": '{"name": "studio", "private": true}\n',
    "vite.config.ts": "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n"
                      "export default defineConfig({ plugins: [react()] });\n",
    "src/config.ts": "export const config = { ideogramKey: import.meta.env.VITE_STUDIO_TOKEN as string };\n",
    "src/generate.ts": """\
import { config } from './config';

export async function generateInto(prompt: string, target: HTMLImageElement) {
  const res = await fetch('https://api.ideogram.ai/v1/ideogram-v3/generate', {
    method: 'POST',
    headers: { 'Api-Key': config.ideogramKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt }),
    signal: AbortSignal.timeout(120_000),
  });
  const body = await res.json();
  if (!body.data[0].is_image_safe) return;
  document.title = 'done';
}
""",
}
PAGE = """\
import { useState } from 'react';
import { settings } from '../lib/settings';

export default function Studio() {
  const [prompt, setPrompt] = useState('');
  async function onGenerate() {
    await fetch('https://api.ideogram.ai/v1/ideogram-v3/generate', {
      method: 'POST',
      headers: { 'Api-Key': settings.imageToken },
      body: JSON.stringify({ prompt }),
    });
  }
  return <button onClick={onGenerate}>Generate</button>;
}
"""
API_ROUTE = PAGE.replace("import { useState } from 'react';\n", "").replace(
    "  const [prompt, setPrompt] = useState('');\n", "  const prompt = 'a cat';\n")


def exposed(got: set[tuple[str, str, int]]) -> set[tuple[str, str, int]]:
    return {f for f in got if f[0] == "key-client-exposed"}


def test_the_key_header_sent_from_a_vite_spa_module_is_exposed(cli, make_repo, tmp_path):
    got, _ = scan(cli, make_repo(SPA), tmp_path)
    assert exposed(got) == {("key-client-exposed", "src/generate.ts", 6)}


def test_the_same_module_in_a_node_service_is_not_browser_code(cli, make_repo, tmp_path):
    files = {k: v for k, v in SPA.items() if k != "vite.config.ts"}
    got, _ = scan(cli, make_repo(files), tmp_path)
    assert exposed(got) == set()


def test_a_vite_app_module_that_never_touches_the_page_is_not_flagged(cli, make_repo, tmp_path):
    files = {**SPA, "src/generate.ts": SPA["src/generate.ts"].replace("  document.title = 'done';\n", "")}
    got, _ = scan(cli, make_repo(files), tmp_path)
    assert exposed(got) == set()


def test_a_react_page_with_client_hooks_sends_the_key_from_the_browser(cli, make_repo, tmp_path):
    got, _ = scan(cli, make_repo({"pages/studio.tsx": PAGE, "pages/api/generate.tsx": API_ROUTE}), tmp_path)
    assert {f[1] for f in exposed(got)} == {"pages/studio.tsx"}


# --- cause 9: knowledge from another function or module --------------------------------------------------------

STUDIO_TS = """\
import axios, { AxiosError } from 'axios';

const IDEOGRAM_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

export class StudioService {
  async generate(prompt: string, key: string) {
    try {
      const { data } = await axios.post(IDEOGRAM_URL, { prompt }, { headers: { 'Api-Key': key }, timeout: 120_000 });
      return data;
    } catch (err) {
      throw this.mapError(err as AxiosError);
    }
  }

  private mapError(err: AxiosError): Error {
    switch (err.response?.status) {
      case 400:
      case 422:
        return new Error('the prompt was rejected');
      case 401:
        return new Error('the Ideogram key is wrong');
      case 429:
        return new Error('rate limited: retry later');
      default:
        return err;
    }
  }
}
"""
LOGGING_MAPPER = STUDIO_TS[:STUDIO_TS.index("  private mapError")] + """\
  private mapError(err: AxiosError): Error {
    console.error('ideogram failed', err.message);
    return err;
  }
}
"""


def test_a_catch_that_hands_the_error_to_a_status_mapper_is_handled(cli, make_repo, tmp_path):
    got, listed = scan(cli, make_repo({"src/studio.ts": STUDIO_TS}), tmp_path)
    assert not {f for f in got if f[0] == "unhandled-errors"}, got
    (why,) = [s for s in listed if s["check_id"] == "code-ideogram-unhandled-errors"]
    assert "mapError(), which branches on 400/401/422/429" in why["justification"]


def test_a_catch_that_hands_the_error_to_a_logger_is_not_handled(cli, make_repo, tmp_path):
    got, _ = scan(cli, make_repo({"src/studio.ts": LOGGING_MAPPER}), tmp_path)
    assert ("unhandled-errors", "src/studio.ts", 8) in got


IMAGES_PY = """\
from app.http import ideogram_http
from app.settings import settings


def remix(prompt: str) -> dict:
    res = ideogram_http.post(f"{settings.IDEOGRAM_BASE_URL}/v1/ideogram-v3/remix", json={"prompt": prompt})
    return res.json()
"""


@pytest.mark.parametrize(("client", "dropped"), [
    ('import httpx\n\nideogram_http = httpx.Client(headers={"X-Team": "studio"})\n', True),  # 5 s by default
    ('import httpx\n\nideogram_http = httpx.Client(timeout=httpx.Timeout(120.0))\n', True),
    ('import httpx\n\nideogram_http = httpx.Client(timeout=None)\n', False),
    ("import requests\n\nideogram_http = requests.Session()\n", False),  # requests waits forever
])
def test_a_client_made_in_another_module_with_a_finite_timeout_is_not_missing_one(cli, make_repo, tmp_path, client,
                                                                                    dropped):
    got, listed = scan(cli, make_repo({"app/http.py": client, "app/images.py": IMAGES_PY}), tmp_path)
    assert (("no-timeout", "app/images.py", 6) not in got) is dropped
    if dropped:
        (why,) = [s for s in listed if s["check_id"] == "code-ideogram-no-timeout"]
        assert "ideogram_http is made in app/http.py with a finite timeout" in why["justification"]


WRAPPED_TS = """\
import { api } from './http';

export async function generate(prompt: string) {
  const res = await api.post(IDEOGRAM_URL, { prompt });
  return res.data;
}
"""


@pytest.mark.parametrize(("client", "dropped"), [
    ("import axios from 'axios';\nexport const api = axios.create({ baseURL: BASE, timeout: 120_000 });\n", True),
    ("import axios from 'axios';\nexport const api = axios.create({ baseURL: BASE });\n", False),
])
def test_an_axios_instance_from_another_module(tmp_path, client, dropped):
    names = write(tmp_path, {"src/http.ts": client, "src/generate.ts": WRAPPED_TS})
    hit = Hit("code-ideogram-no-timeout", "src/generate.ts", 4, 4, "e", "m")
    kept, _ = postpass.judged(tmp_path, [hit], integration_map(tmp_path, names))
    assert (kept == []) is dropped


@pytest.mark.parametrize(("source", "line", "expected"), [
    ("def a():\n    x = 1\n    return x\n", 3, "a"),
    ("class C:\n    def m(self):\n        if x:\n            return 1\n", 4, "m"),
    ("export async function gen(p: string) {\n  const r = 1;\n  return r;\n}\n", 3, "gen"),
    ("export const gen = async (p: string) => {\n  return p;\n};\n", 2, "gen"),
    ("class S {\n  async make(p: string): Promise<string> {\n    return p;\n  }\n}\n", 3, "make"),
    ("x = 1\nreturn_value = 2\n", 2, None),
])
def test_enclosing_function(source, line, expected):
    assert postpass.enclosing_function(source.splitlines(), line) == expected
