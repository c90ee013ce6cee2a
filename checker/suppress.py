"""Inline suppression: `ideogram-prod: ignore[<check-id>, ...]` on the finding's line or the line above."""

from __future__ import annotations

import re
from pathlib import Path

_MARK = re.compile(r"ideogram-prod:\s*ignore\[([a-z0-9,\s\-]+)\]")


def suppressed_ids(line: str) -> frozenset[str]:
    ids: set[str] = set()
    for match in _MARK.finditer(line):
        ids.update(part.strip() for part in match.group(1).split(",") if part.strip())
    return frozenset(ids)


class Suppressions:
    """Reads each file at most once per scan."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def _lines(self, rel_path: str) -> list[str]:
        if rel_path not in self._cache:
            try:
                text = (self._root / rel_path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._cache[rel_path] = text.splitlines()
        return self._cache[rel_path]

    def covers(self, rel_path: str, line: int, check_id: str) -> bool:
        lines = self._lines(rel_path)
        return any(
            1 <= number <= len(lines) and check_id in suppressed_ids(lines[number - 1])
            for number in (line, line - 1)
        )
