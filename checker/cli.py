"""The command line: parse, dispatch to checker/commands/<name>.py, turn every failure into one line and its exit
code. Commands write only through checker/commands/output.py."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from checker import __version__
from checker.commands.output import PROG, print_error
from checker.errors import CheckerError, ExitCode, UsageError
from checker.redact import REDACTOR, RedactingFilter

if TYPE_CHECKING:
    pass

# Subcommands that live in their own modules: each has register(subparsers, common_parent).
COMMAND_MODULES: tuple[str, ...] = tuple(f"checker.commands.{name}" for name in (
    "check", "rules", "config_schema", "alerts", "init", "precommit", "preflight", "github_setup", "rollout"))
log = logging.getLogger("checker")


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line, exit 2) instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def guarded(run: Callable[[], int], debug: bool) -> int:
    """The one error boundary: our errors are one line and their exit code; ^C is 130; a bug is 3."""
    try:
        return run()
    except CheckerError as exc:
        print_error("error", str(exc))
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.FAILED)
    except Exception as exc:  # noqa: BLE001 - the boundary that turns bugs into exit 3
        if debug:
            sys.stderr.write(REDACTOR("".join(traceback.format_exception(exc))))
        print_error("internal error", f"{type(exc).__name__}: {exc} (rerun with --debug for the traceback)")
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

    for name in COMMAND_MODULES:
        # Each module adds its subparser and sets `handler`; they import their heavy parts lazily.
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)

    def run() -> int:
        args = build_parser().parse_args(args_list)
        setup_logging(args.verbose)
        return int(args.handler(args))

    return guarded(run, debug="--debug" in args_list)


def entrypoint() -> None:
    raise SystemExit(main())
