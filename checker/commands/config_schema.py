"""`ideogram-prod config-schema`: the JSON Schema of .ideogram-prod.yaml (editors validate with it)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

NAME = "config-schema"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser(NAME, parents=[common], help="print the JSON Schema of .ideogram-prod.yaml").set_defaults(
        handler=run)


def run(_: argparse.Namespace) -> int:
    from checker.config import config_schema

    sys.stdout.write(json.dumps(config_schema(), indent=2, sort_keys=True) + "\n")
    return 0
