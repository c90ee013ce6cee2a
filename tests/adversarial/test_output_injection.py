"""Workflow-command and Markdown injection: with GITHUB_ACTIONS=true, a file name, a manifest's metadata.name or
the tests' output must not emit a workflow command (a forged ::error, ::stop-commands::, ::add-mask::, the old
##[ form) nor markup in the job summary, and a key used as a file name is masked everywhere."""

from __future__ import annotations

import re

import pytest

from checker.registry import CHECKS
from tests.adversarial.hostile import KEY, GateRun, assert_not_passed, gate, hostile_repo

ACTIONS = {"GITHUB_ACTIONS": "true"}
SECRETS = ("--select", "secret-ideogram-key,secret-generic")
FORGED = "::error title=forged::PWNED"
# Our own lines: one annotation per finding or errored check (always with a title), the notice pointing at the
# summary, and the stop/resume pair around the text report.
_OURS = re.compile(r"::(error|warning|notice) (file=[^,:]*,line=\d+,endLine=\d+,)?title=[^,:]+::[^\r\n]*")
TITLES = {s.id for s in CHECKS} | {"ideogram-prod"}
_STOP = re.compile(r"::stop-commands::([0-9a-f]{32})")


def command_lines(stdout: str) -> list[str]:
    """The lines the runner would act on: those starting with `::` (after blanks), outside a stop-commands pause
    whose token was ours; a line inside the pause is ignored by the runner but still must not look like one."""
    acting: list[str] = []
    paused: str | None = None
    for line in stdout.splitlines():
        if not line.lstrip().startswith("::"):
            continue
        if paused is not None:
            assert line == f"::{paused}::", f"a command-like line inside our pause: {line!r}"
            paused = None
            continue
        stop = _STOP.fullmatch(line)
        if stop:
            paused = stop.group(1)
            continue
        acting.append(line)
    assert paused is None, "the pause was never resumed"
    return acting


def assert_no_forged_commands(run: GateRun) -> None:
    """Every `::` line on stdout is one of ours, stderr has none, and the old `##[` form appears nowhere."""
    for line in command_lines(run.stdout):
        assert _OURS.fullmatch(line), f"not a command we emit: {line!r}"
        # as the runner reads properties: split on `,`, then on the first `=`
        props = dict(p.split("=", 1) for p in line.split("::", 2)[1].split(" ", 1)[1].split(","))
        assert set(props) <= {"file", "line", "endLine", "title"} and props["title"] in TITLES, line
    assert not any(line.lstrip().startswith("::") for line in run.stderr.splitlines()), run.stderr[-2000:]
    assert "##[" not in run.stdout and "##[" not in run.stderr


NEWLINE_NAMES = [
    f"src/a\n{FORGED}\n.env",
    "src/b\r\n::stop-commands::abc\r\n.env",
    "src/c\n::add-mask::x\n##[error]old-form\n.env",
    "src/::error::x.env",
]


@pytest.mark.parametrize("name", NEWLINE_NAMES, ids=["newline", "crlf-stop", "old-form", "leading"])
def test_a_file_name_cannot_emit_a_workflow_command(tmp_path, name):
    repo = hostile_repo(tmp_path, {name: f"IDEOGRAM_API_KEY={KEY}\n"})
    run = gate(repo, *SECRETS, env=ACTIONS)
    assert_not_passed(run, "secret-ideogram-key")
    assert_no_forged_commands(run)
    assert sum(1 for line in run.stdout.splitlines() if line.startswith("::stop-commands::")) == 1


def test_a_manifests_name_cannot_emit_a_workflow_command(tmp_path):
    manifest = (
        "apiVersion: apps/v1\nkind: Deployment\n"
        f'metadata:\n  name: "ideogram-api\\n{FORGED}\\n::stop-commands::zzz"\n'
        "spec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n"
        "    spec:\n      containers:\n        - name: \"api\\n::warning::PWNED\"\n          image: ideogram-api:1\n"
    )
    repo = hostile_repo(tmp_path, {"k8s/deployment.yaml": manifest})
    run = gate(repo, "--select", "k8s-key-missing,k8s-probes-missing,k8s-manifest-invalid", env=ACTIONS)
    assert_not_passed(run, "k8s-key-missing", "k8s-probes-missing")
    assert_no_forged_commands(run)


def test_the_tests_output_cannot_emit_a_workflow_command(tmp_path):
    script = (
        "import sys\n"
        f"print({FORGED!r})\nprint('::stop-commands::abc')\nprint('  ::warning::PWNED')\n"
        "print('##[error]old form PWNED')\nprint('::add-mask::x\\r::error::PWNED')\nsys.exit(1)\n"
    )
    repo = hostile_repo(tmp_path, {".ideogram-prod.yaml": "tests:\n  enabled: true\n  command: python3 t.py\n",
                                   "t.py": script})
    run = gate(repo, "--select", "tests-pass", "-v", env=ACTIONS)
    assert_not_passed(run, "tests-pass")
    assert_no_forged_commands(run)
    assert "    │ ::stop-commands::abc\n" in run.stdout  # the tail is shown, each line behind our prefix


def test_the_job_summary_renders_no_markup_from_the_pull_request(tmp_path):
    name = "src/x|y <img src=https://e.example/t.png> [click](https://e.example) `c` $m$ ## h.env"
    repo = hostile_repo(tmp_path, {name: f"IDEOGRAM_API_KEY={KEY}\n"})
    run = gate(repo, *SECRETS, env=ACTIONS)
    assert_not_passed(run, "secret-ideogram-key")
    summary = run.reports["summary"]
    for raw in ("<img", "[click](", "`c`", "$m$", "x|y"):
        assert raw not in summary, raw
    for row in summary.splitlines():
        if row.startswith("| "):  # no cell adds a column: every pipe is one of our separators
            assert row.count("|") in (4, 5), row


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_key_used_as_a_file_name_is_masked_in_every_output(tmp_path, where):
    name = f"config/{KEY}.env" if where == "file" else f"{KEY}/settings.env"
    repo = hostile_repo(tmp_path, {name: f"IDEOGRAM_API_KEY={KEY}\n"})
    run = gate(repo, *SECRETS, "-vv", env=ACTIONS)  # gate() asserts the key is in no stdout, stderr, report or summary
    assert_not_passed(run, "secret-ideogram-key")
    assert "***" in run.stdout and "***" in run.reports["sarif"]
