"""A real HTTP listener on 127.0.0.1 for the outbound (SSRF) tests: it counts every TCP connection it accepts,
before reading a byte, and answers each request with what the test scripted (or stalls until it is closed).

    with Listener(Reply(200, b'{"data": {"text": "a"}}\\n', "application/x-ndjson")) as site:
        ...  # site.port, site.url("/x"), site.connections, site.paths
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A scripted answer: status, body, headers; ``stall`` keeps the connection open without answering."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False
    chunked: bool = False  # no Content-Length: the body is sent in chunks


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, listener: Listener, tls: ssl.SSLContext | None) -> None:
        self.listener = listener
        super().__init__(("127.0.0.1", 0), _Handler)
        if (
            tls is not None
        ):  # the handshake runs on accept; a client that refuses the certificate is not counted
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        with self.listener.lock:
            self.listener.connections += 1  # counted on accept, whatever follows
        return True


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        listener = self.server.listener
        with listener.lock:
            listener.paths.append(self.path)
            listener.hosts.append(self.headers.get("Host", ""))
        reply = listener.reply(self.path) if callable(listener.reply) else listener.reply
        if reply.stall:
            listener.closed.wait(30)
            return
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(reply.body), 4096):
                piece = reply.body[start : start + 4096]
                try:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                except OSError:  # the client stopped reading: what a size cap does
                    return
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        try:
            self.wfile.write(reply.body)
        except OSError:
            return


class Listener:
    """A threading HTTP server on 127.0.0.1 (a free port) that records connections, paths and Host headers."""

    def __init__(
        self, reply: Reply | Callable[[str], Reply] = Reply(), *, tls: ssl.SSLContext | None = None
    ) -> None:
        self.reply = reply
        self.lock = threading.Lock()
        self.connections = 0
        self.paths: list[str] = []
        self.hosts: list[str] = []
        self.closed = threading.Event()
        self._server = _Server(self, tls)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.closed.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
