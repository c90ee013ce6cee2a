"""Which files a scan reads: git's view of the tree when there is one, minus configured excludes."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import pathspec

from checker.errors import InputError
from checker.tools import executable, isolated_env, scratch_home

# NOTE: -c beats every config file, so the repository's .git/config cannot steer what we read: names stay
# unquoted (and -z lists are never quoted), no fsmonitor hook runs, no colour, and the container's
# `safe.directory '*'` (system config, which GIT_CONFIG_NOSYSTEM drops) is restated here.
GIT_FLAGS = ("-c", "core.quotePath=false", "-c", "core.fsmonitor=false", "-c", "color.ui=never",
             "-c", "safe.directory=*", "-c", "core.untrackedCache=false")


def git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """git under `root` with config-independent flags and an isolated environment; output as bytes (a path is
    not text: it may hold CR, LF or bytes that are not UTF-8)."""
    try:
        return subprocess.run([executable("git"), *GIT_FLAGS, "-C", str(root), *args], capture_output=True,
                              check=False, env=isolated_env(), cwd=scratch_home(), stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise InputError(f"{root}: cannot run git: {exc.strerror}") from None


def names(output: bytes) -> list[str]:
    """Paths from a `git ... -z` listing, decoded as Python decodes file names (undecodable bytes survive)."""
    return [os.fsdecode(raw) for raw in output.split(b"\0") if raw]


def is_git_tree(root: Path) -> bool:
    proc = git(root, "rev-parse", "--is-inside-work-tree")
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


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
    proc = git(root, "rev-parse", "--show-prefix")
    return os.fsdecode(proc.stdout.strip()) if proc.returncode == 0 else ""


def _git_files(root: Path) -> set[str]:
    staged = git(root, "ls-files", "-z", "--stage")  # "<mode> <object> <stage>\t<path>" per entry
    others = git(root, "ls-files", "-z", "--others", "--exclude-standard")
    deleted = git(root, "ls-files", "-z", "--deleted")
    for proc in (staged, others, deleted):
        if proc.returncode != 0:
            last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise InputError(f"{root}: git ls-files failed: {last}")
    tracked = set()
    for entry in filter(None, staged.stdout.split(b"\0")):
        info, _, raw = entry.partition(b"\t")
        if not info.startswith(b"160000 "):  # a submodule is another repository
            tracked.add(os.fsdecode(raw))
    untracked = {name for name in names(others.stdout) if not name.endswith("/")}  # "x/": a nested repository
    # A tracked file removed from the working tree (not yet `git rm`-ed) has nothing left to read.
    return (tracked | untracked) - set(names(deleted.stdout))


def is_symlink(path: Path) -> bool:
    try:
        return stat.S_ISLNK(path.lstat().st_mode)
    except OSError:
        return False


def list_files(root: Path, exclude: Sequence[str]) -> list[str]:
    """Tracked and untracked-but-not-ignored files under root (POSIX, relative), sorted. Symlinks are left out
    (their target is scanned where it is tracked); any other listed path that is not a readable regular file
    (a directory where git has a file, a FIFO, a name that does not resolve) stays in the list, for the
    readers to report as an error: a listed file is never dropped silently."""
    spec = pathspec.GitIgnoreSpec.from_lines(exclude)
    found = _git_files(root) if is_git_tree(root) else set(_walk(root, spec))
    return sorted(n for n in found if not spec.match_file(n) and not is_symlink(root / n))


def is_readable_file(path: Path) -> bool:
    """A regular file (not a symlink, FIFO or directory) that we may open without blocking."""
    try:
        return stat.S_ISREG(path.lstat().st_mode) and os.access(path, os.R_OK)
    except OSError:
        return False


def matcher(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))
