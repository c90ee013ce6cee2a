"""`ideogram-prod init`: write the config, runbook, alert rules and metrics snippets a team needs to get green."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from checker.errors import InputError

NAME = "init"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(NAME, parents=[common], help="write a starter config, runbook, alert rules and metrics "
                       "snippets (never overwrites without --force)")
    p.add_argument("path", nargs="?", default=".", help="repository to initialise (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.set_defaults(handler=run)


def template(name: str) -> str:
    return (resources.files("checker") / "templates" / name).read_text(encoding="utf-8")


def _alert_rules(root: Path) -> str:
    from checker.alerts import alert_specs, render
    from checker.config import load_config

    # An existing config's query overrides and runbook link shape the rules; else the defaults.
    alerts = load_config(None, root).alerts
    return render(alert_specs(alerts.queries), alerts.runbook_url)


# (relative path, producer): the order is the order of the report.
FILES: tuple[tuple[str, Callable[[Path], str]], ...] = (
    (".ideogram-prod.yaml", lambda _: template("ideogram-prod.yaml.tmpl")),
    ("docs/RUNBOOK.md", lambda _: template("RUNBOOK.md.tmpl")),
    ("monitoring/ideogram-alerts.rules.yml", _alert_rules),
    ("docs/instrumentation/ideogram_metrics.py", lambda _: template("ideogram_metrics.py.tmpl")),
    ("docs/instrumentation/ideogram_metrics.ts", lambda _: template("ideogram_metrics.ts.tmpl")),
)


def run(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: no such directory")
    from checker.config import load_config

    load_config(None, root)  # an existing config that does not validate stops us before anything is written
    skipped: list[str] = []
    for rel, produce in FILES:
        target = root / rel
        existed = target.exists()
        if existed and not args.force:
            skipped.append(rel)
            sys.stdout.write(f"skipped   {rel} (exists; --force overwrites)\n")
            continue
        text = produce(root)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{target}: cannot write: {exc.strerror}") from None
        sys.stdout.write(f"{'overwrote' if existed else 'wrote':<9} {rel}\n")
    sys.stdout.write(
        f"{len(FILES) - len(skipped)} file(s) written, {len(skipped)} skipped. Next: wire "
        "docs/instrumentation/ideogram_metrics.* into your Ideogram client, adapt docs/RUNBOOK.md, load "
        "monitoring/ideogram-alerts.rules.yml into Prometheus, then run `ideogram-prod check`.\n"
    )
    return 0
