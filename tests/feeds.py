"""A real calendar feed server for the tests, on 127.0.0.1 in this process.

It serves the .ics texts it is given at their paths, each with an ETag and a Last-Modified,
answers 304 to a request whose If-None-Match names the current ETag, and records every request.
Hostile paths: `/dribble` (a body of a byte every half second), `/to-metadata` (a redirect to
the cloud metadata address), `/html` (not iCalendar).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.feeds: dict[str, bytes] = {}
        self.requests: list[Request] = []
        self.port = 0

    def serve(self, path: str, ics: bytes) -> str:
        """Serve `ics` at `path` from now on; its URL."""
        self.feeds[path] = ics
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def of(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


class FeedHandler(BaseHTTPRequestHandler):
    """What every feed server here answers with: a whole body, or a dribble."""

    def answer(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def dribble(self) -> None:
        """Promise 1,000 bytes and send one every half second."""
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass  # the reader hung up: what the test wants

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """A threaded server of `handler` on 127.0.0.1; its port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()

    class Handler(FeedHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            server.requests.append(Request(self.path, dict(self.headers.items())))
            body = server.feeds.get(self.path)
            if self.path == "/dribble":
                self.dribble()
            elif self.path == "/to-metadata":
                self.answer(302, b"", Location="http://169.254.169.254/latest/meta-data/")
            elif self.path == "/html":
                self.answer(200, b"<!doctype html><title>Sign in</title>")
            elif body is None:
                self.answer(404, b"not found")
            elif self.headers.get("If-None-Match") == etag(body):
                self.answer(304, b"")
            else:
                self.answer(200, body, ETag=etag(body),
                            **{"Last-Modified": format_datetime(datetime.now(UTC), usegmt=True),
                               "Content-Type": "text/calendar"})

    with serving(Handler) as port:
        server.port = port
        yield server


def ics(*events: str, extra: str = "") -> bytes:
    """A VCALENDAR holding `events` (each the lines inside a VEVENT)."""
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n{extra}{body}"
            "END:VCALENDAR\r\n").encode()


def meeting(start: datetime, hours: float = 1.0, uid: str | None = None, more: str = "") -> str:
    """A VEVENT's lines: a meeting from `start` (UTC) lasting `hours`."""
    end = start + timedelta(hours=hours)
    stamp = "%Y%m%dT%H%M%SZ"
    return (f"UID:{uid or f'{start.timestamp()}-{hours}@tests'}\r\n"
            f"DTSTAMP:{start.strftime(stamp)}\r\nDTSTART:{start.strftime(stamp)}\r\n"
            f"DTEND:{end.strftime(stamp)}\r\nSUMMARY:Team sync\r\n{more}").strip()

