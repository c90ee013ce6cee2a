"""docs-*: Markdown sections that really cover the runbook, key rotation, rollback and escalation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checker.checks.static.docs import BY_ID, judge, sections
from tests.helpers.plugin import CliResult, run_cli

FIXTURES = Path(__file__).parents[2] / "fixtures" / "docs"
DOC_IDS = ("docs-runbook", "docs-key-rotation", "docs-rollback", "docs-escalation")


def scan(root: Path, tmp_path: Path, ids: tuple[str, ...] = DOC_IDS) -> tuple[CliResult, dict[str, Any]]:
    out = tmp_path / "report.json"
    # docs-* are warnings: --fail-on warning makes a finding fail the run, as the config init writes does.
    result = run_cli("check", str(root), "--select", ",".join(ids), "--fail-on", "warning", "--json", str(out))
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(out.read_text())


def findings(report: dict[str, Any]) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    for f in report["findings"]:
        out.setdefault(f["check_id"], []).append((f["location"]["path"], f["location"]["line"], f["message"]))
    return out


# --- Markdown sections ----------------------------------------------------------------------------

def test_sections_atx_setext_nesting_and_fences() -> None:
    text = "\n".join([
        "Title", "=====", "intro",                 # 1-3
        "## Rollback", "body a",                   # 4-5
        "### Details", "body b",                   # 6-7
        "```sh", "# not a heading", "```",         # 8-10
        "Other", "-----", "body c",                # 11-13
    ])
    found = {(s.title, s.line, s.level): s.body for s in sections("x.md", text)}
    assert set(found) == {("Title", 1, 1), ("Rollback", 4, 2), ("Details", 6, 3), ("Other", 11, 2)}
    assert found[("Rollback", 4, 2)] == ("body a", "### Details", "body b", "```sh", "# not a heading", "```")
    assert found[("Other", 11, 2)] == ("body c",)
    assert len(found[("Title", 1, 1)]) == 11  # an H1 holds everything below it


LONG_ROLLBACK = (
    "If a release breaks image generation or a rollout gate fails, roll back right away and verify:\n"
    "```\nideogram-prod rollout rollback --deployment web --namespace prod\n```\n"
    "Then check `ideogram-prod rollout status` until the stable version serves all traffic again, and keep "
    "the failed image tag for the incident note.\n"
)


@pytest.mark.parametrize(("check_id", "heading", "body", "problem"), [
    ("docs-rollback", "Rollback", LONG_ROLLBACK, None),
    ("docs-rollback", "Rollback", LONG_ROLLBACK.replace("ideogram-prod rollout rollback", "./go-back.sh")
     .replace("roll back", "return"), "shows no rollback command"),
    ("docs-rollback", "Rollback", "TODO\n", "is a template"),
    ("docs-rollback", "Rollback", "Run `kubectl rollout undo deployment/web`.\n", "is too thin"),
    ("docs-rollback", "Rollback", "TODO: write the rollback steps\n" + LONG_ROLLBACK, None),  # stubs aside
    # init's marker is never aside: the section is unfinished however much template text surrounds it
    ("docs-rollback", "Rollback", LONG_ROLLBACK + "TODO(ideogram-prod): who decides a rollback\n",
     "still has the init template's TODO"),
    ("docs-rollback", "Rollback", LONG_ROLLBACK + "```\nkubectl get pods  # TODO(ideogram-prod): your label\n```\n",
     "still has the init template's TODO"),
    ("docs-rollback", "Rollback", LONG_ROLLBACK + "Lines marked `TODO(ideogram-prod):` were all answered.\n", None),
    ("docs-key-rotation", "Key rotation",
     "Create a new API key in the dashboard, store it in the Kubernetes Secret `ideogram-api`, restart the\n"
     "deployment, check that requests succeed, and finally revoke the old key so that it can never be used "
     "again by anyone.\n", None),
    ("docs-key-rotation", "Key rotation",
     "Keys are managed by the platform team. They handle this whenever it is needed, following the usual\n"
     "change process of the company, and tell us in the channel when something about it changes for us.\n",
     "does not describe creating the new key"),
    ("docs-escalation", "Escalation",
     "P1 pages the primary on-call engineer through PagerDuty; after 15 minutes without acknowledgement the\n"
     "secondary is paged, then the engineering manager. For Ideogram-side problems contact their support\n"
     "with the request ids and the times of the failures.\n",
     None),
    ("docs-runbook", "Incident runbook",
     "For each alert: the symptom users see, the dashboard to open, and the first steps to mitigate it.\n"
     "During an incident post updates in the incident channel every 30 minutes until it is resolved fully.\n",
     None),
])
def test_judge(check_id: str, heading: str, body: str, problem: str | None) -> None:
    (section,) = [s for s in sections("d.md", f"## {heading}\n{body}") if s.title == heading]
    assert BY_ID[check_id].heading.search(section.title)
    verdict = judge(BY_ID[check_id], section)
    assert verdict.ok is (problem is None), verdict.problem
    if problem:
        assert verdict.problem.startswith(problem)


# --- over fixture repos ---------------------------------------------------------------------------

def test_pass_fixture(tmp_path: Path) -> None:
    result, report = scan(FIXTURES / "pass", tmp_path)
    assert result.returncode == 0, report["findings"]
    reasons = {r["check_id"]: r["reason"] for r in report["results"]}
    assert reasons == {
        "docs-runbook": "incident runbook: README.md:9 (Incidents)",
        "docs-key-rotation": "key rotation procedure: README.md:15 (Rotating the API key)",
        "docs-rollback": "rollback procedure: README.md:21 (Rolling back)",
        "docs-escalation": "escalation path: README.md:31 (On-call & escalation)",
    }


def test_missing_sections_point_at_the_document(tmp_path: Path) -> None:
    result, report = scan(FIXTURES / "fail-missing", tmp_path)
    assert result.returncode == 1
    found = findings(report)
    assert set(found) == set(DOC_IDS)
    assert all(hits == [("README.md", 1, hits[0][2])] and hits[0][2].startswith("no ") for hits in found.values())


def test_templates_fail_at_their_headings(tmp_path: Path) -> None:
    _, report = scan(FIXTURES / "fail-template", tmp_path)
    assert findings(report) == {
        "docs-runbook": [("docs/runbook.md", 1, "section 'Runbook' is a template: its body is placeholder text "
                          "(TODO/TBD)")],
        "docs-key-rotation": [("docs/runbook.md", 5, "section 'Key rotation' is a template: its body is "
                               "placeholder text (TODO/TBD)")],
        "docs-rollback": [("docs/runbook.md", 9, "section 'Rollback' is a template: its body is placeholder "
                           "text (TODO/TBD)")],
        "docs-escalation": [("docs/runbook.md", 14, "section 'Escalation' is a template: its body is "
                             "placeholder text (TODO/TBD)")],
    }


def test_prose_without_the_substance_fails(tmp_path: Path) -> None:
    _, report = scan(FIXTURES / "fail-weak", tmp_path)
    found = findings(report)
    assert set(found) == set(DOC_IDS)
    assert found["docs-rollback"][0][:2] == ("docs/operations.md", 15)
    assert "does not describe who is on call" in found["docs-escalation"][0][2]


def test_no_documents_at_all(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"app.py": "print('hi')\n"})
    _, report = scan(root, tmp_path, ("docs-rollback",))
    assert findings(report) == {"docs-rollback": [(".", 0, "no rollback procedure section found (no Markdown "
                                "documents under docs.paths); add a heading and describe a rollback command "
                                "(`ideogram-prod rollout rollback`, `kubectl rollout undo`, `helm rollback`)")]}


def test_paths_config_and_test_dirs(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    good = (FIXTURES / "pass" / "README.md").read_text()
    root = make_repo({"tests/fixtures/README.md": good, "ops/handbook.md": good, "README.md": "# App\n"})
    (root / ".ideogram-prod.yaml").write_text("docs:\n  paths: [README.md]\n")
    result, _ = scan(root, tmp_path)
    assert result.returncode == 1  # the handbook is outside docs.paths; test fixtures never count
    (root / ".ideogram-prod.yaml").write_text("docs:\n  paths: [ops/]\n")
    result, _ = scan(root, tmp_path)
    assert result.returncode == 0


def test_absence_can_be_suppressed_on_line_one(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"README.md": "<!-- ideogram-prod: ignore[docs-escalation] -- paging lives in the wiki -->\n# App\n"})
    result, report = scan(root, tmp_path, ("docs-escalation",))
    assert result.returncode == 0
    assert "1 suppressed inline" in report["results"][0]["reason"]


def test_init_todo_points_at_its_line(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    root = make_repo({"docs/ops.md": f"# Ops\n\n## Rollback\n\n{LONG_ROLLBACK}\nTODO(ideogram-prod): who decides\n"})
    todo_line = (root / "docs/ops.md").read_text().splitlines().index("TODO(ideogram-prod): who decides") + 1
    result, report = scan(root, tmp_path, ("docs-rollback",))
    assert result.returncode == 1
    assert findings(report) == {"docs-rollback": [("docs/ops.md", todo_line, "section 'Rollback' still has the init "
                                "template's TODO: replace the `TODO(ideogram-prod):` line with your team's answer")]}
    (root / "docs/ops.md").write_text((root / "docs/ops.md").read_text().replace(
        "TODO(ideogram-prod): who decides", "The on-call engineer decides, and says so in #incidents."))
    result, report = scan(root, tmp_path, ("docs-rollback",))
    assert result.returncode == 0, report["findings"]
