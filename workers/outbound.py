"""Outbound HTTP to addresses callers name: webhook POSTs and calendar feed GETs, each to the
checked, pinned address, under one deadline.

The URL's host is resolved and checked once (workers/addresses.py), and the connection is made
to that address: a second lookup, such as an HTTP library's own, could be answered with another
one (DNS rebinding). TLS still sends the URL's host name (SNI) and checks the certificate
against it, and the request carries it in `Host`.

An attempt has one deadline in all: to connect, send, and read the answer (a webhook's body
is not read; a feed's is, up to its size bound, and each redirect it follows is checked again).
A timeout per read restarts with every byte, so a receiver that dribbles a byte a second would
hold the attempt, and a worker thread, for as long as it likes; a watchdog shuts the socket down
at the deadline instead, whatever the socket is waiting for.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urljoin, urlsplit

import certifi

from workers.addresses import SCHEMES, IPAddress, Resolver, resolve, target

DEADLINE = 15.0  # seconds for one attempt, in all
CONNECT_TIMEOUT = 5.0
USER_AGENT = "interview-calendar-webhooks/1"
REDIRECTS = 5  # followed by a GET, each to an address checked again
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # kept as written in the path and query (as requests does)


class DeadlineExceeded(TimeoutError):
    """The receiver did not answer within the attempt's deadline."""


class Unacceptable(ValueError):
    """An answer past its bounds: too large, or too many redirects."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes


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
    with _deadline(deadline) as watchdog:
        return _exchange("POST", url, body, headers, watchdog, allow_private, resolver, cafile,
                         max_bytes=None).status


def get(url: str, headers: dict[str, str], *, allow_private: bool, max_bytes: int,
        deadline: float = DEADLINE, resolver: Resolver = resolve,
        cafile: str | None = None) -> Answer:
    """GET `url`, following up to REDIRECTS redirects, and read the body, all within `deadline`
    seconds. Raises as `post` does, and Unacceptable past `max_bytes` or the redirects."""
    with _deadline(deadline) as watchdog:
        for _ in range(REDIRECTS + 1):
            answer = _exchange("GET", url, None, headers, watchdog, allow_private, resolver,
                               cafile, max_bytes=max_bytes)
            location = answer.headers.get("Location")
            if answer.status not in REDIRECT_STATUSES or not location:
                return answer
            url = urljoin(url, location)
        raise Unacceptable(f"more than {REDIRECTS} redirects")


def describe(exc: OSError | http.client.HTTPException) -> str:
    """A short account of a failed exchange."""
    if isinstance(exc, DeadlineExceeded):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "timed out connecting"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc}"
    if isinstance(exc, http.client.HTTPException):
        return f"not an HTTP answer: {exc!r}"
    return f"could not connect: {exc}"


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[Watchdog]:
    """A watchdog for one attempt; an error after it expired is the deadline's."""
    watchdog = Watchdog(seconds)
    try:
        yield watchdog
        if watchdog.expired:  # a read cut short by the shut socket may look like a short body
            raise DeadlineExceeded(f"no answer within {seconds:g} s")
    except (OSError, http.client.HTTPException) as exc:
        if watchdog.expired:
            raise DeadlineExceeded(f"no answer within {seconds:g} s") from exc
        raise
    finally:
        watchdog.close()


def _exchange(method: str, url: str, body: bytes | None, headers: dict[str, str],
              watchdog: Watchdog, allow_private: bool, resolver: Resolver, cafile: str | None,
              *, max_bytes: int | None) -> Answer:
    """One request to the address `url`'s host resolves to now, if the policy allows it; the
    answer's body read up to `max_bytes`, or not at all when None."""
    address = target(url, allow_private, resolver)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    tls = (ssl.create_default_context(cafile=cafile or certifi.where())
           if scheme == "https" else None)
    conn = PinnedConnection(parts.hostname or "", parts.port or SCHEMES[scheme], address, tls,
                            watchdog)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, quote(path, safe=URL_SAFE), body,
                     {"User-Agent": USER_AGENT, **headers, "Host": host_header(url)})
        response = conn.getresponse()
        data = b"" if max_bytes is None else _read(response, max_bytes)
        return Answer(response.status, response.headers, data)
    finally:
        conn.close()


def _read(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise Unacceptable(f"{int(declared):,} bytes; at most {max_bytes:,} are read")
    data = response.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Unacceptable(f"more than {max_bytes:,} bytes; at most {max_bytes:,} are read")
    if declared.isdigit() and len(data) < int(declared):
        raise http.client.IncompleteRead(data, int(declared) - len(data))
    return data
