"""Keep secret values out of every output: registered values become ***, findings carry only hashes."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable

MASK = "***"
_MIN_SECRET_LEN = 4
# Pieces of a file name that could be a key: the detector's value alphabet, long enough to be one.
_PATH_TOKEN = re.compile(r"[A-Za-z0-9_\-+=~]{20,200}")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9_\-+=~.]{20,200}")


class Redactor:
    """Replaces every registered secret (and any prefix of 8+ characters of it) in text."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._whole_only: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str | None, prefixes: bool = True) -> None:
        """`prefixes=False` masks the whole value only (a key-shaped file name, not a known secret)."""
        if value and len(value) >= _MIN_SECRET_LEN:
            with self._lock:
                (self._values if prefixes else self._whole_only).add(value)

    def register_paths(self, paths: Iterable[str]) -> None:
        """A pull request may name a file (or folder) after a key: every key-shaped part of a path is masked
        wherever it appears (reports, annotations, logs), judged by the detector's own looks_like_key."""
        from checker.detectors.ideogram_key import looks_like_key

        segments = {segment for path in paths for segment in path.split("/")}
        for segment in segments:
            if len(segment) < 20:
                continue
            candidates = {m.group(0) for m in _PATH_TOKEN.finditer(segment)}
            candidates |= {m.group(0) for m in _PATH_SEGMENT.finditer(segment)}
            for token in candidates:
                if looks_like_key(token):
                    self.register(token, prefixes=False)

    def __call__(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values | self._whole_only, key=len, reverse=True)
            prefixed = [v for v in values if v in self._values]
        for value in values:
            text = text.replace(value, MASK)
        # NOTE: a logged prefix such as key[:8] still identifies a key; mask those too, but only after
        # every whole value, or one key's prefix would break the match of another key that shares it.
        for value in prefixed:
            if len(value) >= 16:
                text = text.replace(value[:8], MASK)
        return text


REDACTOR = Redactor()


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message before any handler writes it."""

    def __init__(self, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redactor(record.getMessage())
        record.args = None
        if record.exc_text:
            record.exc_text = self._redactor(record.exc_text)
        return True


def fingerprint(*parts: str) -> str:
    """A stable, non-reversible identity for a finding: no line numbers, no secret values."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return digest[:32]


def secret_fingerprint(value: str) -> str:
    """Lets two secrets be compared (staging vs production) without either value leaving memory."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
