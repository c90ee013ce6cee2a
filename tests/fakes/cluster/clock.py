"""Simulated time, so a rollout stage that takes minutes in production takes milliseconds in a test."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SimClock:
    """Seconds since the epoch, starting at the real time of creation and moving only when told."""

    def __init__(self, start: float | None = None) -> None:
        self._now = float(int(time.time() if start is None else start))
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += seconds
            return self._now


def rfc3339(t: float) -> str:
    return datetime.fromtimestamp(int(t), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str | None) -> float:
    if not text:
        return 0.0
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()
