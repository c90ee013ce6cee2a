"""`ideogram-prod pre-commit`: what the pre-commit hooks run. The staged change against HEAD, or the whole tree on a
repository's first commit (there is no HEAD to diff against yet), and never the project's tests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError

NAME = "pre-commit"
# Runs the project's own code with its own timeout: a commit hook must stay quick and run nothing of the project.
NEVER = "tests-pass"
# Judge the repository as a whole (is there a runbook, are there alert rules), not what a commit adds. After the
# first commit they run when a commit touches a file they read; the first commit has no base to say that.
REPO_WIDE_RUNNERS = frozenset({"docs", "alerts"})


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(NAME, parents=[common], help="what the pre-commit hooks run: check the staged change (the "
                       "whole tree before the first commit), never tests-pass")
    p.add_argument("path", nargs="?", default=".", help="repository (default: .)")
    p.add_argument("--full", action="store_true", help="the whole tree, as CI checks it (the pre-push hook)")
    p.add_argument("--select", metavar="IDS", help=f"comma-separated check ids (default: all but {NEVER})")
    p.add_argument("--fail-on", choices=("error", "warning", "note"), default=None,
                   help="as for check (default: the config's fail_on, else error)")
    p.set_defaults(handler=run)


def has_head(root: Path) -> bool:
    """False before the first commit (an unborn branch) and outside git: nothing to diff against."""
    from checker.targets import git

    # NOTE: absolute: this git runs from a scratch directory, not from the caller's cwd.
    return git(root.resolve(), "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode == 0


def check_argv(path: str, ids: tuple[str, ...], full: bool, head: bool, fail_on: str | None) -> list[str]:
    """The `check` command line the hook stands for."""
    return ["check", path, "--select", ",".join(ids), *(["--diff-base", "HEAD"] if head and not full else []),
            *(["--fail-on", fail_on] if fail_on else [])]


def run(args: argparse.Namespace) -> int:
    from checker.cli import build_parser
    from checker.commands.output import say, selected_ids

    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: no such directory")
    ids = selected_ids(args.select, live=False)
    if args.select and NEVER in ids:
        raise UsageError(f"--select: {NEVER} runs the project's tests, which the pre-commit hook never does "
                         f"(run `ideogram-prod check --select {NEVER}` instead)")
    ids = tuple(i for i in ids if i != NEVER)
    head = has_head(root)
    if not head and not args.full:
        if not args.select:
            from checker.registry import BY_ID

            ids = tuple(i for i in ids if BY_ID[i].runner not in REPO_WIDE_RUNNERS)
        say("ideogram-prod: first commit (no HEAD yet): checking every file; the repository-wide docs and alerts "
            "checks start with the next commit (and run in CI)\n", err=True)
    check = build_parser().parse_args(check_argv(args.path, ids, args.full, head, args.fail_on))
    return int(check.handler(check))
