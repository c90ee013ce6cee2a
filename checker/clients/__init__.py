"""Clients for the live systems: every one takes an explicit base URL and timeout."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import httpx

USER_AGENT = "ideogram-prod"


def safe_url(url: str) -> str:
    """A URL fit for a report: no credentials, no query string (tokens hide in both)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def http_client(timeout_s: float) -> httpx.Client:
    from checker import __version__

    return httpx.Client(timeout=httpx.Timeout(timeout_s), headers={"User-Agent": f"{USER_AGENT}/{__version__}"},
                        follow_redirects=True, trust_env=False)
