"""ruff and mypy --strict over the package, the tests and the benches: kept clean by the suite, not by memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


def test_ruff_is_clean() -> None:
    proc = run(str(BIN / "ruff"), "check", "--no-cache", "checker", "tests", "bench", "scripts")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_mypy_strict_is_clean() -> None:
    proc = run(str(BIN / "mypy"), "--no-incremental", "--cache-dir", "/dev/null", "checker")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
