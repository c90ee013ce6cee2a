"""The CLI contract: exit codes, one-line errors, no tracebacks, the rules and schema commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import guarded
from checker.errors import ConfigError
from checker.registry import CHECKS


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("ideogram-prod: error: ")
    return lines[0]


def test_rules_lists_every_check_id(cli):
    result = cli("rules")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [spec.id for spec in CHECKS]


def test_config_schema_is_json_schema_rejecting_unknown_keys(cli):
    result = cli("config-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert "checks" in schema["properties"] and "attestations" in schema["properties"]


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("ideogram-prod ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "/definitely/not/here"], "no such directory"),
        (["check", ".", "--select", "code-nope"], "unknown check id 'code-nope'"),
        (["check", ".", "--select", "secret-genric"], "unknown check id 'secret-genric' (did you mean 'secret-generic'?)"),
        (["check", ".", "--fail-on", "fatal"], "argument --fail-on: invalid choice: 'fatal'"),
        (["check", ".", "--format", "short"], "argument --format: invalid choice: 'short'"),
        (["preflight", "--fail-on", "warnings"], "argument --fail-on: invalid choice: 'warnings'"),
        (["check", ".", "--jobs", "0"], "--jobs: must be at least 1"),
        (["check", ".", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(cli, tmp_path, args, expected):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in one_line_error(result.stderr)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("checks: [oops\n", "invalid YAML at line 2, column 1"),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("verison: 1\n", "verison: unknown key"),
        ("checks:\n  code-ideogram-no-timeout:\n    enabeld: false\n", "checks.code-ideogram-no-timeout.enabeld: unknown key"),
        ("checks:\n  not-a-check: {}\n", "unknown check id 'not-a-check'"),
        ("fail_on: warnings\n", "fail_on: Input should be 'error', 'warning' or 'note'"),
        ("failon: warning\n", "failon: unknown key (did you mean 'fail_on'?)"),
        ("checks:\n  secret-generic:\n    severity: fatal\n", "checks.secret-generic.severity"),
        ("attestations:\n  step1.key-scopes: {by: ann, date: yesterday, link: x}\n", "attestations.step1.key-scopes.date"),
        ("attestations:\n  step9.nope: {by: ann, date: 2026-01-01, link: x}\n", "unknown checklist item"),
    ],
)
def test_malformed_config_is_one_line_and_exit_2(cli, tmp_path, config, expected):
    (tmp_path / ".ideogram-prod.yaml").write_text(config)
    result = cli("check", str(tmp_path))
    assert result.returncode == 2
    line = one_line_error(result.stderr)
    assert expected in line
    assert ".ideogram-prod.yaml" in line


def test_config_error_never_echoes_the_value(cli, tmp_path):
    secret = "ik_ConfigValueMustNotEcho_7Hq2"
    (tmp_path / ".ideogram-prod.yaml").write_text(f"checks:\n  secret-generic:\n    enabled: {secret}\n")
    result = cli("check", str(tmp_path))
    assert result.returncode == 2
    assert secret not in result.stderr + result.stdout


def test_explicit_missing_config_is_exit_2(cli, tmp_path):
    result = cli("check", str(tmp_path), "--config", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "config file not found" in one_line_error(result.stderr)


def test_unwritable_output_is_exit_2(cli, tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    result = cli("check", str(tmp_path), "--select", "secret-generic", "--json", str(tmp_path / "no" / "dir.json"))
    assert result.returncode == 2
    # found after the scan: the header line came first, then the error in one line
    header, error = result.stderr.splitlines()
    assert header.startswith("ideogram-prod check: 1 file(s), 1 check(s);")
    assert "cannot write" in one_line_error(error)


def _boom() -> int:
    raise ValueError("unexpected state ik_SecretInBug_123456")


def test_internal_error_is_one_line_exit_3_and_redacted(capsys):
    from checker.redact import REDACTOR

    REDACTOR.register("ik_SecretInBug_123456")
    assert guarded(_boom, debug=False) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "internal error: ValueError" in err and "rerun with --debug" in err
    assert "ik_SecretInBug_123456" not in err


def test_internal_error_shows_redacted_traceback_with_debug(capsys):
    from checker.redact import REDACTOR

    REDACTOR.register("ik_SecretInBug_123456")
    assert guarded(_boom, debug=True) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "ik_SecretInBug_123456" not in err


def test_user_errors_keep_their_code(capsys):
    def bad() -> int:
        raise ConfigError("x.yaml: checks: unknown key")

    assert guarded(bad, debug=False) == 2
    assert capsys.readouterr().err == "ideogram-prod: error: x.yaml: checks: unknown key\n"


def test_interrupt_is_130(capsys):
    def interrupted() -> int:
        raise KeyboardInterrupt

    assert guarded(interrupted, debug=False) == 130


def test_verbose_flag_after_subcommand(cli, tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    result = cli("check", str(tmp_path), "--select", "secret-generic", "-v")
    assert result.returncode == 0, result.stderr
    assert "scanning 1 file(s)" in result.stderr


def test_python_m_checker_and_console_script_agree(tmp_path: Path):
    import shutil
    import subprocess
    import sys

    script = Path(sys.executable).parent / "ideogram-prod"
    exe = str(script) if script.exists() else shutil.which("ideogram-prod")
    assert exe, "the ideogram-prod console script is installed"
    out = subprocess.run([exe, "rules"], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0].startswith("secret-ideogram-key")


def test_errors_become_annotations_in_github_actions(cli, tmp_path):
    result = cli("check", str(tmp_path / "missing"), env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 2
    assert result.stdout.splitlines() == [f"::error title=ideogram-prod::{tmp_path / 'missing'}: no such directory"]
    one_line_error(result.stderr)


def test_in_actions_the_text_report_is_paused_for_workflow_commands_and_annotations_follow(cli, make_repo):
    import re

    root = make_repo({"docs/README.md": "# app\n"})
    result = cli("check", str(root), "--select", "docs-runbook", "--fail-on", "warning", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    token = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
    assert token, lines[0]
    end = lines.index(f"::{token.group(1)}::")
    assert any("docs-runbook" in line for line in lines[1:end])
    assert lines[end + 1].startswith("::warning file=docs/README.md,line=1,")
    again = cli("check", str(root), "--select", "docs-runbook", env={"GITHUB_ACTIONS": "true"})
    assert again.stdout.splitlines()[0] != lines[0]  # a fresh token each run: a PR cannot predict it


@pytest.mark.parametrize("message", ["k8s/a\n::error::forged.yaml: skipped", "x\r\n  ::add-mask::y", "##[error]z"])
def test_log_lines_stay_one_line_and_never_look_like_a_workflow_command(message):
    import logging

    from checker.cli import SafeFormatter

    record = logging.LogRecord("checker.scan", logging.INFO, __file__, 1, "%s", (message,), None)
    out = SafeFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert len(out.splitlines()) == 1 and out.startswith("INFO checker.scan: ")
    assert "##[" not in out


def test_a_cluster_command_without_the_kubernetes_client_is_one_line_exit_2(tmp_path: Path) -> None:
    """The slim check image has no kubernetes client: a rollout there says where to run it, not a traceback."""
    code = ("import sys; sys.modules['kubernetes'] = None\n"
            "from checker.cli import entrypoint\n"
            "sys.argv = ['ideogram-prod', 'rollout', 'status', '-d', 'web']\nentrypoint()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "the kubernetes client is not installed here" in proc.stderr and "SLIM=false" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


# --- the header, the progress indicator, --format and --fail-on -------------------------------------------------

DOCS_ONLY = {"docs/README.md": "# app\n"}  # docs-runbook: one warning


def test_the_header_names_files_checks_and_the_config(cli, make_repo):
    root = make_repo({**DOCS_ONLY, "a.py": "x = 1\n"})
    result = cli("check", str(root), "--select", "docs-runbook,secret-generic")
    assert result.returncode == 0, result.stdout  # a warning, below the default fail-on error
    assert result.stderr == ("ideogram-prod check: 2 file(s), 2 check(s); config: defaults (no .ideogram-prod.yaml "
                             "found); fail-on error\n")
    assert result.stdout.splitlines()[-1].startswith("PASSED: 1 finding(s) (1 warning); checks: 1 passed, 1 failed;"
                                                     " fail-on error; 1 below fail-on error")
    (root / ".ideogram-prod.yml").write_text("fail_on: warning\n")
    (root / ".ideogram-prod.yaml").write_text("fail_on: warning\n")
    result = cli("check", str(root), "--select", "docs-runbook")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ideogram-prod: warning: .ideogram-prod.yml: not read; the config file is .ideogram-prod.yaml (rename it)",
        "ideogram-prod check: 4 file(s), 1 check(s); config: .ideogram-prod.yaml; fail-on warning"]


def test_the_header_names_the_base_ref_under_diff_base(cli, make_repo):
    from tests.helpers.plugin import git

    root = make_repo({**DOCS_ONLY, ".ideogram-prod.yaml": "fail_on: note\n"})
    (root / "b.py").write_text("y = 2\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "pr")
    result = cli("check", str(root), "--select", "secret-generic", "--diff-base", "HEAD~1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ("ideogram-prod check: 3 file(s) (lines changed since HEAD~1), 1 check(s); config: "
                             ".ideogram-prod.yaml (base ref HEAD~1); fail-on note\n")


def test_format_full_keeps_every_paragraph_and_concise_fits_the_line(cli, make_repo):
    root = make_repo(DOCS_ONLY)
    concise = cli("check", str(root), "--select", "docs-runbook").stdout.splitlines()
    full = cli("check", str(root), "--select", "docs-runbook", "--format", "full").stdout.splitlines()
    assert concise[0] == "below fail-on error (reported, they do not fail the run):"
    assert concise[1] == "docs/README.md:1: docs-runbook no incident runbook section found (1 document(s))"
    assert concise[2].startswith("  help: https://github.com/") and concise[2].endswith("/docs/checks/docs-runbook.md")
    assert all(len(line) <= 120 for line in concise)
    assert full[0].startswith("docs/README.md:1  warning  docs-runbook  no incident runbook section found (1 "
                              "document(s)); add a heading")
    assert " failed  docs-runbook  " in "\n".join(full)


def test_the_progress_indicator_is_drawn_only_on_a_terminal(make_repo):
    import os
    import pty
    import threading

    root = make_repo(DOCS_ONLY)
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run([sys.executable, "-m", "checker", "check", str(root), "--select", "docs-runbook"],
                          stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env={**env, "TERM": "xterm"},
                          timeout=120, check=False)
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    drawn = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "checking 1 check(s)" in drawn and "\x1b[" in drawn  # the spinner, on the terminal only
    assert b"checking" not in proc.stdout and b"\x1b" not in proc.stdout  # the report on a pipe: plain text
