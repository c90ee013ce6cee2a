"""The HTTP API of the image service: degrades instead of failing when Ideogram is down."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from service.ideogram_client import (
    AuthError, CircuitOpen, IdeogramError, OutOfFunds, SafetyRejected, Unavailable, UnsafeImage, generate,
)
from service.storage import save_image

PLACEHOLDER = {"image": "/static/placeholder.png", "degraded": True}
client = httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0))


def _json(start_response: Callable[..., Any], status: str, body: dict[str, Any],
          headers: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), *headers])
    return [json.dumps(body).encode()]


def create_image(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    body = json.loads(environ["wsgi.input"].read() or b"{}")
    try:
        stored = generate(body["prompt"], client, save_image)
    except SafetyRejected:
        return _json(start_response, "422 Unprocessable Entity", {"error": "prompt rejected, please rephrase"})
    except UnsafeImage:
        return _json(start_response, "422 Unprocessable Entity", {"error": "image withheld by safety filter"})
    except (AuthError, OutOfFunds):
        return _json(start_response, "503 Service Unavailable", PLACEHOLDER, [("Retry-After", "300")])
    except (CircuitOpen, Unavailable, IdeogramError):
        return _json(start_response, "503 Service Unavailable", PLACEHOLDER, [("Retry-After", "30")])
    return _json(start_response, "200 OK", {"image": f"/images/{stored.key}"})


def health(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The seed's health shape: Ideogram connectivity is part of health."""
    from service.ideogram_client import breaker

    connected = breaker.opened_at is None
    body = {"status": "healthy" if connected else "degraded", "ideogram": {"connected": connected}}
    return _json(start_response, "200 OK", body)
