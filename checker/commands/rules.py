"""`ideogram-prod rules`: every check id with its one-line title."""

from __future__ import annotations

import argparse
import sys
from typing import Any

NAME = "rules"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser(NAME, parents=[common], help="list every check id with a one-line description").set_defaults(
        handler=run)


def run(_: argparse.Namespace) -> int:
    from checker.registry import CHECKS

    width = max(len(spec.id) for spec in CHECKS)
    for spec in CHECKS:
        sys.stdout.write(f"{spec.id:<{width}}  {spec.title}\n")
    return 0
