"""One error tree with exit codes, so the CLI has a single boundary that never shows a traceback."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class CheckerError(Exception):
    """An error the user can fix; the message is one line and must already be redacted."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(CheckerError):
    """Bad flags or arguments."""


class ConfigError(CheckerError):
    """A configuration file that cannot be read or does not validate."""


class InputError(CheckerError):
    """A path, git ref or input file that does not exist or cannot be used."""


class ToolError(Exception):
    """An external tool crashed or produced output we cannot parse; checks turn it into an `error` result."""
