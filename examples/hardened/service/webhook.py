"""Receives Ideogram webhooks: the signature is checked before anything is trusted."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from typing import Any


def verify_signature(body: bytes, signature: str) -> bool:
    secret = os.environ["IDEOGRAM_WEBHOOK_SECRET"].encode()
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def ideogram_webhook(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    body = environ["wsgi.input"].read()
    if not verify_signature(body, environ.get("HTTP_X_SIGNATURE", "")):
        start_response("401 Unauthorized", [])
        return [b"bad signature"]
    event = json.loads(body)
    start_response("200 OK", [])
    return [json.dumps({"received": event.get("id")}).encode()]
