"""Bounded retries for flaky dependencies: 429 honours Retry-After, 5xx and timeouts back off, others do not retry."""

from __future__ import annotations

import datetime
import email.utils
import random
from collections.abc import Callable

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt


class Transient(Exception):
    """A failure worth retrying; `retry_after` is the server's own hint in seconds, if it gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.datetime.now(datetime.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_wait(max_backoff_s: float) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = exc.retry_after if isinstance(exc, Transient) else None
        if hint is not None:
            return min(hint, max_backoff_s)
        # Exponential with full jitter, as AWS's architecture blog recommends for many clients.
        return min(max_backoff_s, random.uniform(0, 0.5 * 2 ** (state.attempt_number - 1)))

    return wait


def classify(resp: httpx.Response) -> httpx.Response:
    """Raises Transient for answers worth retrying (429 and 5xx); returns the rest for the caller to judge."""
    if resp.status_code == 429 or resp.status_code >= 500:
        raise Transient(f"HTTP {resp.status_code}", retry_after_seconds(resp.headers.get("Retry-After")))
    return resp


def send_with_retries(send: Callable[[], httpx.Response], max_retries: int, max_backoff_s: float) -> httpx.Response:
    """Transient failures retried `max_retries` times; the last Transient is raised when they run out."""

    def attempt() -> httpx.Response:
        try:
            return classify(send())
        except httpx.TimeoutException:
            raise Transient("timed out") from None
        except httpx.TransportError as exc:
            raise Transient(f"cannot connect ({type(exc).__name__})") from None

    retrying = Retrying(stop=stop_after_attempt(max_retries + 1), wait=backoff_wait(max_backoff_s),
                        retry=retry_if_exception_type(Transient), reraise=True)
    return retrying(attempt)
