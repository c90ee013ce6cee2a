"""The human report on the terminal, rendered with rich into a string; every line is safe to print in Actions."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from checker.findings import CheckResult, Files, Finding, ItemStatus, Report, Severity, Status
from checker.redact import REDACTOR

_SEV_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_STATUS_STYLE = {Status.PASSED: "green", Status.FAILED: "red", Status.ERROR: "bold red",
                 Status.SKIPPED: "dim", Status.MANUAL: "blue"}
_ITEM_STYLE = {ItemStatus.PASS: "green", ItemStatus.FAIL: "red", ItemStatus.MANUAL: "blue",
               ItemStatus.SKIPPED: "dim", ItemStatus.NOT_APPLICABLE: "dim"}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# The runner also reads the old `##[command]` form anywhere in a line (actions/runner ActionCommand.TryParse).
_OLD_COMMAND = "##["
CONTINUATION = "    │ "
MAX_LINE = 120  # columns a concise line aims for; a message is cut to fit, a path never is
MIN_MESSAGE = 30  # columns of message kept however long the path
PER_FILE = 3  # findings of one check shown per file before the rest are counted
PER_CHECK = 5  # findings of one check shown in all before the rest are counted
TAIL_LINES = 5  # lines of a multi-line message (a test run's output) shown without -v
ELLIPSIS = "…"


def one_line(text: str) -> str:
    """An untrusted string (a file name, a manifest's name, a test's output) as one printable line: line
    breaks, terminal escapes and invisible format characters (bidi overrides) become visible escapes."""
    out = []
    for ch in text:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out).replace(_OLD_COMMAND, "## [")


def guard(line: str) -> str:
    """A line of ours that would still start like a workflow command (`::` after blanks) gets a visible
    prefix: the runner trims leading blanks before it looks for `::`."""
    line = line.replace(_OLD_COMMAND, "## [")
    return "│ " + line if line.lstrip().startswith("::") else line


def files_text(files: Files | None) -> str:
    return "" if files is None else f"{files.read} of {files.given} file(s) read"


def clip(text: str, columns: int) -> str:
    """`text` cut to `columns` terminal cells with an ellipsis; redacted first, so a cut never leaves part of a
    registered secret that the redactor would no longer recognise."""
    text = REDACTOR(text)
    if cell_len(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        used += cell_len(ch)
        if used > columns - 1:
            break
        out.append(ch)
    return "".join(out).rstrip() + ELLIPSIS


def short_reason(reason: str) -> str:
    """A skip reason's first clause ("not enabled: tests-pass runs ..." -> "not enabled")."""
    return re.split(r"[:;(]", reason, maxsplit=1)[0].strip() or reason.strip()


def where(f: Finding) -> str:
    loc = f.location
    return "" if loc is None else (f"{loc.path}:{loc.line}" if loc.line else loc.path)


def shown_findings(findings: Sequence[Finding]) -> tuple[list[Finding], Counter[str]]:
    """The findings a concise report prints (PER_FILE of one check per file, PER_CHECK in all) and, per check,
    how many it only counts."""
    per_check: Counter[str] = Counter()
    per_file: Counter[tuple[str, str]] = Counter()
    hidden: Counter[str] = Counter()
    shown = []
    for f in findings:
        path = f.location.path if f.location else ""
        if per_check[f.check_id] >= PER_CHECK or per_file[(f.check_id, path)] >= PER_FILE:
            hidden[f.check_id] += 1
            continue
        per_check[f.check_id] += 1
        per_file[(f.check_id, path)] += 1
        shown.append(f)
    return shown, hidden


def _help_uri(check_id: str) -> str | None:
    from checker.registry import BY_ID

    spec = BY_ID.get(check_id)
    return None if spec is None else spec.help_uri


def _verdict(report: Report) -> str:
    findings = report.findings
    by_sev = Counter(f.severity for f in findings)
    sevs = ", ".join(f"{by_sev[s]} {s}" for s in Severity if by_sev[s])
    counts = Counter(r.status for r in report.results)
    summary = ", ".join(f"{counts[s]} {s}" for s in Status if counts[s])
    verdict = "[bold red]FAILED[/]" if report.failed else "[bold green]PASSED[/]"
    below = sum(1 for f in findings if not f.severity.reaches(report.fail_on))
    note = f"; {below} below fail-on {report.fail_on}" if below and not report.failed else ""
    return (f"{verdict}: {len(findings)} finding(s){f' ({sevs})' if sevs else ''}; checks: {summary}; "
            f"fail-on {report.fail_on}{' --strict' if report.strict else ''}{note}")


def _checklist(console: Console, report: Report) -> None:
    console.print()
    for e in report.checklist:
        console.print(f"[{_ITEM_STYLE[e.status]}]{e.status:>7}[/]  {escape(one_line(e.text))}  "
                      f"[dim]{escape(one_line(e.evidence))}[/]")


