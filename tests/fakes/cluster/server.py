"""The HTTP face of the fake API server: routing, discovery, fault injection, request log, chunked watches."""

from __future__ import annotations

import json
import random
import re
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import discovery, openapi, tables
from .api import Api, route
from .errors import ApiError, conflict

Obj = dict[str, Any]


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    content_type: str
    body: Any  # parsed JSON (or YAML text for apply patches), None when empty
    status: int
    accept: str = ""

    @property
    def discovery(self) -> bool:
        return is_discovery(self.path)


@dataclass
class Fault:
    """Answer matching requests with `status` (0: only delay) at `rate`, at most `times` times."""

    status: int = 500
    rate: float = 1.0
    method: str | None = None
    path: str | None = None  # regex searched in the URL path; None: any non-discovery request
    times: int | None = None
    delay: float = 0.0  # real seconds to wait before answering
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.path is None:
            return not is_discovery(path)
        return re.search(self.path, path) is not None


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def add(
        self, status: int = 500, *, rate: float = 1.0, method: str | None = None, path: str | None = None,
        times: int | None = None, delay: float = 0.0,
    ) -> Fault:
        rule = Fault(status, rate, method, path, times, delay)
        with self._lock:
            self._rules.append(rule)
        return rule

    def slow(self, delay: float, **kw: Any) -> Fault:
        return self.add(0, delay=delay, **kw)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path) and self._rng.random() < rule.rate:
                    rule.hits += 1
                    return rule
        return None


_DISCOVERY = re.compile(r"^/(version|api|apis|openapi/.*|api/v1|apis/[^/]+|apis/[^/]+/[^/]+)?/?$")


def is_discovery(path: str) -> bool:
    return _DISCOVERY.match(path) is not None


class ApiHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, api: Api, faults: Faults, minor: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.api = api
        self.faults = faults
        self.minor = minor
        self.log: list[RequestRecord] = []
        self.log_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes; avoid 40 ms delayed-ACK stalls
    server: ApiHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = lambda self: self._serve()

    # ------------------------------------------------------------------ plumbing
    def _send(self, code: int, body: Obj, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_bytes(self, code: int, data: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self, path: str, query: dict[str, str], ctype: str, raw: bytes, status: int) -> None:
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        rec = RequestRecord(self.command, path, query, ctype, body, status, self.headers.get("Accept", ""))
        with self.server.log_lock:
            self.server.log.append(rec)

    def _serve(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raw = self._read_chunked()
        else:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype = self.headers.get("Content-Type", "")
        fault = self.server.faults.pick(self.command, path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status:
            self._record(path, query, ctype, raw, fault.status)
            return self._send_fault(fault.status, path)
        if path == "/openapi/v2" and "protobuf" in self.headers.get("Accept", ""):
            self._record(path, query, ctype, raw, 200)
            return self._send_bytes(200, openapi.v2_protobuf(self.server.minor), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        try:
            doc = self._discovery(path)
            if doc is not None:
                self._record(path, query, ctype, raw, 200)
                return self._send(200, doc)
            parts = [p for p in path.split("/") if p]
            reply = self.server.api.handle(self.command, parts, query, ctype, raw)
        except ApiError as exc:
            self._record(path, query, ctype, raw, exc.code)
            return self._send(exc.code, exc.status())
        except Exception as exc:  # noqa: BLE001 - a bug in the fake: say so loudly, as a 500
            traceback.print_exc(file=sys.stderr)
            self._record(path, query, ctype, raw, 500)
            return self._send(500, ApiError(500, f"fake apiserver bug: {exc!r}").status())
        self._record(path, query, ctype, raw, reply.code)
        if reply.stream is not None:
            return self._stream(reply.stream)
        assert reply.body is not None
        body = reply.body
        if "as=Table" in self.headers.get("Accept", "") and self.command == "GET":
            body = tables.as_table(body, self.server.api.store.clock.now()) or body
        self._send(reply.code, body)

    def _read_chunked(self) -> bytes:
        out = b""
        while True:
            size = int(self.rfile.readline().strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return out
            out += self.rfile.read(size)
            self.rfile.readline()

    def _send_fault(self, status: int, path: str) -> None:
        headers = {"Retry-After": "1"} if status in (429, 503) else None
        if status == 409:
            r = None
            try:
                r = route([p for p in path.split("/") if p])
            except ApiError:
                pass
            if r is not None and r.name:
                return self._send(409, conflict(r.res, r.name).status())
        message = {500: "Internal error occurred: injected fault"}.get(status, "injected fault")
        self._send(status, ApiError(status, message).status(), headers)

    def _discovery(self, path: str) -> Obj | None:
        if path == "/version":
            return discovery.version(self.server.minor)
        if path == "/api":
            return discovery.api_versions(f"127.0.0.1:{self.server.server_address[1]}")
        if path == "/apis":
            return discovery.api_group_list()
        if path.startswith("/openapi/"):
            doc = openapi.document(path)
            if doc is None:
                raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
            return doc
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["api"] and len(parts) == 2:
            doc = discovery.resource_list("", parts[1])
        elif parts[:1] == ["apis"] and len(parts) == 2:
            doc = discovery.api_group(parts[1]) if parts[1] in discovery.groups() else None
        elif parts[:1] == ["apis"] and len(parts) == 3:
            doc = discovery.resource_list(parts[1], parts[2])
        else:
            return None
        if doc is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound", {})
        return doc

    def _stream(self, events: Any) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True
        try:
            for event in events:
                data = json.dumps(event).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
