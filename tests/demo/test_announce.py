"""`make demo` prints the sign-ins again once the server answers."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from alongside.demo.announce import main, wait_for


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def test_it_prints_the_sign_ins_once_the_server_answers(tmp_path: Path, capsys: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    box = tmp_path / "sign-ins.txt"
    box.write_text("│ Mentor  zoe.wilson@kestrel.example │\n", encoding="utf-8")
    try:
        assert main([f"http://127.0.0.1:{server.server_port}/healthz", str(box)]) == 0
    finally:
        server.shutdown()
    out = capsys.readouterr().out
    assert "The demo is up." in out
    assert "zoe.wilson@kestrel.example" in out


def test_it_gives_up_when_nothing_answers() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert wait_for(f"http://127.0.0.1:{port}/healthz", timeout=0.5) is False
