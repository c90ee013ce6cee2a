"""The command line: parse, run, render, exit. The only module that writes to streams and files."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import secrets
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checker import __version__
from checker.errors import CheckerError, ExitCode, InputError, UsageError
from checker.redact import REDACTOR, RedactingFilter

if TYPE_CHECKING:
    from checker.findings import Report

PROG = "ideogram-prod"
# Subcommands that live in their own modules: each has register(subparsers, common_parent).
COMMAND_MODULES: tuple[str, ...] = (
    "checker.alerts_cmd", "checker.init_cmd", "checker.preflight_cmd", "checker.github_setup", "checker.rollout_cmd",
)
log = logging.getLogger("checker")


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit 2) instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _print_error(prefix: str, message: str) -> None:
    # NOTE: one line, and not the runner's old `##[command]` form either: the message may quote a file name.
    line = " ".join(REDACTOR(message).split()).replace("##[", "## [")
    sys.stderr.write(f"{PROG}: {prefix}: {line}\n")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # NOTE: stdout, where the runner reads workflow commands; the log keeps the plain line above.
        from checker.reporters.github import escape_data

        sys.stdout.write(f"::error title={PROG}::{escape_data(line)}\n")


def guarded(run: Callable[[], int], debug: bool) -> int:
    """The one error boundary: our errors are one line and their exit code; ^C is 130; a bug is 3."""
    try:
        return run()
    except CheckerError as exc:
        _print_error("error", str(exc))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.FAILED)
    except Exception as exc:  # noqa: BLE001 - the boundary that turns bugs into exit 3
        if debug:
            sys.stderr.write(REDACTOR("".join(traceback.format_exception(exc))))
        _print_error("internal error", f"{type(exc).__name__}: {exc} (rerun with --debug for the traceback)")
        return int(ExitCode.INTERNAL)


class SafeFormatter(logging.Formatter):
    """The runner reads workflow commands from stderr too: a logged value (a file name) stays on its line, and
    no line of a traceback can start like a command."""

    def format(self, record: logging.LogRecord) -> str:
        from checker.reporters.text import guard, one_line

        record.msg, record.args = one_line(record.getMessage()), None
        return "\n".join(guard(line) for line in super().format(record).splitlines())


def setup_logging(verbosity: int) -> None:
    level_name = os.environ.get("IDEOGRAM_PROD_LOG_LEVEL", "")
    level = getattr(logging, level_name.upper(), None) if level_name else None
    if not isinstance(level, int):
        level = logging.WARNING - 10 * min(verbosity, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Make shipping an Ideogram integration to production safe.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv: debug)")
    # NOTE: the same flags after the subcommand; SUPPRESS keeps a value given before it.
    common = Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    check = sub.add_parser("check", parents=[common], help="static PR gate: secrets, the Ideogram rule pack, reports")
    check.add_argument("path", nargs="?", default=".", help="repository to scan (default: .)")
    check.add_argument("--config", type=Path, help="config file (default: PATH/.ideogram-prod.yaml)")
    check.add_argument("--diff-base", metavar="REF", help="report only findings on lines changed since REF; the "
                       "config and secrets baseline are read from REF, and changes to them are reported")
    check.add_argument("--config-from-head", action="store_true",
                       help="with --diff-base: use the checked-out config and baseline instead of REF's (the pull "
                       "request can then turn the gate off; for trusted branches only)")
    check.add_argument("--jobs", type=int, help="parallelism for each scanner (default: the tools' own)")
    add_report_flags(check)

    sub.add_parser("rules", parents=[common], help="list every check id with a one-line description")
    sub.add_parser("config-schema", parents=[common], help="print the JSON Schema of .ideogram-prod.yaml")
    for name in COMMAND_MODULES:
        # Each module adds its subparser and sets `handler`; they import their heavy parts lazily.
        importlib.import_module(name).register(sub, common)
    return parser


def _write(path: Path, text: str, append: bool = False) -> None:
    try:
        with path.open("a" if append else "w", encoding="utf-8") as fh:
            fh.write(REDACTOR(text))
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None


def selected_ids(raw: str | None, live: bool) -> tuple[str, ...]:
    """The ids --select names (all of this command's kind by default); an id of the other kind is an error."""
    from checker.registry import BY_ID, CHECKS, Engine

    def mine(check_id: str) -> bool:
        return (BY_ID[check_id].engine is Engine.LIVE) == live

    if not raw:
        return tuple(spec.id for spec in CHECKS if mine(spec.id))
    ids = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    for check_id in ids:
        if check_id not in BY_ID:
            raise UsageError(f"--select: unknown check id {check_id!r} (see `{PROG} rules`)")
        if not mine(check_id):
            other = "preflight" if not live else "check"
            raise UsageError(f"--select: {check_id} is run by `{PROG} {other}`")
    return ids


def cmd_check(args: argparse.Namespace) -> int:
    from checker.checklist import checklist
    from checker.config import load_base_config, load_config, repo_relative
    from checker.findings import Report
    from checker.registry import BY_ID
    from checker.scan import ScanRequest, run_scan

    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: no such directory")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs: must be at least 1")
    root = root.resolve()
    ids = selected_ids(args.select, live=False)
    if args.config_from_head and args.diff_base is None:
        raise UsageError("--config-from-head: only means something with --diff-base")
    # A pull request must not configure its own gate: under --diff-base the base ref's config is enforced.
    config_ref = args.diff_base if args.diff_base is not None and not args.config_from_head else None
    # NOTE: before anything can fail: an error may quote input (a ref, a path) that holds the key.
    REDACTOR.register(os.environ.get("IDEOGRAM_API_KEY"))
    config = load_config(args.config, root) if config_ref is None else load_base_config(args.config, root, config_ref)
    config_file = None if args.config is None else repo_relative(args.config, root)
    results = run_scan(ScanRequest(root, config, tuple(BY_ID[i] for i in ids), args.diff_base, args.jobs,
                                   config_ref=config_ref, config_file=config_file))
    from checker.suppress import exclusions
    from checker.targets import repo_prefix

    report = Report(__version__, results, checklist(results, config.attestation_map(), frozenset(BY_ID)),
                    meta={"path_prefix": repo_prefix(root)}, exclusions=exclusions(root, config, ids))

    return emit(report, args, "ideogram-prod check")


