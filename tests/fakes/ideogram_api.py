"""A fake Ideogram API on 127.0.0.1: real endpoints, status codes, JSON error bodies, Retry-After, images.

Behaviour per key (`keys`), per prompt (words such as `unsafe-prompt`), and scripted answers
(`script(...)`) that the next requests get before normal service resumes.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")
GENERATE_PATHS = ("/v1/ideogram-v3/generate", "/generate")


@dataclass
class Scripted:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Account:
    funds: bool = True
    access: bool = True


class FakeIdeogram:
    def __init__(self) -> None:
        self.keys: dict[str, Account] = {}
        self.requests: list[dict[str, Any]] = []
        self._script: list[Scripted] = []
        self._lock = threading.Lock()
        self.delay_s = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeIdeogram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_key(self, key: str, funds: bool = True, access: bool = True) -> None:
        self.keys[key] = Account(funds, access)

    def script(self, *answers: Scripted) -> None:
        """The next len(answers) API requests get these answers, in order."""
        with self._lock:
            self._script.extend(answers)

    def _next_scripted(self) -> Scripted | None:
        with self._lock:
            return self._script.pop(0) if self._script else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send(status, json.dumps(body).encode(), "application/json", headers)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                fake.requests.append({"method": "GET", "path": parts.path, "headers": dict(self.headers)})
                if parts.path.startswith("/api/images/ephemeral/"):
                    exp = float(parse_qs(parts.query).get("exp", ["0"])[0])
                    if exp and exp < time.time():
                        self._json(403, {"error": "URL expired"})
                        return
                    self._send(200, PNG, "image/png")
                    return
                self._json(404, {"error": "Not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                form = self._form(raw)
                fake.requests.append({"method": "POST", "path": parts.path, "headers": dict(self.headers),
                                      "form": form})
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                scripted = fake._next_scripted()
                if scripted is not None:
                    time.sleep(scripted.delay_s)
                    self._json(scripted.status, scripted.body, scripted.headers)
                    return
                if parts.path not in GENERATE_PATHS:
                    self._json(404, {"error": "Not found"})
                    return
                key = self.headers.get("Api-Key")
                account = fake.keys.get(key or "")
                if account is None:
                    self._json(401, {"error": "Unauthorized: invalid or missing Api-Key"})
                    return
                if not account.access:
                    self._json(403, {"error": "Forbidden: this key has no access to this endpoint"})
                    return
                if not account.funds:
                    self._json(402, {"error": "Payment required", "reject_reason": "insufficient_funds"})
                    return
                prompt = form.get("prompt", "")
                if not prompt:
                    self._json(400, {"error": "Invalid request: prompt is required"})
                    return
                if "unsafe-prompt" in prompt:
                    self._json(422, {"error": "Prompt failed the safety check"})
                    return
                image_id = hashlib.sha256(prompt.encode()).hexdigest()[:16]
                safe = "unsafe-image" not in prompt
                url = (f"{fake.url}/api/images/ephemeral/{image_id}.png?exp={time.time() + 86400:.0f}&sig=abc"
                       if safe else None)
                self._json(200, {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "data": [{
                    "url": url, "prompt": prompt, "resolution": "1024x1024", "seed": 12345, "is_image_safe": safe,
                }]})

            def _form(self, raw: bytes) -> dict[str, str]:
                ctype = self.headers.get("Content-Type", "")
                if ctype.startswith("application/json"):
                    try:
                        body = json.loads(raw or b"{}")
                    except ValueError:
                        return {}
                    inner = body.get("image_request", body) if isinstance(body, dict) else {}
                    return {k: str(v) for k, v in inner.items()} if isinstance(inner, dict) else {}
                if ctype.startswith("multipart/form-data"):
                    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
                    out: dict[str, str] = {}
                    for part in msg.iter_parts():
                        name = part.get_param("name", header="content-disposition")
                        if name:
                            out[str(name)] = part.get_payload(decode=True).decode("utf-8", "replace")
                    return out
                return {}

        return Handler
