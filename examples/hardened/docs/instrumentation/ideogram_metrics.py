"""Prometheus metrics for every Ideogram API call, in the metric contract that ideogram-prod alerts on.

Contract: the counter `ideogram_requests_total{status}` (status = the HTTP status code as a string, or
"error" when no response arrived) and the histogram `ideogram_request_duration_seconds`. Written by
`ideogram-prod init`; requires `prometheus_client`.

Usage, around the one place that sends requests to Ideogram:

    with ideogram_call() as call:
        response = client.post(url, headers=headers, json=payload, timeout=120)
        call.status = response.status_code

Expose the metrics with prometheus_client (e.g. `start_http_server(9100)` or the ASGI/WSGI app).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import Counter, Histogram

# NOTE: prometheus_client appends `_total` to counters: this one is exposed as ideogram_requests_total.
IDEOGRAM_REQUESTS = Counter(
    "ideogram_requests", "Ideogram API requests by HTTP status code ('error' when no response arrived).",
    ["status"],
)
# NOTE: create the statuses the alerts and rollout gates watch at 0 now. A series born at 1 has no
# increase() over its first sample, so a new pod's first 401 would otherwise go unseen.
for _status in ("200", "401", "402", "403", "422", "429", "500", "502", "503", "error"):
    IDEOGRAM_REQUESTS.labels(status=_status)
# Buckets around the 5 s p99 alert so the quantile is precise where it matters.
IDEOGRAM_REQUEST_DURATION = Histogram(
    "ideogram_request_duration_seconds", "Duration of Ideogram API requests, in seconds.",
    buckets=(0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 30, 60, 120),
)


@dataclass
class IdeogramCall:
    """Set `status` to the response's status code; left as None it counts as 'error'."""

    status: int | str | None = None


def record_ideogram_call(status: int | str | None, seconds: float) -> None:
    IDEOGRAM_REQUESTS.labels(status="error" if status is None else str(status)).inc()
    IDEOGRAM_REQUEST_DURATION.observe(seconds)


@contextmanager
def ideogram_call() -> Iterator[IdeogramCall]:
    """Times the block and counts it once, also when it raises (timeouts, connection errors)."""
    call = IdeogramCall()
    start = time.perf_counter()
    try:
        yield call
    finally:
        record_ideogram_call(call.status, time.perf_counter() - start)
