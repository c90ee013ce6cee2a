"""Attack family: the pull request's own config, baseline and markers try to turn the gate off (issue 10, fault 9).

Under --diff-base the base ref's config and baseline are enforced and every change to the gate's settings is a
`gate-config-changed` finding; without a base, a config YAML cannot hide a second meaning (duplicate keys) or
crash the gate, and an inline ignore needs a reason. Each attack ends in a finding or an error, never exit 0.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.adversarial.hostile import KEY, GateRun, assert_not_passed, gate, hostile_repo, pr_commit

SECRETS = "secret-ideogram-key,secret-generic,gate-config-changed"
CLEAN = {"app.py": "import os\n\nKEY = os.environ['IDEOGRAM_API_KEY']\n"}
LEAK = f'IDEOGRAM_API_KEY = "{KEY}"\n'


def findings(run: GateRun) -> set[tuple[str, str]]:
    return {(f["check_id"], f["location"]["path"]) for f in run.report["findings"]}  # type: ignore[index]


def one_line_error(run: GateRun, *words: str) -> None:
    """Bad input: exit 2, one line `ideogram-prod: error: ...`, no traceback."""
    assert run.returncode == 2, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("ideogram-prod: error: "), run.stderr
    assert "Traceback" not in run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


def baseline_for(path: str, line: int) -> str:
    """A detect-secrets baseline that records the planted key as an audited false positive."""
    entry = {"type": "Ideogram API Key", "filename": path, "hashed_secret": hashlib.sha1(KEY.encode()).hexdigest(),
             "is_verified": False, "line_number": line, "is_secret": False}
    return json.dumps({"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": {path: [entry]}})


# --- the PR's config: enforced from the base ref, and the change reported -------------------------------------

PR_CONFIGS = {
    "exclude-all-python": 'exclude: ["*.py"]\n',
    "per-check-exclude": "checks:\n  secret-ideogram-key: {exclude: ['*']}\n  secret-generic: {exclude: ['*']}\n",
    "disabled": "checks:\n  secret-ideogram-key: {enabled: false}\n  secret-generic: {enabled: false}\n",
    "disables-the-change-report": "checks:\n  secret-ideogram-key: {enabled: false}\n"
                                  "  gate-config-changed: {enabled: false}\n",
    "ignores-the-change-report": "# ideogram-prod: ignore[gate-config-changed] -- trust me\n"
                                 "checks:\n  secret-ideogram-key: {enabled: false}\n",
    "duplicate-key": "checks:\n  secret-generic: {severity: note}\n"
                     "checks:\n  secret-ideogram-key: {enabled: false}\n",
}


@pytest.mark.parametrize("config", PR_CONFIGS.values(), ids=PR_CONFIGS.keys())
@pytest.mark.parametrize("base_config", [None, "version: 1\n"], ids=["no-base-config", "base-config"])
def test_a_pr_config_that_hides_the_key_is_not_enforced(tmp_path, config, base_config):
    repo = hostile_repo(tmp_path, {**CLEAN, **({".ideogram-prod.yaml": base_config} if base_config else {})})
    base = pr_commit(repo, {".ideogram-prod.yaml": config, "leak.py": LEAK})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", "gate-config-changed")
    assert {("secret-ideogram-key", "leak.py"), ("gate-config-changed", ".ideogram-prod.yaml")} <= findings(run)
    assert f"enforced the version at {base}" in gate(repo, "--diff-base", base, "--select", SECRETS,
                                                     "--format", "full").stdout


def test_config_from_head_obeys_the_pr_but_still_reports_the_change(tmp_path):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {".ideogram-prod.yaml": PR_CONFIGS["exclude-all-python"], "leak.py": LEAK})
    run = gate(repo, "--diff-base", base, "--select", SECRETS, "--config-from-head", "--fail-on", "warning",
               "--format", "full")
    assert_not_passed(run, "gate-config-changed")
    assert findings(run) == {("gate-config-changed", ".ideogram-prod.yaml")}
    assert "--config-from-head" in run.stdout
    exclusions = run.report["exclusions"]
    assert {"setting": "exclude", "value": "*.py", "files": 2} in exclusions  # type: ignore[operator]


def test_a_pr_that_turns_the_config_into_a_directory(tmp_path):
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml": "version: 1\n"})
    (repo / ".ideogram-prod.yaml").unlink()
    base = pr_commit(repo, {".ideogram-prod.yaml/x": "exclude: ['*']\n", "leak.py": LEAK})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", "gate-config-changed")
    assert ("gate-config-changed", ".ideogram-prod.yaml") in findings(run)
    assert ("gate-config-changed", ".ideogram-prod.yaml/x") in findings(run)


def test_a_base_config_that_is_a_directory_is_exit_2(tmp_path):
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml/x": "version: 1\n"})
    base = pr_commit(repo, {"leak.py": LEAK})
    one_line_error(gate(repo, "--diff-base", base, "--select", SECRETS), ".ideogram-prod.yaml", "directory")


# --- the baseline: the base ref's is enforced ------------------------------------------------------------------

def test_a_baseline_entry_the_pr_adds_for_its_key_does_not_count(tmp_path):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {"leak.py": LEAK, ".secrets.baseline": baseline_for("leak.py", 1)})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", "gate-config-changed")
    assert {("secret-ideogram-key", "leak.py"), ("gate-config-changed", ".secrets.baseline")} <= findings(run)


def test_a_baseline_path_the_pr_config_points_elsewhere_does_not_count(tmp_path):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {"leak.py": LEAK, "ci/fp.json": baseline_for("leak.py", 1),
                            ".ideogram-prod.yaml": "secrets: {baseline: ci/fp.json}\n"})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", "gate-config-changed")


def test_a_baseline_match_in_a_full_scan_is_listed_as_a_suppression(tmp_path):
    """Without a base ref the working tree's baseline is all there is: its matches are listed, never silent."""
    repo = hostile_repo(tmp_path, {"leak.py": LEAK, ".secrets.baseline": baseline_for("leak.py", 1)})
    run = gate(repo, "--select", SECRETS)
    (listed,) = run.report["suppressions"]  # type: ignore[misc]
    assert (listed["check_id"], listed["kind"], listed["location"]["path"]) == ("secret-ideogram-key", "baseline",
                                                                                "leak.py")
    assert run.report["suppression_counts"]["baseline"] == 1  # type: ignore[index]
    (result,) = [r for r in json.loads(run.reports["sarif"])["runs"][0]["results"] if r.get("suppressions")]
    assert result["suppressions"][0]["kind"] == "external" and result["ruleId"] == "secret-ideogram-key"
    assert "### Suppressions (1)" in run.reports["summary"]


