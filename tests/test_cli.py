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
    assert "cannot write" in one_line_error(result.stderr)


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
    result = cli("check", str(root), "--select", "docs-runbook", env={"GITHUB_ACTIONS": "true"})
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
