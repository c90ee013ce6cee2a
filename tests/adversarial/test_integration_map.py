"""Attacks on the integration map: a pull request that hides its dev proxy from the repository-level pass (a
symlinked config, an oversized or pathological one, thousands of names) must get a finding or an error."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.adversarial.hostile import assert_not_passed, gate, hostile_repo

SELECT = "code-ideogram-no-timeout,code-ideogram-unhandled-errors"
CALLER = """\
export async function generate(prompt: string) {
  const res = await fetch(`/api/ideogram/v1/ideogram-v3/generate`, { method: 'POST', body: prompt });
  return res.json();
}
"""
PROXY = "export default { server: { proxy: { '/api/ideogram': 'https://api.ideogram.ai' } } };\n"


def status(run, check_id: str) -> tuple[str, str]:
    (result,) = [r for r in run.report["results"] if r["check_id"] == check_id]
    return result["status"], result["reason"]


def test_a_symlinked_proxy_config_is_an_error_not_an_unknown_proxy(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.ts"
    outside.write_text(PROXY)
    repo = hostile_repo(tmp_path, {"package.json": "{}\n", "src/generate.ts": CALLER})
    os.symlink(outside, repo / "vite.config.ts")
    run = gate(repo, "--select", SELECT)
    assert_not_passed(run, *SELECT.split(","))
    assert status(run, "code-ideogram-no-timeout") == (
        "error", "vite.config.ts: a symlink, not followed (the dev proxy's targets are unknown): the rule pack is not "
        "run from a partial integration map")


def test_a_symlinked_proxy_config_in_a_package_folder_is_an_error(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"web/package.json": "{}\n", "web/src/generate.ts": CALLER,
                                   "web/real.config.ts": PROXY})
    os.symlink("real.config.ts", repo / "web" / "next.config.mjs")
    run = gate(repo, "--select", SELECT)
    assert_not_passed(run, *SELECT.split(","))
    assert status(run, "code-ideogram-unhandled-errors")[0] == "error"
    assert "web/next.config.mjs: a symlink" in status(run, "code-ideogram-unhandled-errors")[1]


def test_an_oversized_proxy_config_is_an_error(tmp_path: Path) -> None:
    padding = "// " + "x" * 200 + "\n"
    repo = hostile_repo(tmp_path, {"vite.config.ts": padding * 3000 + PROXY, "src/generate.ts": CALLER})
    run = gate(repo, "--select", SELECT)
    assert_not_passed(run, *SELECT.split(","))
    reason = status(run, "code-ideogram-no-timeout")[1]
    assert reason.startswith("vite.config.ts: too large for a proxy config"), reason


def test_a_pathological_proxy_config_costs_linear_time_and_its_real_entry_still_counts(tmp_path: Path) -> None:
    # 50k candidate proxy keys with an open brace and no target before the real entry: every repetition of the
    # map's regexes is bounded, the real entry must still be read, and the call through it judged
    trap = "'/a': { " * 50_000
    repo = hostile_repo(tmp_path, {"vite.config.ts": f"/* {trap} */\n{PROXY}", "src/generate.ts": CALLER})
    started = time.monotonic()
    run = gate(repo, "--select", SELECT, "--fail-on", "warning")
    assert time.monotonic() - started < 120
    assert_not_passed(run, *SELECT.split(","))
    assert status(run, "code-ideogram-no-timeout")[0] == "failed"
    findings = {(f["check_id"], f["location"]["path"], f["location"]["line"]) for f in run.report["findings"]}
    assert ("code-ideogram-no-timeout", "src/generate.ts", 2) in findings


def test_thousands_of_sdk_operations_are_an_error_not_a_giant_rule(tmp_path: Path) -> None:
    calls = "".join(f"  await ideogram.post_op_{i}({{}});\n" for i in range(MAX + 1))
    sdk = f"import ideogram from '@api/ideogram';\nexport async function all() {{\n{calls}}}\n"
    repo = hostile_repo(tmp_path, {"src/sdk.ts": sdk})
    run = gate(repo, "--select", SELECT)
    assert_not_passed(run, *SELECT.split(","))
    assert "SDK operations (more than" in status(run, "code-ideogram-no-timeout")[1]


MAX = 500


# --- the post-pass: a pull request that plants what makes it drop a finding -----------------------------------

GENERATE = """\
import requests

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"


