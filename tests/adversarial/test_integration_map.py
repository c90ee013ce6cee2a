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
