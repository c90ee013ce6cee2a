"""tests-pass over fixture repos with real pytest, npm and timeouts, plus table tests of its pure helpers."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from checker.checks.static import tests_pass
from checker.config import TestsConfig
from tests.helpers.plugin import require_tool

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tests_pass"
ID = "tests-pass"
FAKE_TOKEN = "ghp_" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNb"  # what a CI runner would have in its env
# The CLI's own venv has pytest: make it the "activated" one so detection is deterministic.
ENV = {"VIRTUAL_ENV": sys.prefix, "GITHUB_TOKEN": FAKE_TOKEN, "IDEOGRAM_API_KEY": "ik_envKeyNeverForTests0001"}


def check(cli, name: str, tmp_path: Path, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    root = Path(shutil.copytree(FIXTURES / name, tmp_path / name))
    out = tmp_path / "r.json"
    result = cli("check", str(root), "--select", ID, "--json", str(out), env={**ENV, **(env or {})})
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(out.read_text()), result.stdout + result.stderr


def outcome(doc: dict) -> tuple[str, str]:
    (result,) = doc["results"]
    return result["status"], result["reason"]


def test_pytest_passes_with_a_clean_env(cli, tmp_path):
    code, doc, _ = check(cli, "py-pass", tmp_path)  # the test asserts no GITHUB_TOKEN/IDEOGRAM_API_KEY, CI=true
    assert code == 0, doc
    status, reason = outcome(doc)
    assert status == "passed" and reason.startswith("`python -m pytest` passed in ")


def test_pytest_failure_points_at_the_test_and_masks_the_key_it_prints(cli, tmp_path):
    code, doc, streams = check(cli, "py-fail", tmp_path)
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["location"]["path"], finding["location"]["line"]) == ("tests/test_bad.py", 5)
    assert finding["message"].startswith("`python -m pytest` failed (exit 1)")
    assert "1 failed" in finding["message"]
    text = json.dumps(doc) + streams
    for part in ("ik_TailCanary9Xq3Lm7Vb2Np5Rt8Wz4", "TailCanar", "Np5Rt8Wz4", FAKE_TOKEN):
        assert part not in text


def test_npm_test_passes(cli, tmp_path):
    require_tool("npm")
    code, doc, _ = check(cli, "npm-pass", tmp_path)
    assert code == 0
    assert outcome(doc)[1].startswith("`npm test` passed in ")


def test_npm_test_failure_reports_the_tail_of_its_output(cli, tmp_path):
    require_tool("npm")
    code, doc, _ = check(cli, "npm-fail", tmp_path)
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["location"]["path"], finding["location"]["line"]) == ("package.json", 6)
    lines = finding["message"].splitlines()
    assert lines[0] == lines[0].split(";")[0] + "; last lines of its output:"
    assert lines[-2:] == ["line 40", "expected 200, got 500"]
    assert len(lines) == 1 + tests_pass.TAIL_LINES and "line 20" not in lines


def test_npm_default_script_and_no_python_tests_is_skipped(cli, tmp_path):
    code, doc, _ = check(cli, "npm-default", tmp_path)
    assert code == 0
    status, reason = outcome(doc)
    assert status == "skipped" and reason.startswith("no test suite found")


def test_timeout_fails_with_a_clear_message(cli, tmp_path):
    start = time.monotonic()
    code, doc, _ = check(cli, "timeout", tmp_path)
    assert time.monotonic() - start < 60
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["location"]["path"], finding["location"]["line"]) == (".ideogram-prod.yaml", 2)
    assert finding["message"].startswith("`python3 slow.py --forever` timed out after 2 s (tests.timeout_s)")
    assert finding["message"].endswith("starting")


def test_missing_configured_runner_is_an_error(cli, tmp_path):
    code, doc, _ = check(cli, "missing", tmp_path)
    assert code == 1
    assert outcome(doc) == ("error", "`no-such-test-runner` is not installed or not on PATH, so the tests cannot run")


def test_missing_npm_is_an_error(cli, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    code, doc, _ = check(cli, "npm-pass", tmp_path, env={"PATH": str(bindir)})
    assert code == 1
    assert outcome(doc) == ("error", "`npm` is not installed or not on PATH, so the tests cannot run")


def test_missing_pytest_is_an_error_not_a_test_failure(cli, tmp_path, make_repo):
    # a venv inside the project wins, and this one has no pytest
    root = make_repo({"tests/test_a.py": "def test_a():\n    pass\n", ".ideogram-prod.yaml": "tests:\n  enabled: true\n"})
    venv_bin = root / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f"#!/bin/sh\nexec {sys.executable} -I -S \"$@\"\n")
    (venv_bin / "python").chmod(0o755)
    out = tmp_path / "r.json"
    assert cli("check", str(root), "--select", ID, "--json", str(out), env=ENV).returncode == 1
    status, reason = outcome(json.loads(out.read_text()))
    assert status == "error" and "could not start its test runner" in reason and "No module named pytest" in reason


# --- table tests ---

@pytest.mark.parametrize(("script", "real"), [
    ('echo "Error: no test specified" && exit 1', False), ("", False), (None, False), (["jest"], False),
    ("jest", True), ("vitest run", True), ("node --test", True),
])
def test_is_real_npm_test(script, real):
    assert tests_pass.is_real_npm_test(script) is real


def test_clean_env_keeps_an_allowlist_without_credentials_or_the_runners_files():
    env, removed = tests_pass.clean_env({
        "PATH": "/usr/bin", "HOME": "/root", "GITHUB_TOKEN": "t1", "ACTIONS_RUNTIME_URL": "u", "NPM_TOKEN": "t2",
        "AWS_SECRET_ACCESS_KEY": "t3", "IDEOGRAM_API_KEY": "t4", "DATABASE_URL": "postgres://app:pw@db/x",
        "NODE_OPTIONS": "--max-old-space-size=4096", "CI": "1", "LC_ALL": "C.UTF-8",
        "GITHUB_ENV": "/runner/env", "GITHUB_OUTPUT": "/runner/out", "GITHUB_PATH": "/runner/path",
        "GITHUB_STEP_SUMMARY": "/runner/summary", "RUNNER_TEMP": "/runner/tmp", "GITHUB_EVENT_PATH": "/e.json",
        "LD_PRELOAD": "/tmp/evil.so", "PYTHONPATH": "/tmp/evil", "BASH_ENV": "/tmp/evil.sh",
    })
    assert env == {"PATH": "/usr/bin", "HOME": "/root", "NODE_OPTIONS": "--max-old-space-size=4096", "CI": "1",
                   "LC_ALL": "C.UTF-8", "npm_config_update_notifier": "false", "npm_config_fund": "false",
                   "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    assert sorted(removed) == sorted(["t1", "u", "t2", "t3", "t4", "postgres://app:pw@db/x"])


def test_it_is_opt_in(cli, tmp_path):
    root = Path(shutil.copytree(FIXTURES / "py-fail", tmp_path / "py-fail"))
    (root / ".ideogram-prod.yaml").unlink()
    out = tmp_path / "r.json"
    result = cli("check", str(root), "--select", ID, "--json", str(out), env=ENV)
    assert result.returncode == 0, result.stderr
    status, reason = outcome(json.loads(out.read_text()))
    assert status == "skipped" and reason.startswith("not enabled: tests-pass runs the pull request's own code")


def test_it_is_refused_under_pull_request_target(cli, tmp_path):
    code, doc, _ = check(cli, "py-pass", tmp_path, env={"GITHUB_EVENT_NAME": "pull_request_target"})
    assert code == 1
    status, reason = outcome(doc)
    assert status == "error" and reason.startswith("refused under pull_request_target")


@pytest.mark.parametrize(("text", "masked"), [
    ("assert 'ik_TailCanar...Np5Rt8Wz4' == ''", "assert '***...***' == ''"),
    ("token ghp_abcDEF123ghiJKL456mnoPQR789 leaked", "token *** leaked"),
    ("/root/.pyenv/versions/3.11.7/lib/python3.11/x.py:12", "/root/.pyenv/versions/3.11.7/lib/python3.11/x.py:12"),
    ("test_api_key_is_configured FAILED", "test_api_key_is_configured FAILED"),
    ("commit 3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f9a0", "commit 3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f9a0"),
    ("waiting...done 1.2.3...4.5.6", "waiting...done 1.2.3...4.5.6"),
])
def test_mask_tokens(text, masked):
    assert tests_pass.mask_tokens(text) == masked


def test_output_tail_keeps_the_last_lines_without_colour_or_trailing_blanks():
    output = "\n".join(f"\x1b[31mline {i}\x1b[0m" for i in range(30)) + "\n\n  \n"
    assert tests_pass.output_tail(output, lines=3) == "line 27\nline 28\nline 29"
    assert tests_pass.output_tail("x" * 400).endswith("x…")


def test_plan_prefers_config_then_npm_then_pytest(tmp_path):
    env = {"PATH": os.environ["PATH"]}
    (tmp_path / "package.json").write_text('{"scripts": {"test": "jest"}}')
    files = ["package.json", "tests/test_a.py"]
    plan = tests_pass.plan_for(tmp_path, files, TestsConfig(command="make test ARGS='-x -q'"), env)
    assert plan is not None and plan.argv == ("make", "test", "ARGS=-x -q") and plan.path == "."
    plan = tests_pass.plan_for(tmp_path, files, TestsConfig(), env)
    assert plan is not None and plan.argv == ("npm", "test")
    plan = tests_pass.plan_for(tmp_path, ["tests/test_a.py"], TestsConfig(), env)
    assert plan is not None and plan.argv[1:3] == ("-m", "pytest") and plan.detected_pytest
    assert tests_pass.plan_for(tmp_path, ["src/app.py"], TestsConfig(), env) is None


def test_inside_the_checker_container_it_is_skipped_with_the_reason(cli, tmp_path):
    code, doc, _ = check(cli, "py-fail", tmp_path, env={"IDEOGRAM_PROD_CONTAINER": "1"})
    assert code == 0
    status, reason = outcome(doc)
    assert status == "skipped" and "checker container" in reason