def write_summary(path: Path, markdown: str) -> None:
    """Appended when it is $GITHUB_STEP_SUMMARY (other steps write there too), replaced otherwise."""
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    append = step_summary is not None and Path(step_summary).resolve() == path.resolve()
    _write(path, markdown, append=append)


def add_report_flags(parser: argparse.ArgumentParser) -> None:
    """The output flags every report-producing command shares."""
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write SARIF 2.1.0 for code scanning")
    parser.add_argument("--summary", type=Path, metavar="FILE", help="write the Markdown job summary")
    parser.add_argument("--github", action="store_true", help="print GitHub annotations (auto in Actions)")
    parser.add_argument("--select", metavar="IDS", help="comma-separated check ids to run (default: all)")
    parser.add_argument("--strict", action="store_true", help="count skipped checks as failures")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def emit(report: Report, args: argparse.Namespace, title: str) -> int:
    """Write every requested format from one report; the exit code never depends on the format."""
    from checker.findings import Status
    from checker.reporters import github, json_v1, sarif, text

    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    commands = args.github or os.environ.get("GITHUB_ACTIONS") == "true"
    rendered = REDACTOR(text.render(report, color=color, verbose=args.verbose > 0))
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
        _write(args.json, json_v1.render(report))
    if args.sarif:
        _write(args.sarif, sarif.render(report))
    if args.summary:
        write_summary(args.summary, github.render_summary(report, title=title))
    failed = report.failed or (args.strict and any(r.status is Status.SKIPPED for r in report.results))
    return int(ExitCode.FAILED if failed else ExitCode.OK)


def cmd_rules(_: argparse.Namespace) -> int:
    from checker.registry import CHECKS

    width = max(len(spec.id) for spec in CHECKS)
    for spec in CHECKS:
        sys.stdout.write(f"{spec.id:<{width}}  {spec.title}\n")
    return 0


def cmd_config_schema(_: argparse.Namespace) -> int:
    from checker.config import config_schema

    sys.stdout.write(json.dumps(config_schema(), indent=2, sort_keys=True) + "\n")
    return 0


COMMANDS = {"check": cmd_check, "rules": cmd_rules, "config-schema": cmd_config_schema}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)

    def run() -> int:
        args = build_parser().parse_args(args_list)
        setup_logging(args.verbose)
        handler = getattr(args, "handler", None) or COMMANDS[args.command]
        return int(handler(args))

    return guarded(run, debug="--debug" in args_list)


def entrypoint() -> None:
    raise SystemExit(main())