def generate_url(prompt: str, key: str) -> str:
    res = requests.post(IDEOGRAM_URL, json={"prompt": prompt}, headers={"Api-Key": key}, timeout=120)
    res.raise_for_status()
    return res.json()["data"][0]["url"]
"""
DECOY_CALLER = """\
from app.ideogram import generate_url
from app.storage import download_to_bucket


def warm_cache(prompt: str, key: str) -> str:
    return download_to_bucket(generate_url(prompt, key), "cache/")
"""


def test_a_decoy_caller_does_not_clear_a_url_also_handed_out_by_reference(tmp_path: Path) -> None:
    # the one direct caller persists, but the function is also registered as a route handler by name
    routes = "from app.ideogram import generate_url\n\nROUTES = {'/cover': generate_url}\n"
    repo = hostile_repo(tmp_path, {"app/ideogram.py": GENERATE, "app/warm.py": DECOY_CALLER, "app/routes.py": routes})
    run = gate(repo, "--select", "code-ideogram-url-not-persisted", "--fail-on", "warning")
    assert_not_passed(run, "code-ideogram-url-not-persisted")


STUDIO = """\
import axios, { AxiosError } from 'axios';

const IDEOGRAM_URL = 'https://api.ideogram.ai/v1/ideogram-v3/generate';

// a decoy before the real class: its mapError branches on every status
export class Decoy {
  mapError(status: number): string {
    switch (status) {
      case 400: return 'bad request';
      case 401: return 'bad key';
      case 422: return 'rejected';
      case 429: return 'throttled';
      default: return 'other';
    }
  }
}

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
    return err;
  }
}
"""


def test_a_status_mapper_in_another_class_does_not_clear_the_catch(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"src/studio.ts": STUDIO})
    run = gate(repo, "--select", "code-ideogram-unhandled-errors", "--fail-on", "warning")
    assert_not_passed(run, "code-ideogram-unhandled-errors")


def test_a_client_rebound_in_the_calling_module_keeps_its_missing_timeout(tmp_path: Path) -> None:
    images = """\
import requests

from app.http import ideogram_http
from app.settings import settings

ideogram_http = requests.Session()


def remix(prompt: str) -> dict:
    res = ideogram_http.post(f"{settings.IDEOGRAM_BASE_URL}/v1/ideogram-v3/remix", json={"prompt": prompt})
    return res.json()
"""
    repo = hostile_repo(tmp_path, {"app/http.py": "import httpx\n\nideogram_http = httpx.Client(timeout=30)\n",
                                   "app/images.py": images})
    run = gate(repo, "--select", "code-ideogram-no-timeout", "--fail-on", "warning")
    assert_not_passed(run, "code-ideogram-no-timeout")


def test_a_use_server_directive_does_not_hide_a_vite_spa_module_from_the_browser(tmp_path: Path) -> None:
    module = """\
'use server';
import { config } from './config';

export async function generateInto(prompt: string) {
  const res = await fetch('https://api.ideogram.ai/v1/ideogram-v3/generate', {
    method: 'POST',
    headers: { 'Api-Key': config.ideogramKey },
    body: JSON.stringify({ prompt }),
  });
  document.title = 'done';
  return res.status;
}
"""
    repo = hostile_repo(tmp_path, {
        "package.json": "{}\n", "vite.config.ts": "export default { plugins: [] };\n",
        "src/config.ts": "export const config = { ideogramKey: import.meta.env.VITE_STUDIO_TOKEN as string };\n",
        "src/generate.ts": module})
    run = gate(repo, "--select", "code-ideogram-key-client-exposed")
    assert_not_passed(run, "code-ideogram-key-client-exposed")
    findings = {(f["location"]["path"], f["location"]["line"]) for f in run.report["findings"]}
    assert ("src/generate.ts", 7) in findings
