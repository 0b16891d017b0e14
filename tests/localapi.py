"""A small HTTP server on 127.0.0.1 for the tests that call other services' APIs.

Each test tells it how to answer (``server.route("POST", "/oauth/token", handler)``, a
handler getting the request and returning status, JSON body and headers) and reads what
was called (``server.calls``). It speaks plain HTTP/1.1 with ``http.server``; the code
under test uses its real HTTP clients (httpx, slack-sdk's urllib client) against it.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


Answer = tuple[int, Any, dict[str, str]]
Handler = Callable[[Call], Answer]


@dataclass
class LocalApi:
    server: ThreadingHTTPServer
    calls: list[Call] = field(default_factory=list)
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    queued: dict[tuple[str, str], deque[Answer]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, method: str, path: str, handler: Handler | Answer) -> None:
        if isinstance(handler, tuple):
            answer = handler
            self.routes[(method, path)] = lambda _call: answer
        else:
            self.routes[(method, path)] = handler

    def queue(self, method: str, path: str, *answers: Answer) -> None:
        """Answers given once each, in order, before the route's own handler."""
        self.queued.setdefault((method, path), deque()).extend(answers)

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def answer(self, call: Call) -> Answer:
        with self.lock:
            self.calls.append(call)
            waiting = self.queued.get((call.method, call.path))
            if waiting:
                return waiting.popleft()
        handler = self.routes.get((call.method, call.path))
        if handler is None:
            return 404, {"error": "no such route in the test server"}, {}
        return handler(call)


def start() -> LocalApi:
    api: LocalApi

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            call = Call(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            status, payload, headers = api.answer(call)
            raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            content_type = "application/json; charset=utf-8"
            for name, value in headers.items():
                if name.lower() == "content-type":
                    content_type = value
                else:
                    self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server.daemon_threads = True
    api = LocalApi(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return api


@contextmanager
def running() -> Iterator[LocalApi]:
    api = start()
    try:
        yield api
    finally:
        api.server.shutdown()
        api.server.server_close()
