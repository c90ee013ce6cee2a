"""The one place commands write: files (redacted, one-line errors), the job summary, the `::error` line, and the
report in every requested format. Only the CLI layer (cli.py and checker/commands/) writes to streams and files."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from checker.errors import ExitCode, InputError, UsageError
from checker.redact import REDACTOR

if TYPE_CHECKING:
    from checker.findings import Report, Severity

PROG = "ideogram-prod"
FORMATS = ("concise", "full")  # checker/reporters/text.py FORMATS, without importing rich to build the parser


def write_file(path: Path, text: str, append: bool = False) -> None:
    """Redacted, and a write that fails is one line and exit 2 (the path is the user's input)."""
    try:
        with path.open("a" if append else "w", encoding="utf-8") as fh:
            fh.write(REDACTOR(text))
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None


def say(text: str, err: bool = False) -> None:
    """A line of progress or result for the person at the terminal (stderr for notes beside data on stdout)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(REDACTOR(text))
    stream.flush()


def error_command(title: str, message: str) -> None:
    """The workflow command that makes a failure visible in the Actions UI; only inside Actions."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    from checker.reporters.github import escape_data

    # NOTE: stdout, where the runner reads workflow commands; the log keeps the plain line on stderr.
    sys.stdout.write(f"::error title={escape_data(title)}::{escape_data(REDACTOR(message))}\n")


def print_error(prefix: str, message: str) -> None:
    # NOTE: one line, and not the runner's old `##[command]` form either: the message may quote a file name.
    line = " ".join(REDACTOR(message).split()).replace("##[", "## [")
    sys.stderr.write(f"{PROG}: {prefix}: {line}\n")
    error_command(PROG, line)


def write_summary(path: Path, markdown: str) -> None:
    """Appended when it is $GITHUB_STEP_SUMMARY (other steps write there too), replaced otherwise."""
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    append = step_summary is not None and Path(step_summary).resolve() == path.resolve()
    write_file(path, markdown, append=append)


def add_report_flags(parser: argparse.ArgumentParser) -> None:
    """The output flags every report-producing command shares."""
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write SARIF 2.1.0 for code scanning")
    parser.add_argument("--summary", type=Path, metavar="FILE", help="write the Markdown job summary")
    parser.add_argument("--github", action="store_true", help="print GitHub annotations (auto in Actions)")
    parser.add_argument("--select", metavar="IDS", help="comma-separated check ids to run (default: all)")
    parser.add_argument("--strict", action="store_true", help="count skipped checks as failures")
    parser.add_argument("--fail-on", choices=("error", "warning", "note"), default=None, metavar="SEVERITY",
                        help="fail on findings of this severity or higher (default: the config's fail_on, else "
                        "error); a check that errored always fails; JSON and SARIF keep every finding")
    parser.add_argument("--format", choices=FORMATS, default="concise", dest="text_format", metavar="FORMAT",
                        help="text report: one line per finding with a docs link, repeats counted (concise), or "
                        "every finding and check in full")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def fail_on(args: argparse.Namespace, configured: Severity) -> Severity:
    """--fail-on wins over the config's fail_on (under --diff-base, the base ref's config)."""
    from checker.findings import Severity

    return configured if args.fail_on is None else Severity(args.fail_on)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb" and os.environ.get("GITHUB_ACTIONS") != "true"


@contextlib.contextmanager
def progress(text: str) -> Iterator[None]:
    """A spinner on stderr while `text` runs, only on a terminal (a log gets nothing from it)."""
    if not stderr_is_terminal():
        yield
        return
    from rich.console import Console
    from rich.markup import escape

    with Console(stderr=True).status(escape(REDACTOR(text))):
        yield


def selected_ids(raw: str | None, live: bool) -> tuple[str, ...]:
    """The ids --select names (all of this command's kind by default); an id of the other kind is an error."""
    from checker.config import did_you_mean
    from checker.registry import BY_ID, CHECKS, Engine

    def mine(check_id: str) -> bool:
        return (BY_ID[check_id].engine is Engine.LIVE) == live

    if not raw:
        return tuple(spec.id for spec in CHECKS if mine(spec.id))
    ids = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    for check_id in ids:
        if check_id not in BY_ID:
            raise UsageError(f"--select: unknown check id {check_id!r}{did_you_mean(check_id, BY_ID)} "
                             f"(see `{PROG} rules`)")
        if not mine(check_id):
            other = "preflight" if not live else "check"
            raise UsageError(f"--select: {check_id} is run by `{PROG} {other}`")
    return ids


def emit(report: Report, args: argparse.Namespace, title: str) -> int:
    """Write every requested format from one report; the exit code never depends on the format."""
    from checker.reporters import github, json_v1, sarif, text

    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    commands = args.github or os.environ.get("GITHUB_ACTIONS") == "true"
    rendered = REDACTOR(text.render(report, color=color, verbose=args.verbose > 0, fmt=args.text_format))
    if commands:
        # Belt and braces over the escaping in text.render: the runner ignores every workflow command between
        # these two lines, and the pull request cannot know the token that ends the pause.
        # https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands#stopping-and-starting-workflow-commands
        token = secrets.token_hex(16)
        rendered = f"::stop-commands::{token}\n{rendered}::{token}::\n"
    sys.stdout.write(rendered)
    if commands:
        sys.stdout.write(REDACTOR(github.render_annotations(report)))
    if args.json:
        write_file(args.json, json_v1.render(report))
    if args.sarif:
        write_file(args.sarif, sarif.render(report))
    if args.summary:
        write_summary(args.summary, github.render_summary(report, title=title))
    # NOTE: report.failed is the one verdict (fail_on, --strict): the text, the summary and the exit code agree.
    return int(ExitCode.FAILED if report.failed else ExitCode.OK)
