"""Real webhook receivers for the tests, on 127.0.0.1 in this process.

`Receiver`, a threaded http.server, records every request and answers with the statuses it was
given, in order (then 204), after `delay` seconds, and not before `hold` is set, if it was given
one. `Dribbler` is a hostile one: it answers one byte a second, a header that never ends.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WAIT = 30.0  # an upper bound only


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() on arrival


class Receiver:
    """Answers POSTs with the scripted statuses; `requests` holds what arrived, in order."""

    def __init__(self, *statuses: int, tls: ssl.SSLContext | None = None,
                 delay: float = 0.0, hold: threading.Event | None = None) -> None:
        self.statuses: deque[int] = deque(statuses)
        self.requests: list[Received] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.arrived:
                    status = receiver.statuses.popleft() if receiver.statuses else 204
                    receiver.requests.append(Received(self.path, dict(self.headers.items()),
                                                      body, time.time()))
                    receiver.arrived.notify_all()
                if hold is not None:
                    hold.wait(WAIT)
                time.sleep(delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Received]:
        """The first `count` requests, once they have arrived (AssertionError after `timeout`)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} requests arrived, not {count}")
            return list(self.requests[:count])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def receiving(*statuses: int, tls: ssl.SSLContext | None = None, delay: float = 0.0,
              hold: threading.Event | None = None) -> Iterator[Receiver]:
    receiver = Receiver(*statuses, tls=tls, delay=delay, hold=hold)
    try:
        yield receiver
    finally:
        receiver.close()


class Dribbler:
    """Reads each request, then answers one byte every `interval` seconds: a status line, then
    a header line that never ends. Each connection is held until it is closed by the client,
    `lasting` seconds have passed, or the dribbler is closed."""

    ANSWER = b"HTTP/1.1 200 OK\r\nX-Slow: "

    def __init__(self, interval: float = 1.0, lasting: float = WAIT) -> None:
        self.interval, self.lasting = interval, lasting
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self.arrived = threading.Condition()
        self.closed = threading.Event()
        threading.Thread(target=self._accept, name="dribbler", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = WAIT) -> None:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.arrivals) >= count, timeout):
                raise AssertionError(f"{len(self.arrivals)} requests arrived, not {count}")

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # closed
            while True:
                conn, _ = self.sock.accept()
                threading.Thread(target=self._dribble, args=(conn,), daemon=True).start()

    def _dribble(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client gave up
            conn.settimeout(self.lasting)
            if not conn.recv(65536):
                return
            with self.arrived:
                self.arrivals.append(time.monotonic())
                self.arrived.notify_all()
            ends = time.monotonic() + self.lasting
            sent = 0
            while time.monotonic() < ends and not self.closed.wait(self.interval if sent else 0):
                conn.sendall(self.ANSWER[sent:sent + 1] if sent < len(self.ANSWER) else b"a")
                sent += 1

    def close(self) -> None:
        self.closed.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() does not
        self.sock.close()


@contextmanager
def dribbling(interval: float = 1.0, lasting: float = WAIT) -> Iterator[Dribbler]:
    dribbler = Dribbler(interval, lasting)
    try:
        yield dribbler
    finally:
        dribbler.close()
