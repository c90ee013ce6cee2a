"""Reporters are pure: a fixed Report renders to valid SARIF, escaped annotations, a capped summary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from checker.findings import CheckResult, Files, Finding, Location, Report, Severity, Status
from checker.reporters import github, json_v1, sarif, text


def finding(check_id: str = "code-ideogram-no-timeout", path: str = "src/a.py", line: int = 3,
            severity: Severity = Severity.WARNING, message: str = "no timeout") -> Finding:
    return Finding(check_id, severity, message, Location(path, line, line), f"fp-{check_id}-{path}-{line}",
                   "step2.rate-limit-backoff")


def report(*findings: Finding, errors: tuple[CheckResult, ...] = ()) -> Report:
    by_id: dict[str, list[Finding]] = {}
    for f in findings:
        by_id.setdefault(f.check_id, []).append(f)
    results = [CheckResult(cid, Status.FAILED, "1 file(s) scanned", tuple(fs)) for cid, fs in by_id.items()]
    results += list(errors)
    return Report("9.9.9", tuple(sorted(results, key=lambda r: r.check_id)))


def test_sarif_validates_against_the_official_schema(sarif_schema):
    rep = report(finding(), finding("secret-ideogram-key", ".env", 1, Severity.ERROR, "Ideogram API Key committed"),
                 errors=(CheckResult("secret-generic", Status.ERROR, "detect-secrets exited with code 2"),))
    doc = json.loads(sarif.render(rep))
    jsonschema.validate(doc, sarif_schema)
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "ideogram-prod"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == ["code-ideogram-no-timeout", "secret-generic", "secret-ideogram-key"]
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["partialFingerprints"][sarif.FINGERPRINT_KEY].startswith("fp-")
        assert "snippet" not in json.dumps(res)
    assert run["invocations"][0]["executionSuccessful"] is False
    key_rule = run["tool"]["driver"]["rules"][rule_ids.index("secret-ideogram-key")]
    assert key_rule["properties"]["security-severity"] == "9.0"
    assert key_rule["helpUri"].endswith("/docs/checks/secret-ideogram-key.md")


def test_sarif_of_a_clean_report_is_valid(sarif_schema):
    rep = Report("1.0.0", (CheckResult("secret-generic", Status.PASSED, "3 file(s) scanned"),))
    doc = json.loads(sarif.render(rep))
    jsonschema.validate(doc, sarif_schema)
    assert doc["runs"][0]["results"] == []
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("50% done", "50%25 done", "50%25 done"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("x: y, z", "x: y, z", "x%3A y%2C z"),
        ("::error::injected", "::error::injected", "%3A%3Aerror%3A%3Ainjected"),
        ("x ##[error]old", "x ## [error]old", "x ## [error]old"),
    ],
)
def test_annotation_escaping(raw, data, prop):
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_annotation_line_format():
    line = github.annotation(finding(path="web/a,b:c.ts", message="bad\nthing"))
    assert line == ("::warning file=web/a%2Cb%3Ac.ts,line=3,endLine=3,title=code-ideogram-no-timeout::bad%0Athing")


def test_annotations_are_capped_per_type_with_a_pointer_to_the_summary():
    many = [finding(line=i) for i in range(1, 26)] + [finding("secret-generic", "k.env", i, Severity.ERROR)
                                                        for i in range(1, 4)]
    out = github.render_annotations(report(*many)).splitlines()
    assert sum(1 for line in out if line.startswith("::warning ")) == 10
    assert sum(1 for line in out if line.startswith("::error ")) == 3
    assert out[-1] == "::notice title=ideogram-prod::15 more finding(s) are listed in the job summary"


def test_summary_lists_every_finding_and_escapes_tables():
    many = [finding(line=i, message=f"m|{i}") for i in range(1, 40)]
    md = github.render_summary(report(*many))
    assert md.count("| warning | `code-ideogram-no-timeout`") == 39
    assert "m&#124;7" in md
    assert md.startswith("## ideogram-prod check: ❌ failed")


def test_summary_is_capped_at_one_mebibyte():
    many = [finding(line=i, message="x" * 400) for i in range(1, 5000)]
    md = github.render_summary(report(*many))
    assert len(md.encode()) <= github.SUMMARY_LIMIT
    assert "truncated" in md


def test_json_report_shape_and_determinism():
    a = finding(path="b.py", line=2)
    b = finding(path="a.py", line=9)
    doc = json.loads(json_v1.render(report(a, b)))
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "ideogram-prod", "version": "9.9.9"}
    assert [f["location"]["path"] for f in doc["findings"]] == ["a.py", "b.py"]
    assert set(doc["findings"][0]) == {"check_id", "severity", "message", "location", "fingerprint", "checklist_item"}
    assert json_v1.render(report(a, b)) == json_v1.render(report(b, a))


def test_text_report_names_every_finding_and_the_verdict():
    out = text.render(report(finding(), finding("secret-generic", ".env", 2, Severity.ERROR, "AWS key")))
    assert "src/a.py:3" in out and ".env:2" in out and "FAILED" in out
    assert "\x1b[" not in out


HOSTILE = "a|b\n::error file=x::forged\r\n::stop-commands::t\n##[error]old form `c` [l](http://e) <img src=x> $m$ \u202e"


def test_text_report_prints_no_untrusted_line_break_or_workflow_command():
    f = finding(path="src/x\n::error::forged.py", message="tail follows\n::warning::from a test\n  ::set-output")
    rep = report(f, errors=(CheckResult("secret-generic", Status.ERROR, HOSTILE),))
    out = text.render(rep, verbose=True)
    assert all(not line.lstrip().startswith("::") for line in out.splitlines()), out
    assert "##[" not in out and "\u202e" not in out and "\r" not in out
    assert "src/x\\n::error::forged.py:3" in out  # shown, escaped, on the finding's own line
    assert text.CONTINUATION + "::warning::from a test" in out  # the tail keeps its lines, behind our prefix


@pytest.mark.parametrize("raw", [HOSTILE, "\u2028x\u2029y\x85z\x1b[2J", "plain"])
def test_one_line(raw):
    assert len(text.one_line(raw).splitlines()) == 1
    assert "##[" not in text.one_line(raw)


def test_summary_cells_and_headings_are_inert_markdown():
    f = finding(path="p|`q`<b>.py", message=HOSTILE)
    rep = report(f, errors=(CheckResult("secret-generic", Status.ERROR, HOSTILE),))
    md = github.render_summary(rep, title="t ## [x](y)")
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert rows
    for row in rows:  # no cell adds a column: every pipe is a separator we wrote
        assert row.count("|") in (4, 5)
    for raw in ("<img", "<b>", "[l](", "`c`", "$m$", "\n::error", "##["):
        assert raw not in md
    assert md.startswith("## t &#35;&#35; &#91;x&#93;&#40;y&#41;: ❌ failed")


def test_results_carry_the_files_given_and_read():
    rep = Report("1", (CheckResult("secret-generic", Status.PASSED, "r", files=Files(given=7, read=5)),
                       CheckResult("live-prometheus", Status.PASSED, "up")))
    doc = json.loads(json_v1.render(rep))
    assert [r["files"] for r in doc["results"]] == [{"given": 7, "read": 5}, None]
    assert "| 5 of 7 |" in github.render_summary(rep)
    assert "5 of 7 file(s) read" in text.render(rep, verbose=True)


def test_sarif_help_links_point_at_each_checks_docs_page_at_the_release_tag() -> None:
    from checker import __version__
    from checker.registry import CHECKS

    for spec in CHECKS:
        assert spec.help_uri.endswith(f"/blob/v{__version__}/docs/checks/{spec.id}.md"), spec.help_uri
        assert (Path(__file__).resolve().parents[1] / "docs" / "checks" / f"{spec.id}.md").is_file(), spec.id