# --- files that steer git and semgrep ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, text", [(".gitattributes", "* -diff\n"), ("src/.gitattributes", "*.py binary\n"),
                                         (".semgrepignore", "*\n")])
def test_a_pr_that_changes_what_steers_the_scanners_is_reported(tmp_path, name, text):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {name: text, "src/leak.py": LEAK})
    run = gate(repo, "--diff-base", base, "--select", SECRETS, "--fail-on", "warning")
    assert_not_passed(run, "gate-config-changed")
    assert ("gate-config-changed", name) in findings(run)


# --- markers in the source --------------------------------------------------------------------------------------

MARKERS = {
    "detect-secrets-pragma": f'IDEOGRAM_API_KEY = "{KEY}"  # pragma: allowlist secret\n',
    "detect-secrets-nextline-pragma": f'# pragma: allowlist nextline secret\nIDEOGRAM_API_KEY = "{KEY}"\n',
    "ignore-without-reason": f'# ideogram-prod: ignore[secret-ideogram-key]\nIDEOGRAM_API_KEY = "{KEY}"\n',
    "ignore-with-an-empty-reason": f'# ideogram-prod: ignore[secret-ideogram-key] --\nIDEOGRAM_API_KEY = "{KEY}"\n',
    "ignore-whose-reason-is-a-token": f"# ideogram-prod: ignore[secret-ideogram-key] -- {'x9' * 15}\n"
                                      f'IDEOGRAM_API_KEY = "{KEY}"\n',
}


@pytest.mark.parametrize("mode", ["full", "diff"])
@pytest.mark.parametrize("source", MARKERS.values(), ids=MARKERS.keys())
def test_markers_without_a_reason_do_not_silence_the_key(tmp_path, source, mode):
    if mode == "full":
        run = gate(hostile_repo(tmp_path, {"leak.py": source}), "--select", SECRETS)
    else:
        repo = hostile_repo(tmp_path, CLEAN)
        run = gate(repo, "--diff-base", pr_commit(repo, {"leak.py": source}), "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key")
    assert not [s for s in run.report["suppressions"] if s["check_id"] == "secret-ideogram-key"]  # type: ignore[union-attr]
    (finding,) = [f for f in run.report["findings"] if f["check_id"] == "secret-ideogram-key"]  # type: ignore[union-attr]
    assert "does not" in finding["message"]  # the finding says why the marker did not count


def test_a_reasoned_ignore_is_listed_and_a_key_in_its_reason_is_masked(tmp_path):
    """A reason is the PR author's word: it is shown to the reviewer everywhere, and never leaks a secret."""
    source = f'# ideogram-prod: ignore[secret-ideogram-key] -- fixture, see {KEY}\nIDEOGRAM_API_KEY = "{KEY}"\n'
    run = gate(hostile_repo(tmp_path, {"leak.py": source}), "--select", SECRETS)  # gate() asserts no leak
    (listed,) = [s for s in run.report["suppressions"] if s["check_id"] == "secret-ideogram-key"]  # type: ignore[union-attr]
    assert (listed["kind"], listed["justification"]) == ("inline", "fixture, see …")
    sarif = json.loads(run.reports["sarif"])["runs"][0]["results"]
    assert [r["suppressions"][0]["kind"] for r in sarif if r.get("suppressions")] == ["inSource"]
    assert "fixture, see …" in run.reports["summary"]


