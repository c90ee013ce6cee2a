"""`ideogram-prod preflight`: the live checks a deploy workflow runs before its first stage."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from checker.errors import UsageError

NAME = "preflight"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from checker.commands.output import add_report_flags

    p = sub.add_parser(NAME, parents=[common], help="live pre-flight checks: Ideogram, staging, Prometheus, cluster")
    p.add_argument("--config", type=Path, help="config file (default: ./.ideogram-prod.yaml)")
    p.add_argument("--spend", action="store_true", help="also generate one image (billed) to prove the whole path")
    p.add_argument("--ideogram-url", metavar="URL", help="Ideogram API base URL (default: config)")
    p.add_argument("--status-url", metavar="URL", help="Ideogram Statuspage JSON URL")
    p.add_argument("--staging-url", metavar="URL", help="staging health URL")
    p.add_argument("--prometheus-url", metavar="URL", help="Prometheus base URL")
    p.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig of the production cluster")
    p.add_argument("--context", help="kubeconfig context")
    p.add_argument("--namespace", "-n", help="namespace of the Deployment")
    p.add_argument("--deployment", help="the integration's Deployment")
    add_report_flags(p)
    p.set_defaults(handler=run)


def _with_overrides(config: Any, args: argparse.Namespace) -> Any:
    """Flags win over the file, so the action can pass its inputs without writing config."""
    for flag in ("ideogram_url", "status_url", "staging_url", "prometheus_url"):
        value = getattr(args, flag)
        if value is not None and not value.startswith(("http://", "https://")):
            raise UsageError(f"--{flag.replace('_', '-')}: not an http(s) URL")
    ideogram = config.ideogram.model_copy(update={k: v for k, v in {
        "base_url": args.ideogram_url, "status_url": args.status_url}.items() if v is not None})
    staging = config.staging.model_copy(update={"health_url": args.staging_url} if args.staging_url else {})
    prometheus = config.prometheus.model_copy(update={"url": args.prometheus_url} if args.prometheus_url else {})
    production = config.cluster.production.model_copy(update={k: v for k, v in {
        "kubeconfig": args.kubeconfig, "context": args.context, "namespace": args.namespace,
        "deployment": args.deployment}.items() if v is not None})
    cluster = config.cluster.model_copy(update={"production": production})
    return config.model_copy(update={"ideogram": ideogram, "staging": staging, "prometheus": prometheus,
                                     "cluster": cluster})


def run(args: argparse.Namespace) -> int:
    from checker import __version__
    from checker.checklist import checklist
    from checker.checks.live import LiveContext, run_live
    from checker.commands.output import emit, fail_on, selected_ids
    from checker.config import load_config
    from checker.findings import Report
    from checker.registry import BY_ID

    ids = selected_ids(args.select, live=True)
    config = _with_overrides(load_config(args.config, Path.cwd()), args)
    results = run_live(LiveContext(config, spend=args.spend), ids)
    report = Report(__version__, results, checklist(results, config.attestation_map(), frozenset(BY_ID)),
                    fail_on=fail_on(args, config.fail_on), strict=args.strict)
    return emit(report, args, "ideogram-prod preflight")
