"""The human report on the terminal, rendered with rich into a string; every line is safe to print in Actions."""

from __future__ import annotations

import io
import unicodedata

from rich.console import Console
from rich.markup import escape

from checker.findings import Files, ItemStatus, Report, Severity, Status

_SEV_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_STATUS_STYLE = {Status.PASSED: "green", Status.FAILED: "red", Status.ERROR: "bold red",
                 Status.SKIPPED: "dim", Status.MANUAL: "blue"}
_ITEM_STYLE = {ItemStatus.PASS: "green", ItemStatus.FAIL: "red", ItemStatus.MANUAL: "blue",
               ItemStatus.SKIPPED: "dim", ItemStatus.NOT_APPLICABLE: "dim"}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# The runner also reads the old `##[command]` form anywhere in a line (actions/runner ActionCommand.TryParse).
_OLD_COMMAND = "##["
CONTINUATION = "    │ "


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


def render(report: Report, color: bool = False, width: int = 100, verbose: bool = False) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
                      soft_wrap=True)
    findings = report.findings
    for f in findings:
        loc = f.location
        where = "" if loc is None else (f"{loc.path}:{loc.line}" if loc.line else loc.path)
        first, *rest = f.message.split("\n")
        console.print(f"[bold]{escape(one_line(where))}[/]  [{_SEV_STYLE[f.severity]}]{f.severity}[/]  "
                      f"[magenta]{f.check_id}[/]  {escape(one_line(first))}")
        for more in rest:  # a test run's output tail: each line behind a prefix of ours
            console.print(f"[dim]{CONTINUATION}{escape(one_line(more))}[/]")
    if findings:
        console.print()
    for r in report.results:
        if verbose or r.status is not Status.PASSED:
            counted = files_text(r.files)
            detail = f"{r.reason} ({counted})" if counted and verbose and counted not in r.reason else r.reason
            console.print(f"[{_STATUS_STYLE[r.status]}]{r.status:>7}[/]  {r.check_id}  "
                          f"[dim]{escape(one_line(detail))}[/]")
    if verbose and report.checklist:
        console.print()
        for e in report.checklist:
            console.print(f"[{_ITEM_STYLE[e.status]}]{e.status:>7}[/]  {escape(one_line(e.text))}  "
                          f"[dim]{escape(one_line(e.evidence))}[/]")
    counts = {s: sum(1 for r in report.results if r.status is s) for s in Status}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = "[bold red]FAILED[/]" if report.failed else "[bold green]PASSED[/]"
    console.print(f"{verdict}: {len(findings)} finding(s); checks: {summary}")
    return "".join(guard(line) + "\n" for line in buf.getvalue().splitlines())
