"""Which files a scan reads: git's view of the tree when there is one, minus configured excludes."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import pathspec

from checker.errors import InputError


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
    )


def is_git_tree(root: Path) -> bool:
    proc = _git(root, "rev-parse", "--is-inside-work-tree")
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def _walk(root: Path, spec: pathspec.GitIgnoreSpec) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(d for d in dirnames if not spec.match_file(prefix + d + "/"))
        found.extend(prefix + name for name in filenames)
    return found


def repo_prefix(root: Path) -> str:
    """root relative to its git work tree's top ("" at the top, "sub/dir/" below it, "" outside git)."""
    proc = _git(root, "rev-parse", "--show-prefix")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def list_files(root: Path, exclude: Sequence[str]) -> list[str]:
    """Tracked and untracked-but-not-ignored files under root (POSIX, relative), sorted."""
    spec = pathspec.GitIgnoreSpec.from_lines(exclude)
    if is_git_tree(root):
        proc = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        if proc.returncode != 0:
            raise InputError(f"{root}: git ls-files failed: {proc.stderr.strip().splitlines()[-1:]}")
        names = {n for n in proc.stdout.split("\0") if n}
    else:
        names = set(_walk(root, spec))
    return sorted(n for n in names if not spec.match_file(n) and (root / n).is_file() and not (root / n).is_symlink())


def matcher(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))