# --- config YAML that would mean two things, or crash the gate --------------------------------------------------

BAD_CONFIGS = {
    "duplicate-top-level-key": ("exclude: []\nscan_tests: false\nexclude: ['*']\n", ("line 3", "'exclude'")),
    "duplicate-nested-key": ("checks:\n  secret-ideogram-key: {enabled: true, enabled: false}\n",
                             ("line 2", "'enabled'")),
    "deeply-nested": ("exclude: " + "[" * 200 + "]" * 200 + "\n", ("nested deeper",)),
    "libyaml-depth": ("exclude: " + "[" * 5000 + "]" * 5000 + "\n", ("invalid YAML",)),
    "huge": ("# " + "x" * (300 * 1024) + "\nversion: 1\n", ("larger than 256 KiB",)),
    "alias-bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)), ("unknown key",)),
    "not-utf8": (b"version: 1\n# \xff\xfe\n", ("not UTF-8",)),
}


@pytest.mark.parametrize("config, words", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_a_config_that_cannot_mean_one_thing_is_exit_2(tmp_path, config, words):
    repo = hostile_repo(tmp_path, {"leak.py": LEAK, ".ideogram-prod.yaml": config})
    one_line_error(gate(repo, "--select", SECRETS), ".ideogram-prod.yaml", *words)


@pytest.mark.parametrize("config, words", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_the_same_config_in_a_pr_is_not_read_but_reported(tmp_path, config, words):
    repo = hostile_repo(tmp_path, CLEAN)
    base = pr_commit(repo, {"leak.py": LEAK, ".ideogram-prod.yaml": config})
    run = gate(repo, "--diff-base", base, "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", "gate-config-changed")


@pytest.mark.parametrize("config, words", [BAD_CONFIGS["duplicate-top-level-key"], BAD_CONFIGS["huge"]],
                         ids=["duplicate-key", "huge"])
def test_a_bad_config_at_the_base_ref_is_exit_2(tmp_path, config, words):
    repo = hostile_repo(tmp_path, {**CLEAN, ".ideogram-prod.yaml": config})
    base = pr_commit(repo, {"leak.py": LEAK})
    one_line_error(gate(repo, "--diff-base", base, "--select", SECRETS), f"{base}:.ideogram-prod.yaml", *words)


def test_a_config_that_is_a_directory_is_exit_2(tmp_path):
    repo = hostile_repo(tmp_path, {"leak.py": LEAK, ".ideogram-prod.yaml/x": "version: 1\n"})
    one_line_error(gate(repo, "--select", SECRETS), ".ideogram-prod.yaml", "directory")


# --- an explicit --config inside the repository is the PR's file too --------------------------------------------

@pytest.mark.parametrize("how", ["edited", "symlink-out"])
def test_an_explicit_config_in_the_repository_comes_from_the_base_ref(tmp_path, how):
    repo = hostile_repo(tmp_path, {**CLEAN, "ci/gate.yaml": "version: 1\n"})
    if how == "edited":
        base = pr_commit(repo, {"ci/gate.yaml": PR_CONFIGS["disabled"], "leak.py": LEAK})
    else:  # the PR points the file at one outside the repository that parses as an empty config
        (repo / "ci/gate.yaml").unlink()
        (repo / "ci/gate.yaml").symlink_to("/dev/null")
        base = pr_commit(repo, {"leak.py": LEAK})
    run = gate(repo, "--diff-base", base, "--config", "ci/gate.yaml", "--select", SECRETS)
    assert_not_passed(run, "secret-ideogram-key", "gate-config-changed")
    assert ("gate-config-changed", "ci/gate.yaml") in findings(run)


def test_the_pragma_may_silence_a_generic_secret_but_it_is_listed(tmp_path):
    repo = hostile_repo(tmp_path, {"a.py": 'aws = "AKIAZ7XQ4M2PLK9TRW3B"  # pragma: allowlist secret\n'})
    run = gate(repo, "--select", SECRETS)
    (listed,) = run.report["suppressions"]  # type: ignore[misc]
    assert (listed["check_id"], listed["kind"], listed["justification"]) == (
        "secret-generic", "inline", "detect-secrets pragma: allowlist secret")
    assert run.report["suppression_counts"]["inline"] == 1  # type: ignore[index]
    assert "### Suppressions (1)" in run.reports["summary"]
