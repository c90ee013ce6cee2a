"""Attack family: the pull request lowers the bar the gate fails at (`fail_on`, a check's `severity`) in its own config.

Under --diff-base the base ref's config is the one enforced, so a laxer `fail_on` (or a finding's severity pushed
below it) in the pull request changes nothing, and a stricter one is as irrelevant; a value that is not a severity
is exit 2 in one line. Errors fail whatever the threshold.
"""

from __future__ import annotations

import pytest

from tests.adversarial.hostile import KEY, GateRun, assert_not_passed, gate, hostile_repo, pr_commit

GATE = "gate-config-changed"
SECRETS = f"secret-ideogram-key,secret-generic,{GATE}"
TIMEOUT = f"code-ideogram-no-timeout,{GATE}"
CLEAN = {"app.py": "import os\n\nKEY = os.environ['IDEOGRAM_API_KEY']\n"}
LEAK = f'IDEOGRAM_API_KEY = "{KEY}"\n'
# An Ideogram call without a timeout: a warning (code-ideogram-no-timeout), nothing at error level.
NO_TIMEOUT = ('import os\n\nimport requests\n\n\ndef generate(prompt):\n'
              '    return requests.post("https://api.ideogram.ai/v1/ideogram-v3/generate",\n'
              '                         headers={"Api-Key": os.environ["IDEOGRAM_API_KEY"]}, json={"prompt": prompt})\n')
LAX = {
    "fail-on-error": "fail_on: error\n",
    "key-severity-note": "checks:\n  secret-ideogram-key: {severity: note}\n",
    "everything-note": "fail_on: error\nchecks:\n" + "".join(
        f"  {cid}: {{severity: note}}\n" for cid in SECRETS.split(",")),
}


def statuses(run: GateRun) -> dict[str, str]:
    return {r["check_id"]: r["status"] for r in run.report["results"]}  # type: ignore[index, union-attr]


def severities(run: GateRun) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in run.report["findings"]:  # type: ignore[union-attr]
        out.setdefault(f["check_id"], set()).add(f["severity"])  # type: ignore[index]
    return out


@pytest.mark.parametrize("config", LAX.values(), ids=LAX.keys())
def test_a_pr_that_lowers_the_bar_for_its_own_key_is_not_passed(tmp_path, config):
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml": "fail_on: warning\n"})
    base = pr_commit(repo, {".ideogram-prod.yaml": config, "leak.py": LEAK})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", GATE)
    assert severities(run)["secret-ideogram-key"] == {"error"}  # the base's severities, not the PR's
    assert "fail-on warning" in run.stderr and f"config: .ideogram-prod.yaml (base ref {base})" in run.stderr


def test_a_laxer_fail_on_in_the_pr_does_not_relax_the_bases_warning_gate(tmp_path):
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml": "fail_on: warning\n"})
    base = pr_commit(repo, {".ideogram-prod.yaml": "fail_on: error\n", "gen.py": NO_TIMEOUT})
    run = gate(repo, "--diff-base", base, "--select", TIMEOUT)
    assert_not_passed(run, "code-ideogram-no-timeout", GATE)
    assert severities(run) == {"code-ideogram-no-timeout": {"warning"}, GATE: {"warning"}}
    # the same change with the PR's config obeyed (--config-from-head, for trusted branches only) passes
    trusted = gate(repo, "--diff-base", base, "--select", TIMEOUT, "--config-from-head")
    assert trusted.returncode == 0, trusted.stdout[-2000:]
    assert statuses(trusted)["code-ideogram-no-timeout"] == "failed"  # reported all the same


