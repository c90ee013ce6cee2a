"""`init` recommends code owners for the files that configure the gate, and never touches a team's CODEOWNERS."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.plugin import run_cli

GATE_FILES = ("/.ideogram-prod.yaml", "/.secrets.baseline", ".gitattributes", ".semgrepignore", "/.github/")


def test_init_prints_a_codeowners_suggestion_and_writes_none(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "No CODEOWNERS yet. Suggested .github/CODEOWNERS" in result.stdout
    for pattern in GATE_FILES:
        assert f"  {pattern}  @OWNER\n" in result.stdout
    assert not any((tmp_path / p).exists() for p in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"))


def test_init_names_the_configured_baseline(tmp_path: Path) -> None:
    (tmp_path / ".ideogram-prod.yaml").write_text("secrets: {baseline: ci/secrets.json}\n")
    assert "  /ci/secrets.json  @OWNER\n" in run_cli("init", str(tmp_path)).stdout


def test_an_existing_codeowners_is_left_alone_and_only_the_gaps_are_shown(tmp_path: Path) -> None:
    owners = tmp_path / "CODEOWNERS"
    owners.write_text("/.github/ @acme/sre\n.gitattributes @acme/sre\n")
    result = run_cli("init", str(tmp_path), "--force")
    assert result.returncode == 0
    assert owners.read_text() == "/.github/ @acme/sre\n.gitattributes @acme/sre\n"
    assert "CODEOWNERS exists (left as it is)" in result.stdout
    tail = result.stdout.split("left as it is")[1]
    assert "/.ideogram-prod.yaml" in tail and "/.secrets.baseline" in tail and ".semgrepignore" in tail
    assert "/.github/" not in tail and ".gitattributes" not in tail
    owners.write_text("".join(f"{p} @acme/sre\n" for p in GATE_FILES))
    assert "CODEOWNERS names an owner for each" in run_cli("init", str(tmp_path)).stdout
