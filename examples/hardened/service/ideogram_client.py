"""Generates images with Ideogram: explicit timeouts, backoff, a circuit breaker, typed errors."""

from __future__ import annotations

import hashlib
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

IDEOGRAM_URL = "https://api.ideogram.ai/v1/ideogram-v3/generate"
# Image generation takes seconds to tens of seconds: httpx's 5 s default is too short.
TIMEOUT = httpx.Timeout(120.0, connect=10.0)
MAX_ATTEMPTS = 4


class IdeogramError(Exception):
    """Base class: every failure is one of the kinds below, never a bare exception."""


class AuthError(IdeogramError):
    """401/403: the key is wrong or lacks access; page the on-call, do not retry."""


class OutOfFunds(IdeogramError):
    """402: the account has no credit or hit its daily limit; retrying will not help."""


class SafetyRejected(IdeogramError):
    """422: the prompt failed Ideogram's safety check; tell the user to change it."""


class RateLimited(IdeogramError):
    """429: too many images in flight; retried with backoff, honouring Retry-After."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


class Unavailable(IdeogramError):
    """5xx or a timeout: transient; retried with backoff."""


class UnsafeImage(IdeogramError):
    """200 with is_image_safe=false: billed, but there is nothing to show."""


class CircuitOpen(IdeogramError):
    """The breaker is open: Ideogram failed repeatedly, fail fast and degrade."""


class CircuitBreaker:
    """Opens after `threshold` consecutive failures and lets one trial call through after `reset_s`."""

    def __init__(self, threshold: int = 5, reset_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.threshold = threshold
        self.reset_s = reset_s
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None

    def call(self, fn: Callable[..., httpx.Response], *args: object, **kwargs: object) -> httpx.Response:
        if self.opened_at is not None and self.clock() - self.opened_at < self.reset_s:
            raise CircuitOpen("Ideogram circuit is open")
        try:
            resp = fn(*args, **kwargs)
        except httpx.TransportError:
            self._failed()
            raise
        if resp.status_code >= 500:
            self._failed()
        else:
            self.failures, self.opened_at = 0, None
        return resp

    def _failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self.clock()


breaker = CircuitBreaker()


def key_fingerprint(key: str) -> str:
    """Tells keys apart in logs without revealing them."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def raise_for_status(resp: httpx.Response) -> None:
    status = resp.status_code
    if status in (401, 403):
        raise AuthError(f"Ideogram rejected the key ({status})")
    if status == 402:
        raise OutOfFunds("Ideogram account has no credit")
    if status == 422:
        raise SafetyRejected("prompt rejected by the safety check")
    if status == 429:
        retry_after = resp.headers.get("Retry-After")
        raise RateLimited(float(retry_after) if retry_after else None)
    if status >= 500:
        raise Unavailable(f"Ideogram answered {status}")
    resp.raise_for_status()


@dataclass(frozen=True)
class StoredImage:
    key: str
    seed: int | None


def generate(prompt: str, client: httpx.Client, store: Callable[[str, bytes], str]) -> StoredImage:
    """Generate one image, download it at once (Ideogram URLs expire) and keep our own copy."""
    api_key = os.environ["IDEOGRAM_API_KEY"]
    log.info("calling Ideogram with key %s", key_fingerprint(api_key))
    for attempt in range(MAX_ATTEMPTS):
        try:
            resp = breaker.call(
                client.post, IDEOGRAM_URL, headers={"Api-Key": api_key}, json={"prompt": prompt},
                timeout=TIMEOUT,
            )
            raise_for_status(resp)
            break
        except (RateLimited, Unavailable, httpx.TimeoutException) as exc:
            if attempt == MAX_ATTEMPTS - 1:
                raise Unavailable("Ideogram kept failing") from exc
            delay = getattr(exc, "retry_after", None) or min(30.0, 2 ** attempt + random.random())
            time.sleep(delay)
    image = resp.json()["data"][0]
    if not image.get("is_image_safe", False) or not image.get("url"):
        raise UnsafeImage("Ideogram flagged the image as unsafe")
    download = client.get(image["url"], timeout=TIMEOUT)
    download.raise_for_status()
    return StoredImage(key=store(prompt, download.content), seed=image.get("seed"))
