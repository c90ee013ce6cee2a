"""A hostile pull request, built for real: a git repository whose every file, name and setting the attacker chose,
and the gate run on it exactly as the action runs it (the installed entry point, cwd inside the repository)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# A key the Ideogram detector must find wherever it is committed: unique per test session, never printed.
KEY = "ik" + secrets.token_hex(16) + "Q7"
ENTRYPOINT = Path(sys.executable).with_name("ideogram-prod")


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """git as a clean CI runner has it: no user or system config (a hostile repo brings its own)."""
    base = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "HOME": str(repo.parent),
            "GIT_AUTHOR_NAME": "mallory", "GIT_AUTHOR_EMAIL": "m@example.com",
            "GIT_COMMITTER_NAME": "mallory", "GIT_COMMITTER_EMAIL": "m@example.com", "PATH": os.environ["PATH"]}
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env={**base, **(env or {})},
                          check=True)
    return proc.stdout.decode("utf-8", "replace")


def write(repo: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def hostile_repo(tmp_path: Path, files: dict[str, str | bytes], *, name: str = "pr") -> Path:
    """A real git repository holding `files` in one commit on main."""
    repo = tmp_path / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    return repo


def pr_commit(repo: Path, files: dict[str, str | bytes], message: str = "pr") -> str:
    """The pull request's change on top of main: returns the base commit for --diff-base."""
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return base


@dataclass
class GateRun:
    returncode: int
    stdout: str
    stderr: str
    reports: dict[str, str] = field(default_factory=dict)

    @property
    def report(self) -> dict[str, object]:
        return json.loads(self.reports["json"])  # type: ignore[no-any-return]

    def everything(self) -> str:
        return "\n".join([self.stdout, self.stderr, *self.reports.values()])


def gate(repo: Path, *args: str, env: dict[str, str] | None = None, key: str | None = KEY,
         timeout: float = 600) -> GateRun:
    """`ideogram-prod check` as the action runs it (cwd = the checkout), with JSON, SARIF and summary files
    outside the repository. The planted key must appear in no output (the secret canary over every attack)."""
    out = repo.parent / f"{repo.name}-out"
    out.mkdir(exist_ok=True)
    files = {"json": out / "report.json", "sarif": out / "report.sarif", "summary": out / "summary.md"}
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    base["PATH"] = str(ENTRYPOINT.parent) + os.pathsep + base.get("PATH", "")
    cmd = [str(ENTRYPOINT), "check", "--json", str(files["json"]), "--sarif", str(files["sarif"]),
           "--summary", str(files["summary"]), *args]
    proc = subprocess.run(cmd, cwd=repo, env={**base, **(env or {})}, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    run = GateRun(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
                  {k: p.read_text(encoding="utf-8", errors="replace") for k, p in files.items() if p.exists()})
    if key is not None:
        for text in (run.everything(), *[p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()]):
            assert key not in text and key[2:-2] not in text, "the planted key leaked into the gate's output"
    return run


def assert_not_passed(run: GateRun, *check_ids: str) -> None:
    """A hostile repository must never pass: exit 1, and each named check failed or errored (never passed or
    skipped)."""
    assert run.returncode == 1, (run.returncode, run.stdout[-3000:], run.stderr[-3000:])
    assert "Traceback" not in run.stderr
    if check_ids and "json" in run.reports:
        status = {r["check_id"]: r["status"] for r in run.report["results"]}  # type: ignore[index, union-attr]
        for cid in check_ids:
            assert status.get(cid) in ("failed", "error"), (cid, status.get(cid), run.stdout[-2000:])
