"""Attack family: a repository whose paths lead out of it. `init` writes files; a symlink where it writes (the file
or any directory on the way) must never make it write outside the repository: refused (exit 2, one line) or
skipped, and the file outside stays exactly as it was."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.adversarial.hostile import ENTRYPOINT, hostile_repo

OUTSIDE_TEXT = "precious: not yours to overwrite\n"


def init(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point, run from inside the repository as a user would."""
    return subprocess.run([str(ENTRYPOINT), "init", *args], cwd=repo, capture_output=True, text=True, timeout=120,
                          check=False, stdin=subprocess.DEVNULL)


def outside_state(outside: Path) -> dict[str, str]:
    return {p.relative_to(outside).as_posix(): p.read_text() for p in sorted(outside.rglob("*")) if p.is_file()}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory out of the repository, with one file in it: /tmp/x in the attack's words."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "x").write_text(OUTSIDE_TEXT)
    return out


def refused(result: subprocess.CompletedProcess[str], rel: str, link: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"ideogram-prod: error: {rel}: {link} is a symlink; init writes only inside")


def test_symlinked_runbook_is_skipped_and_refused_with_force(tmp_path: Path, outside: Path) -> None:
    repo = hostile_repo(tmp_path, {"package.json": "{}"})
    (repo / "docs").mkdir()
    (repo / "docs/RUNBOOK.md").symlink_to(outside / "x")
    before = outside_state(outside)

    result = init(repo)
    assert result.returncode == 0, result.stderr
    assert "skipped   docs/RUNBOOK.md (a symlink; init never writes through links)" in result.stdout
    assert outside_state(outside) == before

    forced = init(repo, "--force")
    refused(forced, "docs/RUNBOOK.md", "docs/RUNBOOK.md")
    assert outside_state(outside) == before
    assert (repo / "docs/RUNBOOK.md").is_symlink()


def test_dangling_symlink_is_not_created_through(tmp_path: Path, outside: Path) -> None:
    repo = hostile_repo(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    (repo / "docs").mkdir()
    (repo / "docs/RUNBOOK.md").symlink_to(outside / "new-file")  # does not exist yet: exists() is False

    assert init(repo).returncode == 0
    refused(init(repo, "--force"), "docs/RUNBOOK.md", "docs/RUNBOOK.md")
    assert not (outside / "new-file").exists()
    assert outside_state(outside) == {"x": OUTSIDE_TEXT}


@pytest.mark.parametrize(("link", "rel"), [
    ("docs", "docs/RUNBOOK.md"),
    ("monitoring", "monitoring/ideogram-alerts.rules.yml"),
    (".github", ".github/workflows/ideogram-prod.yml"),
    (".github/workflows", ".github/workflows/ideogram-prod.yml"),
])
def test_symlinked_directory_refuses_before_writing_anything(link: str, rel: str, tmp_path: Path,
                                                             outside: Path) -> None:
    repo = hostile_repo(tmp_path, {"package.json": "{}"})
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(outside, target_is_directory=True)
    before = outside_state(outside)

    result = init(repo)
    refused(result, rel, link)
    assert outside_state(outside) == before
    # refused before the first write: not even the config, which needs no link
    assert not (repo / ".ideogram-prod.yaml").exists()
    refused(init(repo, "--force"), rel, link)
    assert outside_state(outside) == before


def test_a_regular_file_where_a_directory_goes_is_an_error(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"package.json": "{}", "docs": "not a directory\n"})
    result = init(repo, "--force")
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (repo / "docs").read_text() == "not a directory\n"


def test_evidence_names_cannot_forge_output_lines(tmp_path: Path) -> None:
    """The stack's evidence is a path from the repository: a newline or an escape in it stays visible, in place."""
    repo = hostile_repo(tmp_path, {"svc\nwrote     /etc/passwd\x1b[2J/package.json": "{}",
                                   "k8s\r::error::forged/app.yaml": "apiVersion: apps/v1\nkind: Deployment\n"})
    result = init(repo)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert not any(line.startswith(("wrote     /etc", "::error")) for line in result.stdout.splitlines())
    assert "Detected: TS/JS (svc\\nwrote     /etc/passwd\\x1b[2J/package.json)." in result.stdout
    assert "Kubernetes: k8s\\r::error::forged/app.yaml;" in result.stdout
