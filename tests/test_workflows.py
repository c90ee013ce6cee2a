"""The workflows and templates: linted by zizmor, actionlint, check-jsonschema and hadolint, and their shape."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.docs_links import REPOSITORY

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
TEMPLATES = sorted((ROOT / "examples/workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# The templates pin the repository docs_links names: the placeholder until scripts/release.py writes both.
OUR_ACTION = re.compile(rf"^{re.escape(REPOSITORY)}@[0-9a-f]{{40}}$")


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return str(path)


def run_tool(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), "ZIZMOR_OFFLINE": "true", "NO_COLOR": "1"}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # PyYAML reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in doc:
        return list(doc["runs"]["steps"])
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


def local_copies(templates: list[Path], dest: Path) -> list[Path]:
    """Templates with our action as `uses: ./`, so actionlint checks every `with:` against action.yml."""
    shutil.copy(ACTION, dest / "action.yml")
    (dest / ".github/workflows").mkdir(parents=True)
    out = []
    for t in templates:
        target = dest / ".github/workflows" / t.name
        target.write_text(re.sub(rf"{re.escape(REPOSITORY)}@[0-9a-f]{{40}}[^\n]*", "./", t.read_text(encoding="utf-8")))
        out.append(target)
    return out


ALL_YAML = [ACTION, *WORKFLOWS, *TEMPLATES]


def test_there_is_something_to_lint() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "release.yml"]
    assert [p.name for p in TEMPLATES] == ["deploy.yml", "pr-gate.yml", "rollback.yml"]


def test_zizmor_pedantic_has_no_findings() -> None:
    proc = run_tool(tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                    *(str(p.relative_to(ROOT)) for p in ALL_YAML))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout


def test_actionlint_has_no_findings(tmp_path: Path) -> None:
    # ci.yml reaches action.yml through `uses: $/.`, so the action's inputs are checked too.
    proc = run_tool(tool("actionlint"), *(str(p.relative_to(ROOT)) for p in WORKFLOWS + TEMPLATES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    copies = local_copies(TEMPLATES, tmp_path)
    proc = run_tool(tool("actionlint"), *(str(p.relative_to(tmp_path)) for p in copies), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_json_schemas_accept_action_and_workflows() -> None:
    proc = run_tool(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_tool(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                    *(str(p) for p in WORKFLOWS + TEMPLATES))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_has_no_findings() -> None:
    proc = run_tool(tool("hadolint"), "Dockerfile")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_linters_do_fail_on_a_bad_workflow(tmp_path: Path) -> None:
    """The zero-findings results above mean something: the same tools catch the classic mistakes."""
    bad = tmp_path / ".github/workflows/bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("on: pull_request_target\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - uses: actions/checkout@v4\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n")
    assert run_tool(tool("zizmor"), "--offline", str(bad), cwd=tmp_path).returncode != 0
    assert run_tool(tool("actionlint"), str(bad), cwd=tmp_path).returncode != 0


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_uses_is_pinned_by_sha(path: Path) -> None:
    for step in steps(load(path)):
        uses = step.get("uses")
        if uses is None or uses in ("./", "$/."):
            continue
        assert SHA_PIN.match(uses), f"{path.name}: {uses} is not pinned by a full commit SHA"


@pytest.mark.parametrize("path", [*WORKFLOWS, *TEMPLATES], ids=lambda p: p.name)
def test_least_privilege_and_no_persisted_credentials(path: Path) -> None:
    doc = load(path)
    assert doc["permissions"] == {}
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} states no permissions"
        assert "write-all" not in str(job["permissions"])
        assert "timeout-minutes" in job, f"{path.name}: job {name} has no timeout"
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "${{" not in str(step.get("run", "")), f"{path.name}: expression inside run:"
    assert "pull_request_target" not in doc["on"] and "workflow_run" not in doc["on"]


def test_pr_gate_shape() -> None:
    doc = load(ROOT / "examples/workflows/pr-gate.yml")
    assert {"pull_request", "merge_group"} <= set(doc["on"])
    assert "paths" not in str(doc["on"])  # a required check that never runs stays pending forever
    (job,) = doc["jobs"].values()
    assert job["name"] == "ideogram-prod check"
    assert set(job["permissions"]) == {"contents", "security-events", "actions"}
    assert "secrets." not in (ROOT / "examples/workflows/pr-gate.yml").read_text()
    gate = job["steps"][-1]
    assert OUR_ACTION.match(gate["uses"]) and gate["with"]["sarif-upload"] == "auto"


def test_deploy_shape() -> None:
    doc = load(ROOT / "examples/workflows/deploy.yml")
    jobs = doc["jobs"]
    chain = ["preflight", "canary-10", "analyze-10", "canary-50", "analyze-50", "promote-100", "verify"]
    assert list(jobs)[: len(chain)] == chain
    for before, after in itertools.pairwise(chain):
        assert jobs[after]["needs"] == before
    commands = {name: [s["with"]["command"] for s in jobs[name]["steps"] if "with" in s and "command" in s["with"]]
                for name in jobs}
    assert commands["preflight"] == ["preflight"]
    assert commands["canary-10"] == ["rollout-start"] and commands["analyze-10"] == ["rollout-analyze"]
    assert commands["canary-50"] == ["rollout-promote"] and commands["promote-100"] == ["rollout-promote"]
    weights = {name: s["with"].get("weight") for name in jobs for s in jobs[name]["steps"] if "with" in s}
    assert (weights["canary-10"], weights["canary-50"], weights["promote-100"]) == ("10", "50", "100")
    assert jobs["canary-50"]["environment"] == "production-approval"
    rollback = jobs["rollback"]
    assert rollback["if"] == "${{ failure() || cancelled() }}"
    assert set(rollback["needs"]) == set(chain)
    assert rollback["environment"] == "production-rollback"
    assert commands["rollback"] == ["rollback"]
    # The rollback job undoes only the rollout this run started: the same explicit id in both places.
    ids = {name: s["with"].get("rollout-id") for name in jobs for s in jobs[name]["steps"] if "with" in s}
    assert ids["canary-10"] == ids["rollback"] == "gh-${{ github.run_id }}"
    assert doc["concurrency"]["cancel-in-progress"] is False
    assert "my-app" in doc["concurrency"]["group"] and "production" in doc["concurrency"]["group"]
    for name, job in jobs.items():
        assert set(job["permissions"]) <= {"contents", "id-token"}, name


def test_rollback_shape() -> None:
    doc = load(ROOT / "examples/workflows/rollback.yml")
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["type"] == "environment"
    assert inputs["dry_run"]["type"] == "boolean"
    assert inputs["reason"]["required"] is True
    assert {"deployment", "rollout-id", "revision"} <= set(inputs)
    assert inputs["rollout-id"]["default"] == "active"
    assert "github.triggering_actor" in doc["run-name"] and "inputs.reason" in doc["run-name"]
    deploy = load(ROOT / "examples/workflows/deploy.yml")
    assert doc["concurrency"]["group"] != deploy["concurrency"]["group"]
    assert doc["concurrency"]["cancel-in-progress"] is False


def test_ci_has_one_aggregator_over_every_job() -> None:
    jobs = load(ROOT / ".github/workflows/ci.yml")["jobs"]
    agg = jobs["ci-ok"]
    assert agg["name"] == "ci-ok" and agg["if"] == "${{ !cancelled() }}"
    assert set(agg["needs"]) == set(jobs) - {"ci-ok"}
    assert "bash .ci/run" in str(jobs["test"])


def doc_snippets() -> list[tuple[str, str]]:
    """Every workflow in a ```yaml block of the docs pages and the README: (where, text)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    out = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for i, snippet in enumerate(re.findall(r"```ya?ml\n(.*?)```", text, flags=re.DOTALL)):
            if "\njobs:" in snippet:
                out.append((f"{page.relative_to(ROOT)}#{i}", snippet))
    return out


def test_doc_snippets_lint(tmp_path: Path) -> None:
    snippets = doc_snippets()
    where = [w for w, _ in snippets]
    assert len(snippets) >= 5, f"expected the three templates, the quick start's and the README's gate: {where}"
    originals = []
    for i, (_, snippet) in enumerate(snippets):
        path = tmp_path / f"snippet-{i}.yml"
        path.write_text(snippet, encoding="utf-8")
        originals.append(path)
    proc = run_tool(tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", *map(str, originals),
                    cwd=tmp_path)
    assert proc.returncode == 0, f"{where}\n{proc.stdout}{proc.stderr}"
    proc = run_tool(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, originals))
    assert proc.returncode == 0, f"{where}\n{proc.stdout}{proc.stderr}"
    repo = tmp_path / "repo"
    repo.mkdir()
    copies = local_copies(originals, repo)
    proc = run_tool(tool("actionlint"), *(str(p.relative_to(repo)) for p in copies), cwd=repo)
    assert proc.returncode == 0, f"{where}\n{proc.stdout}{proc.stderr}"
    for path in originals:
        for step in steps(load(path)):
            uses = step.get("uses")
            assert uses is None or SHA_PIN.match(uses), uses


def test_pr_gate_diffs_against_the_base_in_pull_requests_and_merge_queues() -> None:
    """Without a diff base a merge-queue run would scan with the PR's own config and baseline."""
    doc = load(ROOT / "examples/workflows/pr-gate.yml")
    assert {"pull_request", "merge_group"} <= set(doc["on"])
    step = next(s for s in doc["jobs"]["ideogram-prod-check"]["steps"] if s.get("id") == "gate")
    assert step["with"]["diff-base"] == \
        "${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}"
