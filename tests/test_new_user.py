"""Tried as a new user would: the README's quick start on a fresh clone, then `init` on an empty Node project and on
an empty Python project, `check` red while the runbook's TODOs are there and green once a person has answered them.

Everything runs the installed `ideogram-prod` entry point in a subprocess, from inside the project, as the action
and a person at a terminal do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.plugin import REPO

ENTRYPOINT = Path(sys.executable).with_name("ideogram-prod")
TODO = "TODO(ideogram-prod):"
# What a team writes in place of each TODO, in the runbook's order (incident, key rotation, rollback, escalation).
ANSWERS = (
    "Open https://grafana.example.com/d/ideogram first; we handle incidents in the #inc-images Slack channel.",
    "Our key is in the Kubernetes Secret ideogram-api; only the platform team may create or revoke Ideogram keys.",
    "The on-call engineer decides a rollback alone and announces it in #inc-images with the rollout id.",
    "PagerDuty service 'images' pages the on-call rotation; the engineering manager is Dana Smith.",
)
DOC_IDS = ["docs-runbook", "docs-key-rotation", "docs-rollback", "docs-escalation"]


def user_env(home: Path) -> dict[str, str]:
    """A terminal outside CI: no GITHUB_* variables, the venv's tools first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_") and k != "CI"}
    return {**env, "PATH": f"{ENTRYPOINT.parent}{os.pathsep}{env.get('PATH', '')}", "HOME": str(home),
            "NO_COLOR": "1"}


def ideogram_prod(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENTRYPOINT), *args], cwd=cwd, env=user_env(cwd.parent), capture_output=True,
                          text=True, timeout=600, check=False, stdin=subprocess.DEVNULL)


def check(project: Path, report: Path) -> tuple[int, dict[str, Any]]:
    """`ideogram-prod check` with no path, from inside the project, plus a JSON report to assert on."""
    result = ideogram_prod(project, "check", "--json", str(report))
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(report.read_text())


def quick_start_command() -> list[str]:
    """The gate's part of the README's quick start (after the venv set-up), as argv."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block is not None, "README's quick start has no sh block"
    last = block.group(1).strip().split("&&")[-1].split()
    assert last[0] == ".venv/bin/ideogram-prod", last
    return last[1:]


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `git clone` gives a new user: the committed tree, nothing from a developer's work tree."""
    dest = tmp_path_factory.mktemp("clone") / "ideogram-prod"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(dest)], check=True, capture_output=True)
    return dest


def test_readme_quick_start_on_a_fresh_clone(fresh_clone: Path, tmp_path: Path) -> None:
    argv = quick_start_command()
    assert argv == ["check", "examples/vulnerable"]
    vulnerable = ideogram_prod(fresh_clone, *argv, "--json", str(tmp_path / "vulnerable.json"))
    assert vulnerable.returncode == 1, vulnerable.stderr
    findings = json.loads((tmp_path / "vulnerable.json").read_text())["findings"]
    assert len({f["check_id"] for f in findings}) >= 10, sorted({f["check_id"] for f in findings})

    hardened = ideogram_prod(fresh_clone, "check", "examples/hardened", "--json", str(tmp_path / "hardened.json"))
    report = json.loads((tmp_path / "hardened.json").read_text())
    assert hardened.returncode == 0, report["findings"]
    assert report["findings"] == []


def answer_todos(runbook: Path) -> None:
    """What a person does: replace each TODO line of the runbook with the team's real answer."""
    lines = runbook.read_text(encoding="utf-8").splitlines(keepends=True)
    todo_lines = [i for i, line in enumerate(lines) if line.startswith(TODO)]
    assert len(todo_lines) == len(ANSWERS)
    for i, answer in zip(todo_lines, ANSWERS, strict=True):
        lines[i] = answer + "\n"
    runbook.write_text("".join(lines), encoding="utf-8")
    assert TODO not in runbook.read_text(encoding="utf-8").replace(f"`{TODO}`", "")


NODE = {"package.json": '{\n  "name": "image-service",\n  "version": "1.0.0",\n  "private": true\n}\n'}
PYTHON = {"pyproject.toml": '[project]\nname = "image-service"\nversion = "0.1.0"\n'}


@pytest.mark.parametrize(("files", "detected", "snippet", "not_snippet"), [
    (NODE, "Detected: TS/JS (package.json).", "docs/instrumentation/ideogram_metrics.ts",
     "docs/instrumentation/ideogram_metrics.py"),
    (PYTHON, "Detected: Python (pyproject.toml).", "docs/instrumentation/ideogram_metrics.py",
     "docs/instrumentation/ideogram_metrics.ts"),
], ids=["node", "python"])
def test_init_then_check_on_an_empty_project(files: dict[str, str], detected: str, snippet: str, not_snippet: str,
                                             tmp_path: Path) -> None:
    project = tmp_path / "image-service"
    project.mkdir()
    for rel, text in files.items():
        (project / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(project)], check=True, capture_output=True)

    init = ideogram_prod(project, "init")
    assert init.returncode == 0, init.stderr
    assert detected in init.stdout
    assert "Kubernetes: no manifests found" in init.stdout
    expected = [".ideogram-prod.yaml", ".ideogram-prod.schema.json", "docs/RUNBOOK.md",
                "monitoring/ideogram-alerts.rules.yml", snippet, ".github/workflows/ideogram-prod.yml"]
    assert re.findall(r"^wrote +(\S+)$", init.stdout, flags=re.M) == expected
    for rel in expected:
        assert (project / rel).is_file(), rel
    assert not (project / not_snippet).exists()
    assert not (project / ".github/workflows/ideogram-prod-deploy.yml").exists()
    assert "No CODEOWNERS yet" in init.stdout

    # Red: the runbook's TODOs, and nothing else, until a person has answered them.
    code, report = check(project, tmp_path / "before.json")
    assert code == 1
    runbook = (project / "docs/RUNBOOK.md").read_text(encoding="utf-8").splitlines()
    todo_lines = [n for n, line in enumerate(runbook, 1) if line.startswith(TODO)]
    assert sorted((f["check_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]) == \
        sorted((check_id, "docs/RUNBOOK.md", line) for check_id, line in zip(DOC_IDS, todo_lines, strict=True))
    assert all("still has the init template's TODO" in f["message"] for f in report["findings"])

    answer_todos(project / "docs/RUNBOOK.md")
    code, report = check(project, tmp_path / "after.json")
    assert code == 0, [(r["check_id"], r["status"], r.get("reason")) for r in report["results"]
                       if r["status"] not in ("passed", "skipped")]
    assert report["findings"] == []
    statuses = {r["check_id"]: r["status"] for r in report["results"]}
    assert {c: statuses[c] for c in [*DOC_IDS, "alerts-missing"]} == dict.fromkeys([*DOC_IDS, "alerts-missing"],
                                                                                    "passed")
    assert "error" not in statuses.values() and "failed" not in statuses.values()
