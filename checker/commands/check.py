"""`ideogram-prod check`: the static pull-request gate over a checked-out repository."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError, UsageError
from checker.redact import REDACTOR

if TYPE_CHECKING:
    pass

NAME = "check"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from checker.commands.output import add_report_flags

    check = sub.add_parser(NAME, parents=[common], help="static PR gate: secrets, the Ideogram rule pack, reports")
    check.add_argument("path", nargs="?", default=".", help="repository to scan (default: .)")
    check.add_argument("--config", type=Path, help="config file (default: PATH/.ideogram-prod.yaml)")
    check.add_argument("--diff-base", metavar="REF", help="report only findings on lines changed since REF; the "
                       "config and secrets baseline are read from REF, and changes to them are reported")
    check.add_argument("--config-from-head", action="store_true",
                       help="with --diff-base: use the checked-out config and baseline instead of REF's (the pull "
                       "request can then turn the gate off; for trusted branches only)")
    check.add_argument("--jobs", type=int, help="parallelism for each scanner (default: the tools' own)")
    add_report_flags(check)

    check.set_defaults(handler=run)


def header(root: Path, files: int, ids: tuple[str, ...], args: argparse.Namespace, config_ref: str | None) -> str:
    """What this run reads and judges by, on stderr before the scan: files, checks, the config used."""
    from checker.config import config_origin
    from checker.reporters.text import one_line

    scope = "" if args.diff_base is None else f" (lines changed since {one_line(args.diff_base)})"
    origin = one_line(config_origin(args.config, root, config_ref))
    return f"ideogram-prod check: {files} file(s){scope}, {len(ids)} check(s); config: {origin}"


def run(args: argparse.Namespace) -> int:
    from checker import __version__
    from checker.checklist import checklist
    from checker.commands.output import PROG, emit, fail_on, progress, say, selected_ids
    from checker.config import IdeogramConfig, load_base_config, load_config, misnamed_configs, repo_relative
    from checker.findings import Report
    from checker.registry import BY_ID
    from checker.scan import ScanRequest, listed, run_scan

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
    # NOTE: before anything can fail: an error may quote input (a ref, a path) that holds the key. The default
    # name first (the config is not read yet), then the configured one; both stay registered.
    REDACTOR.register_env(IdeogramConfig().api_key_env)
    config = load_config(args.config, root) if config_ref is None else load_base_config(args.config, root, config_ref)
    REDACTOR.register_env(config.ideogram.api_key_env)
    threshold = fail_on(args, config.fail_on)
    for warning in misnamed_configs(root) if args.config is None else ():
        say(f"{PROG}: warning: {warning}\n", err=True)
    config_file = None if args.config is None else repo_relative(args.config, root)
    listing = listed(root, config.exclude)  # once: the header counts what the scan then reads
    say(header(root, len(listing[0]), ids, args, config_ref) + f"; fail-on {threshold}\n", err=True)
    with progress(f"checking {len(ids)} check(s)..."):
        results = run_scan(ScanRequest(root, config, tuple(BY_ID[i] for i in ids), args.diff_base, args.jobs,
                                       config_ref=config_ref, config_file=config_file, listing=listing))
    from checker.suppress import exclusions
    from checker.targets import repo_prefix

    report = Report(__version__, results, checklist(results, config.attestation_map(), frozenset(BY_ID)),
                    meta={"path_prefix": repo_prefix(root)}, exclusions=exclusions(root, config, ids),
                    fail_on=threshold, strict=args.strict)

    return emit(report, args, "ideogram-prod check")
