"""The human report on the terminal, rendered with rich into a string."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape

from checker.findings import ItemStatus, Report, Severity, Status

_SEV_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_STATUS_STYLE = {Status.PASSED: "green", Status.FAILED: "red", Status.ERROR: "bold red",
                 Status.SKIPPED: "dim", Status.MANUAL: "blue"}
_ITEM_STYLE = {ItemStatus.PASS: "green", ItemStatus.FAIL: "red", ItemStatus.MANUAL: "blue",
               ItemStatus.SKIPPED: "dim"}


def render(report: Report, color: bool = False, width: int = 100, verbose: bool = False) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False,
                      soft_wrap=True)
    findings = report.findings
    for f in findings:
        loc = f.location
        where = "" if loc is None else (f"{loc.path}:{loc.line}" if loc.line else loc.path)
        console.print(f"[bold]{escape(where)}[/]  [{_SEV_STYLE[f.severity]}]{f.severity}[/]  "
                      f"[magenta]{f.check_id}[/]  {escape(f.message)}")
    if findings:
        console.print()
    for r in report.results:
        if verbose or r.status is not Status.PASSED:
            console.print(f"[{_STATUS_STYLE[r.status]}]{r.status:>7}[/]  {r.check_id}  [dim]{escape(r.reason)}[/]")
    if verbose and report.checklist:
        console.print()
        for e in report.checklist:
            console.print(f"[{_ITEM_STYLE[e.status]}]{e.status:>7}[/]  {escape(e.text)}  [dim]{escape(e.evidence)}[/]")
    counts = {s: sum(1 for r in report.results if r.status is s) for s in Status}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = "[bold red]FAILED[/]" if report.failed else "[bold green]PASSED[/]"
    console.print(f"{verdict}: {len(findings)} finding(s); checks: {summary}")
    return buf.getvalue()
