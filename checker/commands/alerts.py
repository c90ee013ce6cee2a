"""`ideogram-prod alerts`: print or write the Prometheus rules for the seed's four Ideogram alerts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from checker.errors import UsageError

NAME = "alerts"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(NAME, parents=[common],
                       help="write Prometheus alert rules for the Ideogram production checklist's four alerts")
    p.add_argument("--format", choices=("rules", "prometheusrule"), default="rules",
                   help="plain rule groups (default) or a prometheus-operator PrometheusRule resource")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--config", type=Path, metavar="FILE", help="config file (default: ./.ideogram-prod.yaml)")
    p.add_argument("--namespace", metavar="NS", help="metadata.namespace of the PrometheusRule")
    p.add_argument("--name", default=None, metavar="NAME", help="metadata.name of the PrometheusRule "
                   "(default: ideogram-alerts)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from checker.alerts import render
    from checker.commands.output import say, write_file
    from checker.config import load_config
    from checker.contract import alert_specs

    if args.format != "prometheusrule" and (args.namespace or args.name):
        raise UsageError("--namespace and --name apply only to --format prometheusrule")
    config = load_config(args.config, Path.cwd()).alerts
    text = render(alert_specs(config.queries), config.runbook_url, args.format,
                  name=args.name or "ideogram-alerts", namespace=args.namespace)
    if args.output is None:
        say(text)
        return 0
    write_file(args.output, text)
    say(f"wrote {args.output} ({args.format}, 4 alerts)\n", err=True)
    return 0
