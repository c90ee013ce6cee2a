"""The README keeps its promises: a section per check id, the commands it shows exist."""

from __future__ import annotations

import re

import pytest

from checker.checklist import ITEMS
from checker.registry import CHECKS
from tests.helpers.plugin import REPO

README = (REPO / "README.md").read_text()


@pytest.mark.parametrize("check_id", [spec.id for spec in CHECKS])
def test_every_check_id_has_a_readme_section(check_id):
    assert re.search(rf"^### {re.escape(check_id)}$", README, re.M), check_id


@pytest.mark.parametrize("item_id", [item.id for item in ITEMS])
def test_every_checklist_item_is_in_the_table(item_id):
    assert f"| `{item_id}` |" in README


def test_the_two_commands_are_what_ci_runs():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    setup_and_run, tests = blocks[0], blocks[1]
    assert "ideogram-prod check examples/" in setup_and_run
    ci = (REPO / ".ci" / "run").read_text()
    assert tests.strip() in ci
