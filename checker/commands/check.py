"""`ideogram-prod check`: the static pull-request gate over a checked-out repository."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError
from checker.redact import REDACTOR

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


def run(args: argparse.Namespace) -> int:
    from checker import __version__
    from checker.checklist import checklist
    from checker.commands.output import emit, selected_ids
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
