"""Network stand-ins for the stack's faults: refused ports, a broker that never answers, and a
TCP proxy that can cut, freeze or hold the connections to a real broker or database."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import AMQP_URL, PG_ADMIN_URL, REDIS_URL
from tests.processes import free_port

BROKERS = {"redis": REDIS_URL, "rabbitmq": AMQP_URL}
DEFAULT_PORTS = {"redis": 6379, "rabbitmq": 5672}



def broker_url_on(name: str, port: int | None = None, password: str | None = None) -> str:
    """The URL of real broker `name` with another local port, or another password."""
    parts = urlsplit(BROKERS[name])
    user = f"{parts.username}:{password}@" if password is not None else (
        parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else "")
    netloc = f"{user}{parts.hostname}:{port or parts.port or DEFAULT_PORTS[name]}"
    return urlunsplit(parts._replace(netloc=netloc))


class HungBroker:
    """A TCP listener that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, name="hung-broker", daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # closed at teardown
            while True:
                conn, _ = self.sock.accept()
                self.held.append(conn)

    def close(self) -> None:
        _close(self.sock)
        for conn in self.held:
            conn.close()
        self.thread.join(5)


@pytest.fixture
def hung_broker() -> Iterator[HungBroker]:
    hung = HungBroker()
    yield hung
    hung.close()


class Proxy:
    """A TCP proxy to a real service on 127.0.0.1 that fails on purpose, for whoever connects
    through it: `down()` drops every connection and refuses new ones (a stopped server), `up()`
    listens again on the same port; `frozen` keeps connections open and stops the bytes (a
    stopped VM, a full disk, a partition that drops packets). With `dribble`, the service's
    bytes are passed on one at a time, that many seconds apart (a hostile webhook receiver).
    """

    def __init__(self, upstream_port: int, dribble: float = 0.0) -> None:
        self.upstream_port = upstream_port
        self.dribble = dribble
        self.frozen = threading.Event()
        self.closed = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.up()

    def up(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), name="proxy",
                         daemon=True).start()

    def down(self) -> None:
        if self.listener is not None:
            _close(self.listener)
            self.listener = None
        with self.lock:
            held, self.sockets = self.sockets, []
        for sock in held:
            _close(sock)

    def close(self) -> None:
        self.closed.set()
        self.down()

    def _accept(self, listener: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the listener was closed
            while True:
                client, _ = listener.accept()
                with self.lock:
                    self.sockets.append(client)
                if self.frozen.is_set():  # a frozen service takes the connection, then nothing
                    continue
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port), 5)
                except OSError:
                    _close(client)
                    continue
                upstream.settimeout(None)
                with self.lock:
                    self.sockets.append(upstream)
                for a, b, pace in ((client, upstream, 0.0), (upstream, client, self.dribble)):
                    threading.Thread(target=self._pump, args=(a, b, pace), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pace: float) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                while self.frozen.is_set() and not self.closed.is_set():
                    time.sleep(0.02)
                if not pace:
                    sink.sendall(data)
                    continue
                for byte in data:
                    if self.closed.wait(pace):
                        return
                    sink.sendall(bytes([byte]))
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() or recv(); close() does not
    sock.close()


@pytest.fixture
def broker_proxy(broker: str) -> Iterator[Proxy]:
    """A proxy in front of the real broker of this test's parameter."""
    proxy = Proxy(urlsplit(BROKERS[broker]).port or DEFAULT_PORTS[broker])
    yield proxy
    proxy.close()


@pytest.fixture
def database_proxy() -> Iterator[Proxy]:
    """A proxy in front of PostgreSQL."""
    proxy = Proxy(urlsplit(PG_ADMIN_URL).port or 5432)
    yield proxy
    proxy.close()


def through(proxy: Proxy, url: str) -> str:
    """`url` with the proxy's port: a connection to the service through `proxy`."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{proxy.port}"))
