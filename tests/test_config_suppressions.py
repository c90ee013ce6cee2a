"""Suppressions: an inline ignore needs a reason, a reason never carries a secret, and every suppression and
exclusion reaches the JSON report, SARIF (result.suppressions) and the job summary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from checker.config import parse_config
from checker.errors import InputError
from checker.findings import (
    CheckResult,
    Exclusion,
    Finding,
    Location,
    Report,
    Severity,
    Status,
    Suppression,
    SuppressionKind,
)
from checker.reporters import github, json_v1, sarif
from checker.suppress import Ignore, Suppressions, baseline_entries, exclusions, ignores, reason_text
from tests.adversarial.hostile import hostile_repo

TOKEN = "ghp_" + "Ab3" * 12  # shaped like a credential; must never reach a report


@pytest.mark.parametrize("line, expected", [
    ("# ideogram-prod: ignore[secret-generic] -- a test fixture", [Ignore(frozenset({"secret-generic"}), "a test fixture")]),
    ("x = 1  // ideogram-prod: ignore[a, b]--why not", [Ignore(frozenset({"a", "b"}), "why not")]),
    ("<!-- ideogram-prod: ignore[docs-runbook] -- the wiki has it -->", [Ignore(frozenset({"docs-runbook"}), "the wiki has it")]),
    ("/* ideogram-prod: ignore[x] -- legacy */", [Ignore(frozenset({"x"}), "legacy")]),
    ("# ideogram-prod: ignore[secret-generic]", [Ignore(frozenset({"secret-generic"}), "")]),
    ("# ideogram-prod: ignore[secret-generic] --   ", [Ignore(frozenset({"secret-generic"}), "")]),
    ("# ideogram-prod: ignore[secret-generic] -- 12345", [Ignore(frozenset({"secret-generic"}), "")]),
    (f"# ideogram-prod: ignore[secret-generic] -- {TOKEN}", [Ignore(frozenset({"secret-generic"}), "")]),
    ("# ideogram-prod: ignore[secret-generic] - a single dash is not the separator", [Ignore(frozenset({"secret-generic"}), "")]),
    ("# nothing here", []),
])
def test_inline_ignores_and_their_reasons(line: str, expected: list[Ignore]) -> None:
    assert ignores(line) == expected


def test_a_reason_is_masked_and_capped() -> None:
    assert reason_text(f" fixture for {TOKEN} ") == "fixture for …"
    assert len(reason_text("why " * 200)) == 200


@pytest.mark.parametrize("lines, check_id, secret, justification, note", [
    (["k = 1  # ideogram-prod: ignore[c] -- known"], "c", False, "known", ""),
    (["# ideogram-prod: ignore[c] -- above", "k = 1"], "c", False, "above", ""),
    (["# ideogram-prod: ignore[c]", "k = 1"], "c", False, None, "has no reason"),
    (["# ideogram-prod: ignore[other] -- x y", "k = 1"], "c", False, None, ""),
    (["k = 1  # pragma: allowlist secret"], "secret-generic", True, "detect-secrets pragma: allowlist secret", ""),
    (["# pragma: allowlist nextline secret", "k = 1"], "secret-generic", True,
     "detect-secrets pragma: allowlist secret", ""),
    (["k = 1  # pragma: allowlist secret"], "secret-ideogram-key", True, None, "allowlist pragma does not"),
    (["k = 1  # pragma: allowlist secret"], "code-x", False, None, ""),  # the pragma is a secrets marker only
])
def test_the_verdict_on_one_hit(tmp_path: Path, lines: list[str], check_id: str, secret: bool,
                                justification: str | None, note: str) -> None:
    (tmp_path / "f.py").write_text("\n".join(lines) + "\n")
    verdict = Suppressions(tmp_path).verdict("f.py", len(lines), check_id, secret)
    assert verdict.justification == justification
    assert note in verdict.note and bool(note) == bool(verdict.note)


def test_baseline_entries_keep_only_unaudited_or_false_positives() -> None:
    data = {"results": {"a.py": [{"type": "T", "filename": "a.py", "hashed_secret": "h1", "is_secret": False},
                                 {"type": "T", "filename": "a.py", "hashed_secret": "h2", "is_secret": True},
                                 {"type": "T", "filename": "a.py", "hashed_secret": "h3"}]}}
    assert baseline_entries(json.dumps(data).encode(), "b") == {("a.py", "h1"), ("a.py", "h3")}
    for bad in (b"{not json", b"[]", b'{"results": {"a": [{"filename": 1}]}}'):
        with pytest.raises(InputError, match="b: not a detect-secrets baseline"):
            baseline_entries(bad, "b")


def test_exclusions_count_the_files_each_setting_keeps_out(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path, {"a.py": "", "b.py": "", "vendor/c.py": "", "docs/x.md": ""})
    config = parse_config({"exclude": ["*.py", "nothing/"],
                           "checks": {"secret-generic": {"exclude": ["docs/"]}, "docs-runbook": {"enabled": False}}},
                          "c")
    got = exclusions(repo, config, ["secret-generic", "docs-runbook", "secret-ideogram-key"])
    # vendor/ is a default exclude: the config's *.py keeps out the two files that were in the scan
    assert got == (Exclusion("exclude", "*.py", 2), Exclusion("exclude", "nothing/", 0),
                   Exclusion("checks.secret-generic.exclude", "docs/", 1),
                   Exclusion("checks.docs-runbook.enabled", "false"))
    assert exclusions(repo, parse_config({}, "c"), ["secret-generic"]) == ()


# --- reporters --------------------------------------------------------------------------------------------------

def listed_report() -> Report:
    finding = Finding("secret-generic", Severity.ERROR, "AWS key committed", Location("a.py", 2, 2), "fp-f",
                      "step2.no-hardcoded-credentials")
    inline = Suppression("secret-ideogram-key", SuppressionKind.INLINE, Location("t.py", 3, 3), "fp-i",
                         "a fixture | not <b>real</b>")
    base = Suppression("secret-generic", SuppressionKind.BASELINE, Location("b.py", 1, 1), "fp-b",
                       "audited in main:.secrets.baseline")
    excl = Suppression("secret-generic", SuppressionKind.EXCLUDE, Location("legacy/c.py", 9, 9), "fp-e",
                       "checks.secret-generic.exclude in the config")
    results = (CheckResult("secret-generic", Status.FAILED, "3 file(s) scanned", (finding,), (base, excl)),
               CheckResult("secret-ideogram-key", Status.PASSED, "3 file(s) scanned", (), (inline,)))
    return Report("9.9.9", results, exclusions=(Exclusion("exclude", "*.min.js", 4),
                                                Exclusion("checks.docs-runbook.enabled", "false")))


def test_json_lists_and_counts_every_suppression_and_exclusion() -> None:
    doc = json.loads(json_v1.render(listed_report()))
    assert [(s["check_id"], s["kind"], s["location"]["path"]) for s in doc["suppressions"]] == [
        ("secret-generic", "baseline", "b.py"), ("secret-generic", "exclude", "legacy/c.py"),
        ("secret-ideogram-key", "inline", "t.py")]
    assert doc["suppression_counts"]["total"] == 3
    assert {k: doc["suppression_counts"][k] for k in ("inline", "baseline", "exclude")} == {
        "inline": 1, "baseline": 1, "exclude": 1}
    assert doc["exclusions"] == [{"setting": "exclude", "value": "*.min.js", "files": 4},
                                 {"setting": "checks.docs-runbook.enabled", "value": "false", "files": None}]
    assert len(doc["findings"]) == 1


def test_sarif_marks_suppressed_results_and_stays_valid(sarif_schema: dict[str, object]) -> None:
    doc = json.loads(sarif.render(listed_report()))
    jsonschema.validate(doc, sarif_schema)
    results = doc["runs"][0]["results"]
    plain = [r for r in results if "suppressions" not in r]
    assert [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in plain] == ["fp-f"]
    marked = {r["partialFingerprints"][sarif.FINGERPRINT_KEY]: r["suppressions"] for r in results if "suppressions" in r}
    assert marked == {
        "fp-b": [{"kind": "external", "status": "accepted", "justification": "baseline: audited in main:.secrets.baseline"}],
        "fp-e": [{"kind": "external", "status": "accepted",
                  "justification": "exclude: checks.secret-generic.exclude in the config"}],
        "fp-i": [{"kind": "inSource", "status": "accepted", "justification": "inline: a fixture | not <b>real</b>"}],
    }
    assert doc["runs"][0]["properties"]["exclusions"][0] == {"setting": "exclude", "value": "*.min.js", "files": 4}


def test_the_summary_tables_list_them_escaped() -> None:
    md = github.render_summary(listed_report())
    assert "### Suppressions (3)" in md and "### Exclusions (2)" in md
    table = md.split("### Suppressions (3)")[1].split("### Exclusions")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[0] for row in rows] == ["| baseline", "| exclude", "| inline"]
    # the PR's reason is one cell: its pipe and tags are escaped (the exact escape is github.py's business)
    assert "a fixture" in rows[2] and "<b>" not in md and rows[2].count(" | ") == 3
    exclusions = md.split("### Exclusions (2)")[1]
    assert "min.js" in exclusions and "| 4 |" in exclusions and "checks.docs-runbook.enabled" in exclusions


def test_no_suppressions_no_tables() -> None:
    md = github.render_summary(Report("1", (CheckResult("secret-generic", Status.PASSED, "1 file(s) scanned"),)))
    assert "Suppressions" not in md and "Exclusions" not in md
