"""The README keeps its promises: short, the two commands CI runs, the three uses, every check id linked."""

from __future__ import annotations

import re

import pytest

from checker.registry import CHECKS
from tests.helpers.plugin import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"


def test_the_readme_stays_short() -> None:
    assert len(README.encode("utf-8")) <= 10 * 1024


def test_the_two_commands_are_what_ci_runs() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    setup_and_run, tests = blocks[0], blocks[1]
    assert "ideogram-prod check examples/vulnerable" in setup_and_run
    assert setup_and_run.startswith("python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && ")
    assert tests.strip() == TEST_COMMAND
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in ci.splitlines(), ".ci/run must run the README's test command verbatim"


def test_the_three_uses_are_named() -> None:
    for command in ("ideogram-prod check", "ideogram-prod preflight", "ideogram-prod rollout"):
        assert f"**`{command}`**" in README


@pytest.mark.parametrize("check_id", [spec.id for spec in CHECKS])
def test_every_check_id_links_to_its_page(check_id: str) -> None:
    assert f"[`{check_id}`](docs/checks/{check_id}.md)" in README
    assert (REPO / "docs" / "checks" / f"{check_id}.md").is_file()


def test_relative_links_resolve() -> None:
    for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", README):
        assert (REPO / target).exists(), target


def test_no_internal_jargon() -> None:
    assert not re.search(r"\bseed\b", README, re.I)
