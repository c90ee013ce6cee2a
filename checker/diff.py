"""Changed lines since a base ref, so a PR gate reports only what the PR touched.

Our parser, not unidiff: git's patch is bytes (names C-quoted with octal escapes, contents in any encoding, CR
inside lines), which unidiff reads as text lines and does not unquote; ours counts hunk lines exactly and falls
back to "the whole file changed" for anything it cannot place.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from checker.errors import InputError
from checker.targets import git, is_git_tree, names

ChangedLines = dict[str, frozenset[int]]

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}
# Line breaks that git does not count but a scanner's line numbering may (str.splitlines, universal newlines):
# a changed file holding one is judged whole, or a finding's line would not match git's.
_ODD_BREAKS = re.compile("\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# NOTE: explicit flags beat every config (diff.noprefix, diff.mnemonicPrefix, diff.relative, diff.external,
# color.ui, diff.orderFile) and every .gitattributes (-diff, binary, textconv drivers) the repository brings.
_DIFF = ("diff", f"-O{os.devnull}", "--no-color", "--no-ext-diff", "--no-textconv", "--text", "--src-prefix=a/",
         "--dst-prefix=b/", "--relative", "-M", "--diff-filter=ACMRT", "--ignore-submodules")


class WholeFile(frozenset[int]):
    """Every line of a file: one that is new, or whose changes could not be placed line by line."""

    def __contains__(self, line: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "WholeFile()"


WHOLE_FILE = WholeFile()


def unquote(raw: bytes) -> bytes:
    """A name as git prints it in a patch header: C-quoted ("a\\tb\\303\\251") or bare with a trailing tab."""
    if not (len(raw) >= 2 and raw.startswith(b'"') and raw.endswith(b'"')):
        return raw.split(b"\t", 1)[0]
    out, body, i = bytearray(), raw[1:-1], 0
    while i < len(body):
        ch = body[i:i + 1]
        if ch == b"\\" and re.fullmatch(rb"[0-7]{3}", body[i + 1:i + 4]):
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        elif ch == b"\\" and body[i + 1:i + 2] in _ESCAPES:
            out.append(_ESCAPES[body[i + 1:i + 2]])
            i += 2
        else:
            out += ch
            i += 1
    return bytes(out)


def parse_unified_diff(patch: bytes) -> ChangedLines:
    """Added/changed line numbers per new path from `git diff -U0 --dst-prefix=b/` output.

    Hunk bodies are consumed by their counts, so an added line that reads like a header is never taken for one.
    """
    changed: dict[str, set[int]] = {}
    current: str | None = None
    old_left = new_left = 0
    for line in patch.split(b"\n"):
        if old_left > 0 or new_left > 0:
            if line.startswith(b"-"):
                old_left -= 1
            elif line.startswith(b"+"):
                new_left -= 1
            elif not line.startswith(b"\\"):  # "\ No newline at end of file" counts for nothing
                old_left, new_left = 0, 0  # a malformed hunk: stop counting, the fallback judges the file
            continue
        if line.startswith(b"diff --git "):
            current = None
        elif line.startswith(b"+++ "):
            target = unquote(line[4:])
            current = os.fsdecode(target[2:]) if target.startswith(b"b/") else None
            if current is not None:
                changed.setdefault(current, set())
        elif m := _HUNK.match(line):
            old_left = int(m.group(1) if m.group(1) is not None else 1)
            start, new_left = int(m.group(2)), int(m.group(3) if m.group(3) is not None else 1)
            if current is not None:
                changed[current].update(range(start, start + new_left))
    return {path: frozenset(lines) for path, lines in changed.items()}


def _judged_whole(root: Path, name: str) -> bool:
    """A file whose bytes a scanner may split into lines differently from git, or may decode by guesswork."""
    try:
        data = (root / name).read_bytes()
    except OSError:
        return True  # the scanners report what they cannot read; the whole file stays in play
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return _ODD_BREAKS.search(text) is not None


def changed_lines(root: Path, base: str) -> ChangedLines:
    """Lines changed in the working tree since the merge base of `base` and HEAD, plus new untracked files.

    Every file git names as changed is in the answer: one with no placeable hunk (binary to git, a mode change,
    a header we could not read) counts as wholly changed.
    """
    if not is_git_tree(root):
        raise InputError(f"--diff-base: {root} is not inside a git work tree")
    if base.startswith("-"):
        raise InputError(f"--diff-base: {base!r} is not a git ref")
    verify = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}")
    if verify.returncode != 0:
        raise InputError(f"--diff-base: unknown git ref {base!r} (fetch it first, e.g. fetch-depth: 0)")
    merge_base = git(root, "merge-base", "--end-of-options", base, "HEAD")
    ref = (merge_base.stdout if merge_base.returncode == 0 else verify.stdout).decode("ascii").strip()
    listed = git(root, *_DIFF, "-z", "--name-only", ref, "--")
    patch = git(root, *_DIFF, "-U0", ref, "--")
    untracked = git(root, "ls-files", "-z", "--others", "--exclude-standard")
    if any(proc.returncode != 0 for proc in (listed, patch, untracked)):
        raise InputError(f"--diff-base: git diff failed against {base!r}")
    hunks = parse_unified_diff(patch.stdout)
    changed: ChangedLines = {}
    for name in names(listed.stdout):
        lines = hunks.get(name)
        changed[name] = lines if lines and not _judged_whole(root, name) else WHOLE_FILE
    for name in names(untracked.stdout):
        changed[name] = WHOLE_FILE
    return changed
