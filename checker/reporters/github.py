"""GitHub workflow-command annotations (escaped, capped as GitHub caps them) and the job-summary Markdown."""

from __future__ import annotations

from checker.findings import CheckResult, Finding, ItemStatus, Report, Severity, Status

# NOTE: GitHub shows at most 10 annotations of each type per step (50 per job); the summary holds the rest.
# https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
MAX_PER_TYPE = 10
SUMMARY_LIMIT = 1024 * 1024
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    # NOTE: `##[` is the runner's old command form, which it looks for anywhere in a line: never pass one on.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace("##[", "## [")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, path_prefix: str = "") -> str:
    props = [f"title={escape_property(f.check_id)}"]
    if f.location is not None and f.location.line:
        props = [f"file={escape_property(path_prefix + f.location.path)}", f"line={f.location.line}",
                 f"endLine={f.location.end_line or f.location.line}", *props]
    return f"::{_COMMAND[f.severity]} {','.join(props)}::{escape_data(f.message)}"


def render_annotations(report: Report, max_per_type: int = MAX_PER_TYPE) -> str:
    lines: list[str] = []
    shown: dict[Severity, int] = {}
    hidden = 0
    for f in report.findings:
        if shown.get(f.severity, 0) >= max_per_type:
            hidden += 1
            continue
        shown[f.severity] = shown.get(f.severity, 0) + 1
        lines.append(annotation(f, report.path_prefix))
    for r in report.results:
        if r.status is Status.ERROR:
            lines.append(f"::error title={escape_property(r.check_id)}::{escape_data('check errored: ' + r.reason)}")
    if hidden:
        lines.append(f"::notice title=ideogram-prod::{hidden} more finding(s) are listed in the job summary")
    return "".join(line + "\n" for line in lines)


# Markdown a pull request could inject through a file name, a manifest's name or a test's output: every
# character that starts markup becomes an HTML entity (rendered as itself, never parsed).
_MD_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "\\`*_[]()!#~|<>&$@"}  # `$`: GitHub renders $math$


def md(text: str) -> str:
    """Untrusted text as inert Markdown inside a table cell or heading: one line, no markup, no HTML."""
    flat = " ".join(text.split())  # line breaks (and other whitespace runs) end a table row
    return "".join(_MD_ENTITIES.get(ch, ch) if ch.isprintable() else " " for ch in flat)


def _cell(text: str) -> str:
    return md(text)


def _code(text: str) -> str:
    """Inline code from untrusted text: <code> with entities (a backtick span cannot hold every string)."""
    return f"<code>{md(text)}</code>"


_ICON = {Status.PASSED: "✅ passed", Status.FAILED: "❌ failed", Status.ERROR: "⚠️ error",
         Status.SKIPPED: "⏭️ skipped", Status.MANUAL: "✋ manual"}
_ITEM_ICON = {ItemStatus.PASS: "✅ pass", ItemStatus.FAIL: "❌ fail", ItemStatus.MANUAL: "✋ manual",
              ItemStatus.SKIPPED: "⏭️ skipped", ItemStatus.NOT_APPLICABLE: "➖ not applicable"}


def _suppression_sections(report: Report) -> list[str]:
    """Every suppressed hit and every config exclusion, so a reviewer sees what the gate did not report."""
    out: list[str] = []
    if report.suppressions:
        out += ["", f"### Suppressions ({len(report.suppressions)})", "",
                "| Kind | Check | Location | Justification |", "| --- | --- | --- | --- |"]
        for s in report.suppressions:
            loc = s.location
            where = "" if loc is None else _code(f"{loc.path}:{loc.line}" if loc.line else loc.path)
            out.append(f"| {s.kind} | `{s.check_id}` | {where} | {_cell(s.justification)} |")
    if report.exclusions:
        out += ["", f"### Exclusions ({len(report.exclusions)})", "", "| Setting | Value | Files kept out |",
                "| --- | --- | --- |"]
        for e in report.exclusions:
            files = "" if e.files is None else str(e.files)
            out.append(f"| {_code(e.setting)} | {_code(e.value)} | {files} |")
    return out


def _files(r: CheckResult) -> str:
    return "" if r.files is None else f"{r.files.read} of {r.files.given}"


def render_summary(report: Report, title: str = "ideogram-prod check") -> str:
    findings = report.findings
    verdict = "❌ failed" if report.failed else "✅ passed"
    out = [f"## {md(title)}: {verdict}", "",
           f"{len(findings)} finding(s) from {len(report.results)} check(s); the run fails on findings of severity "
           f"{report.fail_on} or higher and on any check that errored{' or was skipped' if report.strict else ''}.",
           ""]
    out += ["| Check | Status | Files read | Detail |", "| --- | --- | --- | --- |"]
    out += [f"| `{r.check_id}` | {_ICON[r.status]} | {_files(r)} | {_cell(r.reason)} |"
            for r in report.results]
    if findings:
        out += ["", "### Findings", "", "| Severity | Check | Location | Message |", "| --- | --- | --- | --- |"]
        for f in findings:
            loc = f.location
            where = "" if loc is None else _code(f"{loc.path}:{loc.line}" if loc.line else loc.path)
            out.append(f"| {f.severity} | `{f.check_id}` | {where} | {_cell(f.message)} |")
    out += _suppression_sections(report)
    if report.checklist:
        out += ["", "### Production checklist", "", "| Item | Status | Evidence |", "| --- | --- | --- |"]
        for e in report.checklist:
            out.append(f"| {_cell(e.text)} | {_ITEM_ICON[e.status]} | {_cell(e.evidence)} |")
    text = "\n".join(out) + "\n"
    if len(text.encode("utf-8")) > SUMMARY_LIMIT:
        note = "\n\n_Summary truncated at GitHub's 1 MiB limit; the JSON report has everything._\n"
        budget = SUMMARY_LIMIT - len(note.encode("utf-8"))
        text = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore").rsplit("\n", 1)[0] + note
    return text