def test_a_stricter_fail_on_in_the_pr_is_as_irrelevant(tmp_path):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {".ideogram-prod.yaml": "fail_on: note\n", "gen.py": NO_TIMEOUT})
    run = gate(repo, "--diff-base", base, "--select", TIMEOUT)
    assert run.returncode == 0, run.stdout[-2000:]  # the base has no config: the default threshold, error
    assert statuses(run) == {"code-ideogram-no-timeout": "failed", GATE: "failed"}
    assert "config: defaults (no .ideogram-prod.yaml at base ref" in run.stderr and "fail-on error" in run.stderr
    assert "below fail-on error" in run.stdout


def test_gate_config_changed_follows_the_threshold(tmp_path):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {".ideogram-prod.yaml": "exclude: ['*.py']\n"})
    lax = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert lax.returncode == 0 and statuses(lax)[GATE] == "failed", lax.stdout[-2000:]
    assert_not_passed(gate(repo, "--diff-base", base, "--select", SECRETS, "--fail-on", "warning"), GATE)


def test_a_base_that_makes_config_changes_an_error_blocks_them_whatever_the_pr_says(tmp_path):
    """The old behaviour, kept by a base config: a change to the gate's settings fails the run at fail-on error."""
    strict = "checks:\n  gate-config-changed: {severity: error}\n"
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml": strict})
    base = pr_commit(repo, {".ideogram-prod.yaml": "checks:\n  gate-config-changed: {severity: note}\n"
                                                   "exclude: ['*']\n"})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, GATE)
    assert severities(run) == {GATE: {"error"}}


def test_the_flag_wins_over_the_config_both_ways(tmp_path):
    repo = hostile_repo(tmp_path, {".ideogram-prod.yaml": "fail_on: warning\n", "gen.py": NO_TIMEOUT})
    assert_not_passed(gate(repo, "--select", "code-ideogram-no-timeout"), "code-ideogram-no-timeout")
    assert gate(repo, "--select", "code-ideogram-no-timeout", "--fail-on", "error").returncode == 0
    (repo / ".ideogram-prod.yaml").write_text("fail_on: error\n")
    assert gate(repo, "--select", "code-ideogram-no-timeout").returncode == 0
    assert_not_passed(gate(repo, "--select", "code-ideogram-no-timeout", "--fail-on", "note"),
                      "code-ideogram-no-timeout")


def test_an_error_fails_whatever_the_threshold(tmp_path):
    # the scanner is missing: the secrets check could not look, an error at any threshold (never below one)
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml": "fail_on: note\n"})
    for fail_on in ("error", "warning", "note"):
        run = gate(repo, "--select", "secret-ideogram-key", "--fail-on", fail_on,
                   env={"IDEOGRAM_PROD_DETECT_SECRETS": "/nonexistent/detect-secrets"})
        assert_not_passed(run, "secret-ideogram-key")
        assert statuses(run)["secret-ideogram-key"] == "error" and f"fail-on {fail_on}" in run.stdout


@pytest.mark.parametrize("where", ["checkout", "base-ref"])
def test_a_fail_on_that_is_no_severity_is_one_line_exit_2(tmp_path, where):
    bogus = {".ideogram-prod.yaml": "fail_on: bogus\n"}
    repo = hostile_repo(tmp_path, {**CLEAN, **(bogus if where == "base-ref" else {})})
    base = pr_commit(repo, {"leak.py": LEAK, **(bogus if where == "checkout" else {})})
    run = gate(repo, "--select", SECRETS, *(("--diff-base", base) if where == "base-ref" else ()))
    assert run.returncode == 2, (run.stdout[-2000:], run.stderr)
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("ideogram-prod: error: "), run.stderr
    assert ".ideogram-prod.yaml: fail_on: Input should be 'error', 'warning' or 'note'" in run.stderr
    assert "bogus" not in run.stderr  # the value is the PR's input: never echoed


def test_a_fail_on_flag_that_is_no_severity_is_one_line_exit_2(tmp_path):
    repo = hostile_repo(tmp_path, CLEAN)
    run = gate(repo, "--fail-on", "warnings")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    assert "argument --fail-on: invalid choice: 'warnings'" in run.stderr
