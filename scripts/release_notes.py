#!/usr/bin/env python3
"""Print one version's section of CHANGELOG.md: the release workflow drafts the GitHub release notes from it.

Exit codes: 0 printed; 2 no such section (one line on stderr), so a release without notes never gets drafted.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path


def section(changelog: str, version: str) -> str | None:
    """The body under `## [version] - date`, up to the next `## [` heading or the link references."""
    heading = re.search(rf"^## \[{re.escape(version)}\][^\n]*\n", changelog, re.M)
    if heading is None:
        return None
    rest = changelog[heading.end():]
    end = re.search(r"^## \[|^\[[^\]]+\]: ", rest, re.M)
    body = rest[: end.start()] if end else rest
    return body.strip() or None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release_notes", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("version", help="X.Y.Z")
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"))
    args = parser.parse_args(argv)
    try:
        text = args.changelog.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"release_notes: error: {args.changelog}: {exc.strerror}", file=sys.stderr)
        return 2
    body = section(text, args.version)
    if body is None:
        print(f"release_notes: error: {args.changelog}: no non-empty '## [{args.version}]' section", file=sys.stderr)
        return 2
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
