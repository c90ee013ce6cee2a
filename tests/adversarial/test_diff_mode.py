"""Attack family: `--diff-base` (the PR template's mode) blinded by the repository's git attributes and config, the
user's git config, odd bytes in a changed file or a name git quotes. Each changed file's key must be reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.adversarial.hostile import KEY, GateRun, gate, git, hostile_repo, pr_commit

SECRET = "secret-ideogram-key"
CODE = "code-ideogram-no-timeout"
CLEAN = "def helper():\n    return 1\n"
LEAK = f'IDEOGRAM_API_KEY = "{KEY}"\n'
NO_TIMEOUT = ('import requests\nIDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"\n\n\n'
              'def generate(prompt):\n    return requests.post(IDEOGRAM_URL, json={"prompt": prompt})\n')


def assert_caught(run: GateRun, check_id: str, *paths: str) -> None:
    """The check failed with a finding in each path, or errored: never passed, never skipped."""
    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    report = run.report
    status = {r["check_id"]: r["status"] for r in report["results"]}  # type: ignore[index, union-attr]
    assert status.get(check_id) in ("failed", "error"), (check_id, status, run.stdout[-2000:])
    if status[check_id] == "failed":
        found = {f["location"]["path"] for f in report["findings"] if f["check_id"] == check_id}  # type: ignore
        assert set(paths) <= found, (paths, found)


def test_gitattributes_that_hide_changes_from_git_diff(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"a.py": CLEAN, "b.js": "// x\n", "c.ts": "// x\n", "d.py": CLEAN, "e.py": CLEAN})
    git(repo, "config", "diff.hide.textconv", "true")  # a textconv driver that prints nothing
    base = pr_commit(repo, {
        ".gitattributes": "a.py -diff\n*.js binary\n*.ts diff=hide\nd.py diff=hide\ne.py -text -diff\n",
        "a.py": CLEAN + NO_TIMEOUT + LEAK, "b.js": f'const IDEOGRAM_API_KEY = "{KEY}";\n',
        "c.ts": f'export const IDEOGRAM_API_KEY = "{KEY}";\n', "d.py": CLEAN + LEAK, "e.py": LEAK,
    })
    run = gate(repo, "--diff-base", base, "--select", f"{SECRET},{CODE}")
    assert_caught(run, SECRET, "a.py", "b.js", "c.ts", "d.py", "e.py")
    assert_caught(run, CODE, "a.py")


def test_odd_bytes_in_changed_files(tmp_path: Path) -> None:
    """A NUL byte, a lone CR before the key (a line git does not count), added lines that read like patch
    headers, and a renamed-and-changed file."""
    repo = hostile_repo(tmp_path, {"nul.py": CLEAN, "cr.py": CLEAN, "hdr.py": CLEAN, "old.py": CLEAN * 20})
    base = pr_commit(repo, {
        "nul.py": CLEAN.encode() + b"x = '\0'\n" + LEAK.encode(),
        "cr.py": CLEAN.encode() + b"# note\r" + LEAK.encode(),
        "hdr.py": CLEAN + "x = 1\n" * 3 + "+++ b/elsewhere\n--- a/elsewhere\n@@ -1 +1 @@\n" + LEAK,
    })
    git(repo, "mv", "old.py", "moved.py")
    (repo / "moved.py").write_text(CLEAN * 20 + LEAK)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "move")
    run = gate(repo, "--diff-base", base, "--select", SECRET)
    assert_caught(run, SECRET, "nul.py", "cr.py", "hdr.py", "moved.py")


def test_names_git_quotes(tmp_path: Path) -> None:
    names = ["é.py", 'quo"te.py', "sp ace.py", "tab\there.py", "back\\slash.py", "日本/ファイル.py", " lead.py"]
    repo = hostile_repo(tmp_path, {"keep.py": CLEAN})
    base = pr_commit(repo, {name: LEAK for name in names})
    run = gate(repo, "--diff-base", base, "--select", SECRET)
    assert_caught(run, SECRET, *names)


def test_git_config_of_the_repository_and_the_user(tmp_path: Path) -> None:
    hostile = {"diff.mnemonicPrefix": "true", "diff.noprefix": "true", "diff.external": "true",
               "core.quotePath": "true", "color.ui": "always", "color.diff": "always", "diff.relative": "true",
               "diff.context": "0", "diff.renames": "copies", "diff.suppressBlankEmpty": "true",
               "core.attributesFile": "hostile-attributes", "core.fsmonitor": "false", "diff.orderFile": "x"}
    repo = hostile_repo(tmp_path, {"src/a.py": CLEAN, "é.py": CLEAN})
    base = pr_commit(repo, {"src/a.py": CLEAN + LEAK, "é.py": CLEAN + LEAK, "new.py": LEAK})
    for key, value in hostile.items():
        git(repo, "config", key, value)
    (repo / ".git" / "hostile-attributes").write_text("* -diff\n")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[diff]\n\tnoprefix = true\n\texternal = true\n[core]\n\tquotePath = true\n"
                                     "\tattributesFile = " + str(repo / ".git" / "hostile-attributes") + "\n")
    run = gate(repo, "--diff-base", base, "--select", SECRET, env={"HOME": str(home)})
    assert_caught(run, SECRET, "src/a.py", "é.py", "new.py")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown the checkout")
def test_checkout_owned_by_another_user(tmp_path: Path) -> None:
    """The action's container runs as root over a checkout the runner user owns: git's safe.directory comes from
    the image's system config or the runner's global one (actions/checkout adds it), which the gate's own git
    calls no longer read, so they restate it."""
    repo = hostile_repo(tmp_path, {"a.py": CLEAN})
    base = pr_commit(repo, {"a.py": CLEAN + NO_TIMEOUT + LEAK})
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 65534, 65534)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[safe]\n\tdirectory = *\n")
    run = gate(repo, "--diff-base", base, "--select", f"{SECRET},{CODE}", env={"HOME": str(home)})
    assert_caught(run, SECRET, "a.py")
    assert_caught(run, CODE, "a.py")
