"""Changed lines since a base ref, so a PR gate reports only what the PR touched."""

from __future__ import annotations

import re
from pathlib import Path

from checker.errors import InputError
from checker.targets import _git, is_git_tree

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")

ChangedLines = dict[str, frozenset[int]]


def parse_unified_diff(text: str) -> ChangedLines:
    """Added/changed line numbers per new path from `git diff -U0` output."""
    changed: dict[str, set[int]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else target.removeprefix("b/")
            if current is not None:
                changed.setdefault(current, set())
        elif current is not None and (m := _HUNK.match(line)):
            start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
            changed[current].update(range(start, start + count))
    return {path: frozenset(lines) for path, lines in changed.items()}


def changed_lines(root: Path, base: str) -> ChangedLines:
    """Lines changed in the working tree since the merge base of `base` and HEAD, plus new untracked files."""
    if not is_git_tree(root):
        raise InputError(f"--diff-base: {root} is not inside a git work tree")
    verify = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if verify.returncode != 0:
        raise InputError(f"--diff-base: unknown git ref {base!r} (fetch it first, e.g. fetch-depth: 0)")
    merge_base = _git(root, "merge-base", base, "HEAD")
    ref = merge_base.stdout.strip() if merge_base.returncode == 0 else verify.stdout.strip()
    proc = _git(root, "diff", "--relative", "-U0", "--no-color", "--no-ext-diff", "-M", "--diff-filter=ACMR", ref)
    if proc.returncode != 0:
        raise InputError(f"--diff-base: git diff failed against {base!r}")
    changed = parse_unified_diff(proc.stdout)
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    for name in filter(None, untracked.stdout.split("\0")):
        try:
            count = sum(1 for _ in (root / name).open("rb"))
        except OSError:
            continue
        changed[name] = frozenset(range(1, count + 2))
    return changed
