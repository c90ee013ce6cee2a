"""`ideogram-prod init`: write the config, runbook, alert rules and metrics snippets a team needs to get green."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from checker.commands.output import say, write_file
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
    from checker.alerts import render
    from checker.config import load_config
    from checker.contract import alert_specs

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


# GitHub reads the first of these it finds.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def codeowners_advice(root: Path, baseline: str) -> str:
    """Lines to give the gate's own files a code owner; printed, never written over a team's CODEOWNERS."""
    lines = template("CODEOWNERS.tmpl").replace("{baseline}", baseline).splitlines()
    existing = next((root / p for p in CODEOWNERS_PATHS if (root / p).is_file()), None)
    if existing is None:
        return ("No CODEOWNERS yet. Suggested .github/CODEOWNERS (the PR gate's own settings need a reviewer):\n"
                + "".join(f"  {line}\n" for line in lines))
    try:
        have = existing.read_text(encoding="utf-8", errors="replace")
    except OSError:
        have = ""
    rules = [line for line in lines if line and not line.startswith("#")]
    missing = [line for line in rules if line.split()[0] not in have]
    where = existing.relative_to(root).as_posix()
    if not missing:
        return f"{where} names an owner for each of the gate's own settings files.\n"
    return (f"{where} exists (left as it is); add owners for the gate's own settings:\n"
            + "".join(f"  {line}\n" for line in missing))


def run(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: no such directory")
    from checker.config import load_config

    # An existing config that does not validate stops us before anything is written.
    baseline = load_config(None, root).secrets.baseline
    skipped: list[str] = []
    for rel, produce in FILES:
        target = root / rel
        existed = target.exists()
        if existed and not args.force:
            skipped.append(rel)
            say(f"skipped   {rel} (exists; --force overwrites)\n")
            continue
        text = produce(root)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{target.parent}: cannot create: {exc.strerror}") from None
        write_file(target, text)
        say(f"{'overwrote' if existed else 'wrote':<9} {rel}\n")
    say(
        f"{len(FILES) - len(skipped)} file(s) written, {len(skipped)} skipped. Next: wire "
        "docs/instrumentation/ideogram_metrics.* into your Ideogram client, adapt docs/RUNBOOK.md, load "
        "monitoring/ideogram-alerts.rules.yml into Prometheus, then run `ideogram-prod check`.\n"
    )
    say(codeowners_advice(root, baseline))
    return 0
