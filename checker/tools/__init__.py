"""Subprocess wrappers for the external scanners; each returns Hits or raises ToolError."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from checker.errors import ToolError


@dataclass(frozen=True, slots=True)
class Hit:
    """One raw match from a scanner: where, which check, and a non-secret evidence key for the fingerprint."""

    check_id: str
    path: str
    line: int
    end_line: int
    evidence: str
    message: str


def executable(name: str) -> str:
    """IDEOGRAM_PROD_<NAME> if set (a pinned install elsewhere), else the tool beside this Python, else PATH."""
    override = os.environ.get("IDEOGRAM_PROD_" + name.upper().replace("-", "_"))
    if override:
        return override
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise ToolError(f"{name} is not installed (pip install ideogram-prod brings it)")
    return found
