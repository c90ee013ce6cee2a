"""Reporters are pure: a fixed Report renders to valid SARIF, escaped annotations, a capped summary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from checker.findings import CheckResult, Files, Finding, Location, Report, Severity, Status, gate_failed
from checker.reporters import github, json_v1, sarif, text


def finding(check_id: str = "code-ideogram-no-timeout", path: str = "src/a.py", line: int = 3,
            severity: Severity = Severity.WARNING, message: str = "no timeout") -> Finding:
    return Finding(check_id, severity, message, Location(path, line, line), f"fp-{check_id}-{path}-{line}",
                   "step2.rate-limit-backoff")


def report(*findings: Finding, errors: tuple[CheckResult, ...] = (), fail_on: Severity = Severity.ERROR,
           strict: bool = False) -> Report:
    by_id: dict[str, list[Finding]] = {}
    for f in findings:
        by_id.setdefault(f.check_id, []).append(f)
    results = [CheckResult(cid, Status.FAILED, "1 file(s) scanned", tuple(fs)) for cid, fs in by_id.items()]
    results += list(errors)
    return Report("9.9.9", tuple(sorted(results, key=lambda r: r.check_id)), fail_on=fail_on, strict=strict)


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
    md = github.render_summary(report(*many, fail_on=Severity.WARNING))
    assert md.count("| warning | `code-ideogram-no-timeout`") == 39
    assert "m&#124;7" in md
    assert md.startswith("## ideogram-prod check: ❌ failed")
    assert "fails on findings of severity warning or higher" in md
    # the same warnings under the default threshold: listed all the same, and the verdict says passed
    lax = github.render_summary(report(*many))
    assert lax.startswith("## ideogram-prod check: ✅ passed") and lax.count("| warning |") == 39


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
    for fmt, verbose in (("full", True), ("concise", True), ("concise", False), ("full", False)):
        out = text.render(rep, verbose=verbose, fmt=fmt)
        assert all(not line.lstrip().startswith("::") for line in out.splitlines()), out
        assert "##[" not in out and "\u202e" not in out and "\r" not in out
        assert "src/x\\n::error::forged.py:3" in out  # shown, escaped, on the finding's own line
        assert text.CONTINUATION + "::warning::from a test" in out  # the tail keeps its lines, behind our prefix
        assert "## [error]old form" in out  # the error's reason, whole and defused, in every format


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


# --- --fail-on: one verdict for the exit code, the text and the summary -------------------------------------------

def _result(status: Status, *severities: Severity) -> CheckResult:
    return CheckResult("code-ideogram-no-timeout", status, "r",
                       tuple(finding(line=i, severity=s) for i, s in enumerate(severities, 1)))


@pytest.mark.parametrize(("result", "fail_on", "strict", "failed"), [
    (_result(Status.FAILED, Severity.WARNING), Severity.ERROR, False, False),
    (_result(Status.FAILED, Severity.WARNING), Severity.WARNING, False, True),
    (_result(Status.FAILED, Severity.WARNING), Severity.NOTE, False, True),
    (_result(Status.FAILED, Severity.NOTE), Severity.WARNING, False, False),
    (_result(Status.FAILED, Severity.NOTE, Severity.ERROR), Severity.ERROR, False, True),
    (_result(Status.FAILED), Severity.ERROR, False, True),  # failed with nothing to show: fails closed
    (_result(Status.ERROR), Severity.ERROR, False, True),  # could not check: always fails
    (_result(Status.ERROR), Severity.NOTE, False, True),
    (_result(Status.SKIPPED), Severity.NOTE, False, False),
    (_result(Status.SKIPPED), Severity.ERROR, True, True),
    (_result(Status.PASSED), Severity.NOTE, True, False),
    (_result(Status.MANUAL), Severity.NOTE, False, False),
])
def test_the_run_fails_at_or_above_the_threshold_and_on_every_error(result, fail_on, strict, failed):
    assert gate_failed([result], fail_on, strict) is failed
    rep = Report("1", (result,), fail_on=fail_on, strict=strict)
    assert rep.failed is failed
    assert text.render(rep).splitlines()[-1].startswith("FAILED" if failed else "PASSED")
    assert ("❌ failed" if failed else "✅ passed") in github.render_summary(rep).splitlines()[0]


def test_json_and_sarif_keep_every_finding_whatever_the_threshold():
    rep = report(finding(severity=Severity.NOTE), finding("secret-generic", ".env", 1, Severity.WARNING))
    assert not rep.failed
    assert len(json.loads(json_v1.render(rep))["findings"]) == 2
    assert len(json.loads(sarif.render(rep))["runs"][0]["results"]) == 2


# --- the concise text report --------------------------------------------------------------------------------------

def test_concise_is_one_line_per_finding_with_the_docs_link_once_per_check():
    from checker.registry import BY_ID

    rep = report(finding(line=3), finding(line=9), finding("secret-generic", ".env", 2, Severity.ERROR, "AWS key"))
    lines = text.render(rep).splitlines()
    assert ".env:2: secret-generic AWS key" in lines
    assert "src/a.py:3: code-ideogram-no-timeout no timeout" in lines
    assert "src/a.py:9: code-ideogram-no-timeout no timeout" in lines
    helps = [line for line in lines if line.startswith("  help: ")]
    assert helps == [f"  help: {BY_ID['secret-generic'].help_uri}", f"  help: {BY_ID['code-ideogram-no-timeout'].help_uri}"]
    assert lines.index(helps[1]) == lines.index("src/a.py:3: code-ideogram-no-timeout no timeout") + 1
    assert "\x1b" not in "\n".join(lines)  # no color, no OSC 8 hyperlink off a terminal


def test_findings_below_the_threshold_come_after_those_that_fail_the_run():
    rep = report(finding("code-ideogram-no-timeout", "a.py", 1), finding("secret-generic", "z.env", 9, Severity.ERROR))
    lines = text.render(rep).splitlines()
    assert lines.index("z.env:9: secret-generic no timeout") < lines.index("below fail-on error (reported, they do "
                                                                            "not fail the run):") \
        < lines.index("a.py:1: code-ideogram-no-timeout no timeout")
    everything = text.render(report(*rep.findings, fail_on=Severity.NOTE))
    assert "below fail-on" not in everything


def test_the_osc8_link_is_written_only_for_a_terminal():
    out = text.render(report(finding()), color=True)
    assert "\x1b]8;" in out and "docs/checks/code-ideogram-no-timeout.md" in out


def test_repeats_of_one_check_are_counted_per_file_and_in_total():
    many = [finding(path="a.py", line=i) for i in range(1, 8)] + [finding(path="b.py", line=i) for i in range(1, 8)]
    rep = report(*many, fail_on=Severity.NOTE)
    lines = text.render(rep).splitlines()
    shown = [line for line in lines if ": code-ideogram-no-timeout " in line]
    assert shown == [f"a.py:{i}: code-ideogram-no-timeout no timeout" for i in (1, 2, 3)] + \
        [f"b.py:{i}: code-ideogram-no-timeout no timeout" for i in (1, 2)]
    assert "... and 9 more code-ideogram-no-timeout finding(s) (--format full lists all)" in lines
    assert lines.index(shown[-1]) + 1 == lines.index("... and 9 more code-ideogram-no-timeout finding(s) "
                                                    "(--format full lists all)")
    full = text.render(rep, fmt="full")
    assert sum(1 for line in full.splitlines() if "code-ideogram-no-timeout  no timeout" in line) == 14
    assert "more code-ideogram-no-timeout" not in full


def test_concise_lines_fit_120_columns_by_cutting_the_message_never_the_path():
    long_path = "services/" + "very-long-directory-name/" * 5 + "client.py"
    rep = report(finding(message="This Ideogram call has no timeout. " + "Explain at length. " * 20),
                 finding(path=long_path, message="word " * 60), fail_on=Severity.NOTE)
    lines = text.render(rep).splitlines()
    assert "src/a.py:3: code-ideogram-no-timeout This Ideogram call has no timeout" in lines  # its first sentence
    (cut,) = [line for line in lines if line.startswith(long_path)]
    assert cut.startswith(f"{long_path}:3: code-ideogram-no-timeout word word") and cut.endswith("…")
    assert len(cut) == max(len(f"{long_path}:3: code-ideogram-no-timeout ") + text.MIN_MESSAGE, text.MAX_LINE)
    assert all(len(line) <= text.MAX_LINE for line in lines if not line.startswith(long_path)), lines
    assert "Explain at length. " * 20 in text.render(rep, fmt="full")


def test_a_cut_never_leaves_part_of_a_registered_secret():
    from checker.redact import REDACTOR

    secret = "ik_TruncatedCanary_" + "Q" * 40
    REDACTOR.register(secret)
    # the line's budget ends 4 characters into the secret: a prefix too short for the redactor to know it
    out = text.render(report(finding(message="x" * 78 + secret)))
    assert "ik_T" not in out and "x" * 78 + "***" in out


def test_skipped_checks_are_one_line_and_listed_with_verbose():
    skips = (CheckResult("tests-pass", Status.SKIPPED, "not enabled: tests-pass runs the pull request's own code"),
             CheckResult("gate-config-changed", Status.SKIPPED, "no --diff-base: no base ref to compare"))
    rep = report(finding(), errors=skips)
    lines = text.render(rep).splitlines()
    assert "skipped: 2 check(s) (gate-config-changed: no --diff-base, tests-pass: not enabled)" in lines
    assert not any(line.lstrip().startswith("skipped  ") for line in lines)
    verbose = text.render(rep, verbose=True).splitlines()
    assert "skipped  tests-pass  not enabled: tests-pass runs the pull request's own code" in verbose
    assert "skipped  gate-config-changed  no --diff-base: no base ref to compare" in verbose


def test_errors_and_failures_without_findings_keep_their_line_and_reason():
    rep = report(errors=(CheckResult("secret-generic", Status.ERROR, "detect-secrets exited with code 2"),
                         CheckResult("live-prometheus", Status.FAILED, "no sample newer than 300 s")))
    lines = text.render(rep).splitlines()
    assert "  error  secret-generic  detect-secrets exited with code 2" in lines
    assert " failed  live-prometheus  no sample newer than 300 s" in lines
    assert lines[-1].startswith("FAILED: 0 finding(s); checks: 1 failed, 1 error; fail-on error")


def test_a_long_output_tail_shows_its_last_lines_unless_verbose():
    tail = "\n".join(f"line {i}" for i in range(1, 21))
    rep = report(finding("tests-pass", "tests/t.py", 1, Severity.ERROR, "pytest failed; last lines:\n" + tail))
    lines = text.render(rep).splitlines()
    assert text.CONTINUATION + "… 15 earlier line(s) (-v or --format full)" in lines
    assert [line for line in lines if line.startswith(text.CONTINUATION + "line ")] == \
        [text.CONTINUATION + f"line {i}" for i in range(16, 21)]
    assert sum(1 for line in text.render(rep, verbose=True).splitlines() if "│ line " in line) == 20
