"""A PR must not configure its own gate: its settings are read from the base ref, and its changes to them reported."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import ConfigError, InputError
from checker.tools import Hit

CHECK_ID = "gate-config-changed"
# Files that steer how git and semgrep read the tree, wherever they sit.
STEERING_NAMES = frozenset({".gitattributes", ".semgrepignore"})
_VERB = {"A": "adds", "D": "deletes", "M": "modifies", "T": "changes the type of", "?": "adds"}
# NOTE: -c flags beat every config file; -z output is never quoted, whatever core.quotePath says.
_FLAGS = ("-c", "core.quotePath=false", "-c", "core.fsmonitor=false", "-c", "diff.noprefix=false",
          "-c", "diff.mnemonicPrefix=false", "-c", "diff.renames=false", "-c", "diff.external=")


def _env() -> dict[str, str]:
    """Only what git needs: no GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_* or GIT_EXTERNAL_DIFF from the caller."""
    keep = ("PATH", "HOME", "TMPDIR", "SYSTEMROOT")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    return {**env, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}


def git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """git with config-independent flags and a scrubbed environment; output as bytes (names are not text)."""
    try:
        return subprocess.run(["git", *_FLAGS, "-C", str(root), *args], capture_output=True, check=False,
                              env=_env(), stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise InputError(f"--diff-base: cannot run git: {exc.strerror}") from None


def resolve(root: Path, ref: str) -> str:
    """The commit `ref` names; an unknown ref is bad input (exit 2), never an empty base."""
    if ref.startswith("-"):
        raise InputError(f"--diff-base: {ref!r} is not a git ref")
    inside = git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise InputError(f"--diff-base: {root} is not inside a git work tree")
    proc = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if proc.returncode != 0:
        raise InputError(f"--diff-base: unknown git ref {ref!r} (fetch it first, e.g. fetch-depth: 0)")
    return proc.stdout.decode("ascii").strip()


def read_blob(root: Path, ref: str, rel: str, limit: int) -> bytes | None:
    """The bytes of `rel` (relative to root) at `ref`, at most `limit`; None when the ref has no such file."""
    commit = resolve(root, ref)
    where = f"{ref}:{rel}"
    listing = git(root, "ls-tree", "-z", commit, "--", rel)
    if listing.returncode != 0:
        raise InputError(f"{where}: git ls-tree failed")
    entry = listing.stdout.split(b"\0", 1)[0]
    if not entry:
        return None
    mode, kind, obj = entry.split(b"\t", 1)[0].split(b" ")
    if kind != b"blob":
        raise ConfigError(f"{where}: is a {'directory' if kind == b'tree' else kind.decode()}, not a file")
    if mode == b"120000":
        raise ConfigError(f"{where}: is a symbolic link, not a file")
    size = git(root, "cat-file", "-s", obj.decode("ascii"))
    if size.returncode != 0:
        raise InputError(f"{where}: git cat-file failed")
    if int(size.stdout) > limit:
        return b"\0" * (limit + 1)  # the caller's size check names the limit
    blob = git(root, "cat-file", "blob", obj.decode("ascii"))
    if blob.returncode != 0:
        raise InputError(f"{where}: git cat-file failed")
    return blob.stdout


@dataclass(frozen=True, slots=True)
class Change:
    path: str  # relative to the scan root
    status: str  # git's letter: A, D, M, T; "?" for an untracked file


def changes(root: Path, ref: str) -> list[Change]:
    """Every path under root that differs between the merge base of ref and HEAD and the working tree."""
    commit = resolve(root, ref)
    mb = git(root, "merge-base", commit, "HEAD")
    base = mb.stdout.decode("ascii").strip() if mb.returncode == 0 else commit
    # NOTE: -O/dev/null and --no-color: a repository's diff.orderFile or color.ui must not break (or colour) the list.
    proc = git(root, "diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-color",
               f"-O{os.devnull}", "--ignore-submodules", "--relative", base, "--")
    if proc.returncode != 0:
        raise InputError(f"--diff-base: git diff failed against {ref!r}")
    fields = proc.stdout.split(b"\0")
    out = [Change(os.fsdecode(path), status.decode("ascii")[:1])
           for status, path in zip(fields[0::2], fields[1::2], strict=False) if path]
    untracked = git(root, "ls-files", "-z", "--others", "--exclude-standard")
    out += [Change(os.fsdecode(name), "?") for name in untracked.stdout.split(b"\0") if name]
    return out


def gate_hits(found: Sequence[Change], ref: str, watched: Iterable[str], from_head: bool) -> tuple[list[Hit], int]:
    """One hit per changed gate file (`watched` paths, and every .gitattributes/.semgrepignore) among `found`
    (changes(root, ref), listed once by the scan), and the count of changed paths looked at."""
    wanted = set(watched)
    hits = []
    for change in sorted(found, key=lambda c: c.path):
        name = change.path.rsplit("/", 1)[-1]
        # A watched path turned into a directory shows as the files inside it.
        inside = any(change.path.startswith(w + "/") for w in wanted)
        if change.path not in wanted and not inside and name not in STEERING_NAMES:
            continue
        verb = _VERB.get(change.status, "changes")
        if name in STEERING_NAMES:
            effect = "it steers how this run's git and semgrep read the tree: review it"
        elif from_head:
            effect = "this run used the PR's version (--config-from-head)"
        else:
            effect = f"this run enforced the version at {ref}"
        evidence = f"{change.path}\0{change.status}"
        line = 1 if change.status in ("A", "M", "T", "?") else 0
        hits.append(Hit(CHECK_ID, change.path, line, line, evidence,
                        f"the pull request {verb} {change.path}; {effect}"))
    return hits, len(found)
