"""Keep secret values out of every output: registered values become ***, findings carry only hashes."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping

MASK = "***"
_MIN_SECRET_LEN = 4
# A run of a file name that could be a key: 20+ characters of a key's alphabet, without the `_ - .` that join
# the words of ordinary names.
_KEY_RUN = re.compile(r"[A-Za-z0-9+=~]{20,200}")
# Names made of words (UserProfileSettingsV2, Migration20240101Init) keep most letters in lowercase runs of 3+;
# a random key keeps few there (base62 ~15 %, hex none: runs of a-f only are not words).
_WORD_RUN = re.compile(r"[a-z]{3,}")
_MIN_WORDY = 0.5
_HEX_LETTERS = re.compile(r"[a-f]+")


def _wordy(run: str) -> bool:
    # NOTE: a run of hex letters only (a-f) is not a word: hex digests and keys are made of them.
    words = [m for m in _WORD_RUN.findall(run) if not _HEX_LETTERS.fullmatch(m)]
    return sum(map(len, words)) >= _MIN_WORDY * len(run)


class Redactor:
    """Replaces every registered secret (and any prefix of 8+ characters of it) in text."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._whole_only: set[str] = set()
        self._whole_re: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def register(self, value: str | None, prefixes: bool = True) -> None:
        """`prefixes=False` masks the whole value only (a key-shaped file name, not a known secret)."""
        if value and len(value) >= _MIN_SECRET_LEN:
            with self._lock:
                (self._values if prefixes else self._whole_only).add(value)
                self._whole_re = None

    def register_env(self, name: str, environ: Mapping[str, str] | None = None) -> None:
        """The value of the environment variable `name`: the configured key env (ideogram.api_key_env)."""
        self.register((os.environ if environ is None else environ).get(name))

    def register_paths(self, paths: Iterable[str]) -> None:
        """A pull request may name a file (or folder) after a key: every key-shaped part of a path is masked
        wherever it appears (reports, annotations, logs), judged by the detector's own looks_like_key."""
        from checker.detectors.ideogram_key import looks_like_key

        segments = {segment for path in paths for segment in path.split("/") if len(segment) >= 20}
        for segment in segments:
            for run in _KEY_RUN.findall(segment):
                if not _wordy(run) and looks_like_key(run):
                    self.register(run, prefixes=False)

    def __call__(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
            if self._whole_re is None and self._whole_only:
                # NOTE: one alternation, longest first: a repository may name many files after hashes.
                ordered = sorted(self._whole_only - self._values, key=len, reverse=True)
                self._whole_re = re.compile("|".join(map(re.escape, ordered))) if ordered else None
            whole = self._whole_re
        for value in values:
            text = text.replace(value, MASK)
        if whole is not None:
            text = whole.sub(MASK, text)
        # NOTE: a logged prefix such as key[:8] still identifies a key; mask those too, but only after
        # every whole value, or one key's prefix would break the match of another key that shares it.
        for value in values:
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
