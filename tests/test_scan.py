"""The static scan end to end with the real detect-secrets: baselines, pragmas, suppression, config, diffs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.plugin import git

KEY = "kX9pQ2vL7mN4rT8wZ1yB6cF3hJ5sD0gA"
KEY2 = "Zq8Lm3Np6Rt9Vx2Bc5Df8Gh1Jk4Mn7Pq"
SECRETS = "secret-ideogram-key,secret-generic"


def findings(path: Path) -> list[tuple[str, str, int]]:
    doc = json.loads(path.read_text())
    return [(f["check_id"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]]


def results(path: Path) -> dict[str, tuple[str, str]]:
    return {r["check_id"]: (r["status"], r["reason"]) for r in json.loads(path.read_text())["results"]}


def test_finds_keys_with_relative_paths_and_exit_1(cli, make_repo, tmp_path):
    root = make_repo({"src/app.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', "clean.py": "x = 1\n",
                      "deploy/.env.production": f"IDEOGRAM_API_KEY={KEY2}\n"})
    out = tmp_path / "r.json"
    result = cli("check", str(root), "--select", SECRETS, "--json", str(out))
    assert result.returncode == 1, result.stderr
    assert findings(out) == [("secret-ideogram-key", "deploy/.env.production", 1),
                             ("secret-ideogram-key", "src/app.py", 1)]
    assert results(out)["secret-generic"][0] == "passed"


def test_clean_repo_exits_0(cli, make_repo, tmp_path):
    root = make_repo({"a.py": "import os\nKEY = os.environ['IDEOGRAM_API_KEY']\n"})
    out = tmp_path / "r.json"
    assert cli("check", str(root), "--select", SECRETS, "--json", str(out)).returncode == 0
    assert findings(out) == []


def test_allowlist_pragma_and_inline_suppression(cli, make_repo, tmp_path):
    """detect-secrets' pragma does not silence our key detector; an inline ignore needs a reason; what is
    suppressed is listed (issue 10, fault 9)."""
    root = make_repo({
        "a.py": f'IDEOGRAM_API_KEY = "{KEY}"  # pragma: allowlist secret\n',
        "b.py": f'# ideogram-prod: ignore[secret-ideogram-key] -- a fixture\nIDEOGRAM_API_KEY = "{KEY2}"\n',
        # NOTE: on the line above: detect-secrets' is_indirect_reference heuristic drops any secret on a
        # line that also holds `word: name[...]`, which our marker looks like.
        "c.py": f'# ideogram-prod: ignore[code-ideogram-no-timeout] -- not this one\nIDEOGRAM_API_KEY = "{KEY2}"\n',
        "d.py": f'# ideogram-prod: ignore[secret-ideogram-key]\nIDEOGRAM_API_KEY = "{KEY2}"\n',
    })
    out = tmp_path / "r.json"
    assert cli("check", str(root), "--select", SECRETS, "--json", str(out)).returncode == 1
    assert findings(out) == [("secret-ideogram-key", "a.py", 1), ("secret-ideogram-key", "c.py", 2),
                             ("secret-ideogram-key", "d.py", 2)]
    assert "1 suppressed inline" in results(out)["secret-ideogram-key"][1]
    doc = json.loads(out.read_text())
    assert [(s["check_id"], s["kind"], s["location"]["path"], s["justification"]) for s in doc["suppressions"]] \
        == [("secret-ideogram-key", "inline", "b.py", "a fixture")]


def test_baseline_silences_audited_false_positives_but_not_real_secrets(cli, make_repo, tmp_path):
    root = make_repo({"fp.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', "real.py": f'ideogram_token = "{KEY2}"\n'})
    from checker.tools.secrets import plugin_path

    scan = subprocess.run([str(Path(sys.executable).parent / "detect-secrets"), "scan", "-n", "--plugin",
                           str(plugin_path()), "fp.py", "real.py"], cwd=root, capture_output=True, text=True,
                          check=True)
    baseline = json.loads(scan.stdout)
    for entry in baseline["results"]["fp.py"]:
        entry["is_secret"] = False
    for entry in baseline["results"]["real.py"]:
        entry["is_secret"] = True
    (root / ".secrets.baseline").write_text(json.dumps(baseline, indent=2))
    out = tmp_path / "r.json"
    assert cli("check", str(root), "--select", SECRETS, "--json", str(out)).returncode == 1
    assert findings(out) == [("secret-ideogram-key", "real.py", 1)]


def test_a_broken_baseline_is_exit_2(cli, make_repo):
    root = make_repo({"a.py": "x = 1\n", ".secrets.baseline": "{not json"})
    result = cli("check", str(root), "--select", SECRETS)
    assert result.returncode == 2
    assert "not a detect-secrets baseline" in result.stderr


def test_config_excludes_severity_and_disable(cli, make_repo, tmp_path):
    root = make_repo({
        ".ideogram-prod.yaml": (
            "exclude: [fixtures/]\n"
            "checks:\n"
            "  secret-ideogram-key: {severity: warning, exclude: ['legacy/**']}\n"
            "  secret-generic: {enabled: false}\n"
        ),
        "fixtures/k.py": f'IDEOGRAM_API_KEY = "{KEY}"\n',
        "legacy/k.py": f'IDEOGRAM_API_KEY = "{KEY}"\n',
        "src/k.py": f'IDEOGRAM_API_KEY = "{KEY2}"\n',
    })
    out = tmp_path / "r.json"
    # the key's finding is now a warning: below the default fail-on error, it is reported and fails only at warning
    assert cli("check", str(root), "--select", SECRETS, "--json", str(out)).returncode == 0
    assert cli("check", str(root), "--select", SECRETS, "--fail-on", "warning").returncode == 1
    doc = json.loads(out.read_text())
    assert [(f["location"]["path"], f["severity"]) for f in doc["findings"]] == [("src/k.py", "warning")]
    assert results(out)["secret-generic"] == ("skipped", "disabled in configuration")
    assert cli("check", str(root), "--select", SECRETS, "--strict").returncode == 1


def test_works_outside_git(cli, tmp_path):
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "k.js").write_text(f'const ideogramKey = "{KEY}";\n')
    (tmp_path / "k.js").write_text(f'const ideogramKey = "{KEY2}";\n')
    out = tmp_path / "r.json"
    assert cli("check", str(tmp_path), "--select", SECRETS, "--json", str(out)).returncode == 1
    assert findings(out) == [("secret-ideogram-key", "k.js", 1)]


def test_diff_base_reports_only_changed_lines(cli, make_repo, tmp_path):
    root = make_repo({"old.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', "mod.py": "A = 1\nB = 2\n"})
    git(root, "checkout", "-q", "-b", "feature")
    (root / "mod.py").write_text(f'A = 1\nB = 2\nideogram_key = "{KEY2}"\n')
    (root / "new.py").write_text(f'IDEOGRAM_TOKEN = "{KEY2}"\n')
    git(root, "add", "mod.py")
    git(root, "commit", "-q", "-m", "change")
    full, diff = tmp_path / "full.json", tmp_path / "diff.json"
    assert cli("check", str(root), "--select", SECRETS, "--json", str(full)).returncode == 1
    assert cli("check", str(root), "--select", SECRETS, "--json", str(diff), "--diff-base", "main").returncode == 1
    assert findings(diff) == [("secret-ideogram-key", "mod.py", 3), ("secret-ideogram-key", "new.py", 1)]
    changed = {("mod.py", 3), ("new.py", 1)}
    assert findings(diff) == [f for f in findings(full) if (f[1], f[2]) in changed]


def test_diff_base_with_unknown_ref_is_exit_2(cli, make_repo):
    root = make_repo({"a.py": "x = 1\n"})
    result = cli("check", str(root), "--select", SECRETS, "--diff-base", "origin/nope")
    assert result.returncode == 2
    assert "unknown git ref 'origin/nope'" in result.stderr


def test_diff_base_outside_git_is_exit_2(cli, tmp_path):
    result = cli("check", str(tmp_path), "--select", SECRETS, "--diff-base", "main")
    assert result.returncode == 2 and "not inside a git work tree" in result.stderr


def test_a_crashing_scanner_is_an_error_result_and_exit_1(cli, make_repo, tmp_path):
    fake = tmp_path / "crash.sh"
    fake.write_text("#!/bin/sh\necho 'Traceback: boom' >&2\nexit 2\n")
    fake.chmod(0o755)
    root = make_repo({"a.py": "x = 1\n"})
    out = tmp_path / "r.json"
    result = cli("check", str(root), "--select", SECRETS, "--json", str(out),
                 env={"IDEOGRAM_PROD_DETECT_SECRETS": str(fake)})
    assert result.returncode == 1
    assert results(out)["secret-ideogram-key"][0] == "error"
    assert "Traceback" not in result.stdout + result.stderr


def test_github_paths_are_from_the_repository_root_json_from_path(cli, make_repo, tmp_path):
    root = make_repo({"app/src/k.py": f'IDEOGRAM_API_KEY = "{KEY}"\n'})
    out, sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    result = cli("check", str(root / "app"), "--select", SECRETS, "--json", str(out), "--sarif", str(sarif),
                 "--github")
    assert result.returncode == 1
    assert findings(out) == [("secret-ideogram-key", "src/k.py", 1)]
    assert "::error file=app/src/k.py,line=1," in result.stdout
    uri = json.loads(sarif.read_text())["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "app/src/k.py"


def test_the_rule_pack_reads_the_same_as_json() -> None:
    """semgrep runs our rules as JSON made with PyYAML (YAML 1.1), where semgrep itself reads YAML with ruamel (1.2):
    every rule file must load the same both ways (an unquoted `yes`, `on`, octal or date would not)."""
    import json

    import yaml
    from ruamel.yaml import YAML

    from checker.tools.semgrep import rules_dir

    checked = 0
    for path in sorted(rules_dir().glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        ours = json.loads(json.dumps(yaml.load(text, Loader=yaml.CSafeLoader)))
        theirs = json.loads(json.dumps(YAML(typ="safe", pure=True).load(text)))
        assert ours == theirs, path.name
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("exclude", [(), ("*.log", "!keep.log"), ("!vendor/keep.py", "!dist/"), ("docs/", "!docs/a.md"),
                                     ("vendor/", "!vendor/*.py", "build/x.py")])
def test_one_listing_gives_both_file_lists(tmp_path: Path, exclude: tuple[str, ...]) -> None:
    """run_scan lists the tree once: the checks' list (defaults + config excluded) is the secrets' list (config
    excluded) filtered, exactly as two listings gave them, negated patterns included."""
    from checker.config import DEFAULT_EXCLUDE
    from checker.scan import listed
    from checker.targets import list_files

    names = ["app.py", "keep.log", "x.log", "vendor/keep.py", "vendor/lib.js", "dist/app.min.js", "build/x.py",
             "docs/a.md", "docs/b.md", "node_modules/p/index.js", "src/lib.min.js"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    all_files, secret_files = listed(tmp_path, exclude)
    assert secret_files == list_files(tmp_path, exclude)
    assert all_files == list_files(tmp_path, (*DEFAULT_EXCLUDE, *exclude))
