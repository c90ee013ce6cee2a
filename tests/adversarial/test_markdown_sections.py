"""A docs section counts only where Markdown renders a heading: not in an HTML comment, a code block or a quote."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from tests.adversarial.hostile import assert_not_passed, gate, hostile_repo

RUNBOOK = (resources.files("checker") / "templates" / "RUNBOOK.md.tmpl").read_text(encoding="utf-8")
START = RUNBOOK.index("## Rollback procedure")
END = RUNBOOK.index("\n## ", START + 1) + 1
# The template's rollback section with its one TODO answered: a section that passes docs-rollback on its own.
ROLLBACK = "\n".join(line for line in RUNBOOK[START:END].splitlines() if "TODO(ideogram-prod)" not in line) + "\n"
OTHERS = RUNBOOK[:START] + RUNBOOK[END:]


def status(repo: Path) -> tuple[int, str]:
    run = gate(repo, "--select", "docs-rollback", "--fail-on", "warning")
    by_id = {r["check_id"]: r["status"] for r in run.report["results"]}  # type: ignore[index, union-attr]
    return run.returncode, str(by_id["docs-rollback"])


def test_the_answered_rollback_section_passes(tmp_path: Path) -> None:
    """The control: the same text as a real section passes, so the hidden forms below fail for being hidden."""
    assert status(hostile_repo(tmp_path, {"docs/RUNBOOK.md": OTHERS + ROLLBACK})) == (0, "passed")


@pytest.mark.parametrize("hidden", [
    f"<!--\n{ROLLBACK}-->\n",  # an HTML comment: GitHub renders nothing
    f"<details hidden>\n\n{ROLLBACK}\n</details>\n".replace("\n\n## ", "\n## "),  # an HTML block swallows it
    "~~~markdown\n" + ROLLBACK + "~~~\n",  # a fenced block (closed by the same fence, ``` inside does not end it)
    "".join(f"    {line}\n" for line in ROLLBACK.splitlines()),  # an indented code block
], ids=["html-comment", "html-block", "tilde-fence", "indented-code"])
def test_a_rollback_section_markdown_does_not_render_is_not_one(tmp_path: Path, hidden: str) -> None:
    repo = hostile_repo(tmp_path, {"docs/RUNBOOK.md": OTHERS + hidden})
    run = gate(repo, "--select", "docs-rollback", "--fail-on", "warning")
    assert_not_passed(run, "docs-rollback")
