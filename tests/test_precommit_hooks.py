"""The pre-commit hooks run the same gate: each hook's entry, as pre-commit would run it, in a real repository."""

from __future__ import annotations

import shlex

import yaml

from tests.helpers.plugin import REPO, git, run_cli

HOOKS = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
KEY = "kX9pQ2vL7mN4rT8wZ1yB6cF3hJ5sD0gA"


def run_entry(hook_id: str, cwd):
    argv = shlex.split(HOOKS[hook_id]["entry"])
    assert argv[0] == "ideogram-prod"
    return run_cli(*argv[1:], "--select", "secret-ideogram-key", cwd=cwd)


def test_hooks_are_well_formed():
    assert set(HOOKS) == {"ideogram-prod", "ideogram-prod-full"}
    for hook in HOOKS.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_commit_hook_judges_only_the_staged_change(make_repo):
    root = make_repo({"old.py": f'IDEOGRAM_API_KEY = "{KEY}"\n', "a.py": "x = 1\n"})
    assert run_entry("ideogram-prod", root).returncode == 0  # the old key is not this commit's doing
    (root / "a.py").write_text(f'x = 1\nideogram_key = "{KEY[::-1]}"\n')
    git(root, "add", "a.py")
    staged = run_entry("ideogram-prod", root)
    assert staged.returncode == 1 and "a.py:2" in staged.stdout and "old.py" not in staged.stdout
    full = run_entry("ideogram-prod-full", root)
    assert full.returncode == 1 and "old.py:1" in full.stdout
