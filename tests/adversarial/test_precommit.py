"""Attack family: a repository that turns a developer's commit hook against them. A cloned repository's config asks
for its own test suite (`tests.enabled`, a command of its choosing); the pre-commit hooks must never run it, on the
first commit or later, while still finding the key the commit adds and printing it nowhere."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.adversarial.hostile import ENTRYPOINT, KEY, git, hostile_repo
from tests.helpers.plugin import REPO

HOOKS = {h["id"]: h["entry"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
MARKER = "pwned-by-tests"
CONFIG = ("tests:\n  enabled: true\n  timeout_s: 30\n"
          f"  command: sh -c 'touch {MARKER}; echo {KEY}; exit 1'\n")


def hook(repo: Path, hook_id: str) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(HOOKS[hook_id])
    return subprocess.run([str(ENTRYPOINT), *argv[1:]], cwd=repo, capture_output=True, text=True, timeout=600,
                          check=False, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("first_commit", [True, False], ids=["first-commit", "later-commit"])
def test_hooks_never_run_the_repositorys_test_command(first_commit: bool, tmp_path: Path) -> None:
    files = {".ideogram-prod.yaml": CONFIG, "app.py": "x = 1\n"}
    if first_commit:
        repo = tmp_path / "pr"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        for rel, text in files.items():
            (repo / rel).write_text(text)
    else:
        repo = hostile_repo(tmp_path, files)
    (repo / "client.py").write_text(f'IDEOGRAM_API_KEY = "{KEY}"\n')
    git(repo, "add", "-A")
    for hook_id in HOOKS:
        result = hook(repo, hook_id)
        said = result.stdout + result.stderr
        assert result.returncode == 1, said  # the key is found...
        assert "client.py:1" in said and "secret-ideogram-key" in said
        assert not (repo / MARKER).exists(), hook_id  # ...and the repository's command never ran
        assert KEY not in said
