"""Fixtures every test file may use: the CLI as a subprocess, required tools, a git repo factory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SARIF_NPM_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SARIF_SCHEMA_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


def require_tool(name: str) -> str:
    """A missing tool skips locally but fails under CI, so CI can never pass by skipping."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI but is not installed")
        pytest.skip(f"{name} is not installed")
    return path


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> CliResult:
    """The CLI exactly as users run it: a separate process, `python -m checker`."""
    # NOTE: tests may themselves run inside GitHub Actions; the CLI must only see what a test gives it.
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    # As a user's CI does: the project's venv is active, so `python3` and the tools resolve to it.
    venv_bin = str(Path(sys.executable).parent)
    base["PATH"] = venv_bin + os.pathsep + base.get("PATH", "")
    base["VIRTUAL_ENV"] = str(Path(sys.executable).parent.parent)
    full_env = {**base, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "checker", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """A real git repository with the given files committed."""

    def make(files: dict[str, str], commit: bool = True) -> Path:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if not (root / ".git").exists():
            git(root, "init", "-q", "-b", "main")
        if commit:
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "snapshot", "--allow-empty")
        return root

    return make


@pytest.fixture(scope="session")
def sarif_schema() -> Iterator[dict[str, object]]:
    """The official SARIF 2.1.0 schema, as Microsoft ships it in an npm package (cached per machine)."""
    import json

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ideogram-prod"
    target = cache / "sarif-2.1.0-rtm.5.json"
    if not target.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed once to fetch the SARIF 2.1.0 schema")
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([npm, "pack", SARIF_NPM_PACKAGE, "--silent"], cwd=tmp, capture_output=True,
                                  text=True, timeout=120)
            if proc.returncode != 0:
                pytest.fail(f"could not fetch {SARIF_NPM_PACKAGE}: {proc.stderr.strip()[-300:]}")
            tgz = next(Path(tmp).glob("*.tgz"))
            with tarfile.open(tgz) as tar:
                member = tar.extractfile(SARIF_SCHEMA_MEMBER)
                assert member is not None
                cache.mkdir(parents=True, exist_ok=True)
                target.write_bytes(member.read())
    yield json.loads(target.read_text(encoding="utf-8"))
