"""The pre-commit hooks run the same gate: each hook's entry, as pre-commit would run it, in a real repository.

pre-commit itself is not installed in the test venv (and the network is loopback only), so the tests drive each
hook's `entry` the way pre-commit's `language: python` does: the words of `entry` (plus any `args`), with the
hook's environment first on PATH, from the repository's top. The first-commit test goes further and lets real git
run the entry as .git/hooks/pre-commit, so the commit itself is blocked or made.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from checker import __version__
from tests.helpers.plugin import REPO, git

HOOKS = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
KEY = "kX9pQ2vL7mN4rT8wZ1yB6cF3hJ5sD0gA"
VENV_BIN = Path(sys.executable).parent


def hook_env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return {**base, "PATH": f"{VENV_BIN}{os.pathsep}{base.get('PATH', '')}", "NO_COLOR": "1"}


def run_entry(hook_id: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [*shlex.split(HOOKS[hook_id]["entry"]), *args]
    assert argv[0] == "ideogram-prod"
    return subprocess.run([str(VENV_BIN / argv[0]), *argv[1:]], cwd=cwd, env=hook_env(), capture_output=True,
                          text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)


def test_hooks_are_well_formed() -> None:
    assert set(HOOKS) == {"ideogram-prod", "ideogram-prod-full"}
    for hook in HOOKS.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert HOOKS["ideogram-prod"]["entry"] == "ideogram-prod pre-commit"
    assert HOOKS["ideogram-prod-full"]["entry"] == "ideogram-prod pre-commit --full"


def test_commit_hook_judges_only_the_staged_change(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"old.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', "a.py": "x = 1\n"})
    clean = run_entry("ideogram-prod", root, "--select", "secret-ideogram-key")
    assert clean.returncode == 0, clean.stdout + clean.stderr  # the old key is not this commit's doing
    (root / "a.py").write_text(f'x = 1\nideogram_key = "{KEY[::-1]}"\n')
    git(root, "add", "a.py")
    staged = run_entry("ideogram-prod", root, "--select", "secret-ideogram-key")
    assert staged.returncode == 1 and "a.py:2" in staged.stdout and "old.py" not in staged.stdout
    full = run_entry("ideogram-prod-full", root, "--select", "secret-ideogram-key")
    assert full.returncode == 1 and "old.py:1" in full.stdout


def install_hook(root: Path, hook_id: str) -> None:
    """.git/hooks/pre-commit running the hook's entry: git itself decides whether the commit happens."""
    hook = root / ".git/hooks/pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(f"#!/bin/sh\nexec {HOOKS[hook_id]['entry']}\n")
    hook.chmod(0o755)


def commit(root: Path, message: str) -> subprocess.CompletedProcess[str]:
    env = {**hook_env(), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", message], env=env, capture_output=True,
                          text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)


def test_first_commit_is_checked_whole_and_then_made(make_repo: Callable[..., Path]) -> None:
    """No HEAD yet: `--diff-base HEAD` would be an unknown ref (exit 2, every first commit blocked)."""
    root = make_repo({"app.py": "import os\n\nKEY = os.environ['IDEOGRAM_API_KEY']\n",
                      "settings.py": f'IDEOGRAM_API_KEY = "{KEY}"\n'}, commit=False)
    git(root, "add", "-A")
    assert subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
                          capture_output=True, check=False).returncode != 0
    install_hook(root, "ideogram-prod")

    blocked = commit(root, "first")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    said = blocked.stdout + blocked.stderr  # git hands a hook's stdout to stderr
    assert "settings.py:1: secret-ideogram-key" in said and KEY not in said
    assert "first commit (no HEAD yet)" in said and "unknown git ref" not in said

    (root / "settings.py").write_text("IDEOGRAM_API_KEY = None  # read from the environment\n")
    git(root, "add", "settings.py")
    made = commit(root, "first")
    # The repository-wide docs/alerts checks (no runbook here) wait for the second commit and CI.
    assert made.returncode == 0, made.stdout + made.stderr
    assert git(root, "log", "--format=%s").split() == ["first"]

    # From the second commit on, the hook diffs against HEAD.
    (root / "later.py").write_text(f'ideogram_key = "{KEY[::-1]}"\n')
    git(root, "add", "later.py")
    second = commit(root, "second")
    said = second.stdout + second.stderr
    assert second.returncode == 1 and "later.py:1: secret-ideogram-key" in said and "settings.py" not in said
    assert "first commit" not in said


def test_hooks_never_run_the_projects_tests(make_repo: Callable[..., Path]) -> None:
    """tests-pass runs the project's own code: even a config that enables it does not make a hook run it."""
    marker = "tests-ran"
    config = f"tests:\n  enabled: true\n  command: touch {marker}\n"
    for first_commit in (True, False):
        root = make_repo({".ideogram-prod.yaml": config, "app.py": "x = 1\n"}, commit=not first_commit)
        git(root, "add", "-A")
        for hook_id in HOOKS:
            result = run_entry(hook_id, root)
            assert result.returncode in (0, 1), result.stderr
            assert not (root / marker).exists(), (hook_id, first_commit)
            assert not re.search(r"\btests-pass\b", result.stdout), result.stdout
            refused = run_entry(hook_id, root, "--select", "tests-pass,secret-ideogram-key")
            assert refused.returncode == 2 and refused.stderr.count("\n") == 1
            assert "tests-pass runs the project's tests, which the pre-commit hook never does" in refused.stderr
            assert not (root / marker).exists()
        shutil.rmtree(root)


def test_docs_snippet_names_the_released_rev_and_the_real_hooks() -> None:
    """The pre-commit snippet users copy: a `rev` that is this version's tag, and hook ids that exist."""
    page = (REPO / "docs/installation.md").read_text(encoding="utf-8")
    snippets = [s for s in re.findall(r"```yaml\n(.*?)```", page, flags=re.S) if "rev:" in s]
    assert snippets, "docs/installation.md has no pre-commit snippet"
    for snippet in snippets:
        (repo,) = yaml.safe_load(snippet)["repos"]
        assert repo["rev"] == f"v{__version__}"
        assert re.fullmatch(r"v0\.\d+\.\d+", repo["rev"])  # 0.x until the first release
        assert {h["id"] for h in repo["hooks"]} <= set(HOOKS)


def test_hook_args_reach_the_check(make_repo: Callable[..., Path]) -> None:
    """`args: [--fail-on, warning]` in a user's .pre-commit-config.yaml: the docs gap (a warning) then blocks."""
    root = make_repo({"app.py": "x = 1\n"})
    (root / "README.md").write_text("# App\n\nNothing about incidents yet.\n")
    git(root, "add", "README.md")
    assert run_entry("ideogram-prod", root, "--select", "docs-runbook").returncode == 0
    strict = run_entry("ideogram-prod", root, "--select", "docs-runbook", "--fail-on", "warning")
    assert strict.returncode == 1 and "docs-runbook" in strict.stdout
