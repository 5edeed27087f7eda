"""The slow-client attack: many connections that each send a request header one byte a second
and never finish it, and the time /healthz takes to answer meanwhile.

A connection the server closes (a header deadline, say) is opened again at the next tick, as
an attacker would: the number of slow connections stays what was asked for.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import requests

# A request line and a header whose value never ends: the header is never complete.
HEADER = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100_000
CONNECT_TIMEOUT = 5.0


@dataclass
class SlowConnection:
    sock: socket.socket
    sent: int = 0


@dataclass
class SlowClients:
    """`count` connections to host:port, each sending the next byte of HEADER every `interval`."""

    host: str
    port: int
    count: int
    interval: float = 1.0
    reopened: int = 0  # connections the server closed, opened again
    refused: int = 0  # connection attempts that failed (refused, or no answer in 5 s)
    _conns: list[SlowConnection] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _connect(self) -> SlowConnection | None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT)
        except OSError:
            self.refused += 1
            return None
        sock.setblocking(False)
        return SlowConnection(sock)

    def _dribble(self, conn: SlowConnection) -> bool:
        """Send one more byte; False when the server has closed the connection."""
        try:
            peeked: bytes | None = conn.sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            peeked = None  # nothing from the server: it still waits for the header, as meant
        except OSError:
            return False
        if peeked is not None:  # closed (b""), or answered (a 400, a 408): it gave up on it
            return False
        try:
            conn.sent += conn.sock.send(HEADER[conn.sent:conn.sent + 1])
        except BlockingIOError:
            pass
        except OSError:
            return False
        return True

    def _tick(self) -> None:
        for i, conn in enumerate(self._conns):
            if self._stop.is_set():
                return
            if not self._dribble(conn):
                conn.sock.close()
                fresh = self._connect()
                if fresh is not None:
                    self.reopened += 1
                    self._dribble(fresh)
                    self._conns[i] = fresh

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._tick()

    def start(self) -> None:
        for _ in range(self.count):
            conn = self._connect()
            if conn is not None:
                self._dribble(conn)
                self._conns.append(conn)
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for conn in self._conns:
            conn.sock.close()

    @property
    def connected(self) -> int:
        return len(self._conns)


@contextlib.contextmanager
def slow_clients(host: str, port: int, count: int, settle: float = 3.0
                 ) -> Iterator[SlowClients]:
    """`count` slow connections for the duration of the block, after `settle` seconds of
    dribbling (every connection has been read from by then)."""
    attack = SlowClients(host, port, count)
    attack.start()
    try:
        time.sleep(settle)
        yield attack
    finally:
        attack.stop()


@dataclass(frozen=True)
class Probes:
    """Seconds each /healthz took; `timeout` for one that got no answer in time."""

    seconds: list[float]
    statuses: list[int | None]
    timeout: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def __str__(self) -> str:
        shown = [f"{s:.2f}" if code else f">{self.timeout:g} (no answer)"
                 for s, code in zip(self.seconds, self.statuses, strict=True)]
        return f"median {self.median:.2f} s of [{', '.join(shown)}]"


def probe_healthz(url: str, times: int = 5, timeout: float = 8.0, pause: float = 0.2) -> Probes:
    """GET /healthz `times` times, each on a new connection, timing each."""
    seconds: list[float] = []
    statuses: list[int | None] = []
    for _ in range(times):
        began = time.monotonic()
        try:
            status: int | None = requests.get(url + "/healthz", timeout=timeout).status_code
        except (requests.ConnectionError, requests.Timeout):
            status = None
        seconds.append(time.monotonic() - began if status else timeout)
        statuses.append(status)
        time.sleep(pause)
    return Probes(seconds, statuses, timeout)
