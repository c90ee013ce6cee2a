"""Subprocess wrappers for the external scanners; each returns Hits or raises ToolError."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from checker.errors import ToolError

# git reads no config file but the repository's own, and never asks for credentials (git runs under semgrep too).
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
           "GIT_OPTIONAL_LOCKS": "0"}


@dataclass(frozen=True, slots=True)
class Hit:
    """One raw match from a scanner: where, which check, and a non-secret evidence key for the fingerprint."""

    check_id: str
    path: str
    line: int
    end_line: int
    evidence: str
    message: str
    severity: str | None = None  # the scanner's own judgement, used when the configuration sets none


def trusted_path() -> str:
    """$PATH without relative entries: a `.` or empty entry would run the scanned repository's own `git` or
    `semgrep` (the gate runs with the checkout as its working directory)."""
    entries = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(p)]
    return os.pathsep.join(entries)


def executable(name: str) -> str:
    """IDEOGRAM_PROD_<NAME> if set (a pinned install elsewhere), else the tool beside this Python, else PATH."""
    override = os.environ.get("IDEOGRAM_PROD_" + name.upper().replace("-", "_"))
    if override:
        return override
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name, path=trusted_path())
    if found is None:
        raise ToolError(f"{name} is not installed (pip install ideogram-prod brings it)")
    return found


def launcher(exe: str) -> list[str]:
    """How to start `exe`: a Python console script runs under its own interpreter with -I (no PYTHON* variables,
    no user site, no script or working directory on sys.path), anything else as it is."""
    try:
        with open(exe, "rb") as fh:
            first = fh.readline(512)
    except OSError:
        return [exe]
    interpreter = first[2:].strip().decode("utf-8", "replace") if first.startswith(b"#!") else ""
    if os.path.isabs(interpreter) and " " not in interpreter and "python" in os.path.basename(interpreter):
        return [interpreter, "-I", exe]
    return [exe]


@functools.cache
def scratch_home() -> Path:
    """An empty directory, removed at exit, for HOME and the XDG dirs of every tool we start: no dotfile of
    the user's or the runner's (~/.gitconfig, ~/.semgrep/settings.yml) reaches them."""
    home = Path(tempfile.mkdtemp(prefix="ideogram-prod-home-"))
    atexit.register(shutil.rmtree, home, True)
    return home


def isolated_env(home: Path | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a tool we start: nothing inherited but PATH (absolute entries) and TMPDIR, so
    no PYTHONPATH, GIT_DIR, GITHUB_ENV/GITHUB_OUTPUT/GITHUB_PATH or tokens reach it."""
    home = home or scratch_home()
    env = {"PATH": trusted_path(), "HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **GIT_ENV}
    tmp = os.environ.get("TMPDIR", "")
    if os.path.isabs(tmp):
        env["TMPDIR"] = tmp
    return {**env, **(extra or {})}