def _result_line(console: Console, r: CheckResult, verbose: bool) -> None:
    counted = files_text(r.files)
    detail = f"{r.reason} ({counted})" if counted and verbose and counted not in r.reason else r.reason
    console.print(f"[{_STATUS_STYLE[r.status]}]{r.status:>7}[/]  {r.check_id}  [dim]{escape(one_line(detail))}[/]")


def _full(console: Console, report: Report, verbose: bool) -> None:
    """Every finding with its whole message, and a line per check that did not pass."""
    findings = report.findings
    for f in findings:
        first, *rest = f.message.split("\n")
        console.print(f"[bold]{escape(one_line(where(f)))}[/]  [{_SEV_STYLE[f.severity]}]{f.severity}[/]  "
                      f"[magenta]{f.check_id}[/]  {escape(one_line(first))}")
        for more in rest:  # a test run's output tail: each line behind a prefix of ours
            console.print(f"[dim]{CONTINUATION}{escape(one_line(more))}[/]")
    if findings:
        console.print()
    for r in report.results:
        if verbose or r.status is not Status.PASSED:
            _result_line(console, r, verbose)


def short_message(message: str, columns: int) -> str:
    """A finding's message for one line: whole when it fits, else its first clause (up to ". " or "; "), cut to
    `columns` with an ellipsis; the full message is in --format full, JSON and SARIF."""
    text = one_line(message)
    if cell_len(REDACTOR(text)) > columns:
        text = re.split(r"(?<=[^.])\. |; ", text, maxsplit=1)[0]
    return clip(text, columns)


def _finding_lines(console: Console, shown: list[Finding], hidden: Counter[str], verbose: bool) -> None:
    last = {f.check_id: i for i, f in enumerate(shown)}
    helped: set[str] = set()
    for i, f in enumerate(shown):
        first, *rest = f.message.split("\n")
        head = f"{one_line(where(f))}: {f.check_id} "
        message = short_message(first, max(MIN_MESSAGE, MAX_LINE - cell_len(head)))
        console.print(f"[bold]{escape(one_line(where(f)))}[/]: [{_SEV_STYLE[f.severity]}]{f.check_id}[/] "
                      f"{escape(message)}")
        tail = rest if verbose else rest[-TAIL_LINES:]
        if len(tail) < len(rest):  # a test run's output: its last lines say why it failed
            earlier = len(rest) - len(tail)
            console.print(f"[dim]{CONTINUATION}{ELLIPSIS} {earlier} earlier line(s) (-v or --format full)[/]")
        for more in tail:  # each line behind a prefix of ours
            console.print(f"[dim]{CONTINUATION}{escape(clip(one_line(more), MAX_LINE - len(CONTINUATION)))}[/]")
        uri = _help_uri(f.check_id)
        if uri is not None and f.check_id not in helped:
            helped.add(f.check_id)
            # NOTE: an OSC 8 hyperlink only when rich writes for a terminal (color on); plain text otherwise.
            console.print(f"  [dim]help:[/] [link={uri}]{escape(uri)}[/link]")
        if hidden[f.check_id] and last[f.check_id] == i:
            console.print(f"[dim]... and {hidden[f.check_id]} more {f.check_id} finding(s) "
                          f"(--format full lists all)[/]")


def _concise(console: Console, report: Report, verbose: bool) -> None:
    """One line per finding (`path:line: check-id message`, cut to MAX_LINE) with its check's docs link once,
    repeats of one check counted, findings below --fail-on after those that fail the run, and the skipped checks
    on one line (each on its own with -v)."""
    findings = report.findings
    failing = [f for f in findings if f.severity.reaches(report.fail_on)]
    below = [f for f in findings if not f.severity.reaches(report.fail_on)]
    shown, hidden = shown_findings(failing)
    _finding_lines(console, shown, hidden, verbose)
    if below:
        if failing:
            console.print()
        console.print(f"[dim]below fail-on {report.fail_on} (reported, they do not fail the run):[/]")
        shown, hidden = shown_findings(below)
        _finding_lines(console, shown, hidden, verbose)
    if findings:
        console.print()
    skipped = [r for r in report.results if r.status is Status.SKIPPED]
    for r in report.results:
        if r.status in (Status.ERROR, Status.MANUAL) or (r.status is Status.FAILED and not r.findings) \
                or (verbose and r.status is not Status.SKIPPED):
            _result_line(console, r, verbose)
    if skipped and verbose:
        for r in skipped:
            _result_line(console, r, verbose)
    elif skipped:
        listed = ", ".join(f"{r.check_id}: {short_reason(r.reason)}" for r in skipped)
        line = clip(one_line(f"skipped: {len(skipped)} check(s) ({listed}"), MAX_LINE - 1) + ")"
        console.print(f"[dim]{escape(line)}[/]")


def render(report: Report, color: bool = False, width: int = 100, verbose: bool = False,
           fmt: str = "concise") -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
                      soft_wrap=True)
    if fmt == "full":
        _full(console, report, verbose)
    else:
        _concise(console, report, verbose)
    if verbose and report.checklist:
        _checklist(console, report)
    console.print(_verdict(report))
    return "".join(guard(line) + "\n" for line in buf.getvalue().splitlines())
