"""Outbound HTTP for webhooks: one POST to the checked, pinned address, no redirect, one deadline.

The URL's host is resolved and checked once (workers/addresses.py), and the connection is made
to that address: a second lookup, such as an HTTP library's own, could be answered with another
one (DNS rebinding). TLS still sends the URL's host name (SNI) and checks the certificate
against it, and the request carries it in `Host`.

An attempt has one deadline in all: to connect, send, and read the answer's status line and
headers (its body is not read). A timeout per read restarts with every byte, so a receiver that
dribbles a byte a second would hold the attempt, and a worker thread, for as long as it likes; a
watchdog shuts the socket down at the deadline instead, whatever the socket is waiting for.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from urllib.parse import quote, urlsplit

import certifi

from workers.addresses import SCHEMES, IPAddress, Resolver, resolve, target

DEADLINE = 15.0  # seconds for one attempt, in all
CONNECT_TIMEOUT = 5.0
USER_AGENT = "interview-calendar-webhooks/1"
URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # kept as written in the path and query (as requests does)


class DeadlineExceeded(TimeoutError):
    """The receiver did not answer within the attempt's deadline."""


class Watchdog:
    """Shuts the attempt's sockets down when its time is up; `expired` says whether it was."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline, or now if it has passed."""
        with self._lock:
            # A duplicate of our own: shutting it down ends the connection however the socket
            # is wrapped meanwhile (TLS), and its number cannot go to another socket.
            self._sockets.append(sock.dup())
            if self.expired:
                self._shut_down()

    def close(self) -> None:
        """Stop the timer and let go of the duplicates: the attempt is over."""
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut_down()

    def _shut_down(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):  # the other end closed it already
                sock.shutdown(socket.SHUT_RDWR)


class PinnedConnection(http.client.HTTPConnection):
    """http.client's connection to `address`, under the watchdog; TLS when `tls` is given."""

    def __init__(self, host: str, port: int, address: IPAddress, tls: ssl.SSLContext | None,
                 watchdog: Watchdog) -> None:
        super().__init__(host, port, timeout=watchdog.seconds)
        self.address = address
        self.tls = tls
        self.watchdog = watchdog

    def connect(self) -> None:
        sock = socket.create_connection((str(self.address), self.port),
                                        min(CONNECT_TIMEOUT, self.watchdog.seconds))
        self.watchdog.watch(sock)
        sock.settimeout(self.watchdog.seconds)
        self.sock = sock if self.tls is None else self.tls.wrap_socket(
            sock, server_hostname=self.host)


def host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool,
         deadline: float = DEADLINE, resolver: Resolver = resolve,
         cafile: str | None = None) -> int:
    """POST `body` and return the answer's status code, all within `deadline` seconds.

    Raises addresses.Refused when the policy refuses the address the host resolves to now,
    DeadlineExceeded when the receiver did not answer in time, and OSError (ssl.SSLError among
    them) or http.client.HTTPException when the connection or the exchange fails otherwise.
    """
    watchdog = Watchdog(deadline)
    try:
        address = target(url, allow_private, resolver)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        tls = (ssl.create_default_context(cafile=cafile or certifi.where())
               if scheme == "https" else None)
        conn = PinnedConnection(parts.hostname or "", parts.port or SCHEMES[scheme], address,
                                tls, watchdog)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("POST", quote(path, safe=URL_SAFE), body,
                         {"User-Agent": USER_AGENT, **headers, "Host": host_header(url)})
            return conn.getresponse().status
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        if watchdog.expired:
            raise DeadlineExceeded(f"no answer within {deadline:g} s") from exc
        raise
    finally:
        watchdog.close()
