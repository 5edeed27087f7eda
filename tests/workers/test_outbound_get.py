"""Reading a feed from an address a caller named: conditional requests, and every bound as an
attack (too large, too slow, redirected to a forbidden address, redirected for ever)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workers import outbound
from workers.addresses import Refused

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
ETAG = '"v1"'
BIG = 11 * 1024 * 1024
LIMIT = 10 * 1024 * 1024


class Feeds(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/feed":
            if self.headers.get("If-None-Match") == ETAG:
                self._answer(304, b"")
            else:
                self._answer(200, FEED, ETag=ETAG)
        elif self.path == "/moved":
            self._answer(302, b"", Location="/feed")
        elif self.path == "/to-metadata":
            self._answer(302, b"", Location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/loop":
            self._answer(302, b"", Location="/loop")
        elif self.path == "/big":
            self._answer(200, b"x" * BIG)
        elif self.path == "/big-chunked":  # no Content-Length: the size shows as it comes
            self.send_response(200)
            self.end_headers()
            for _ in range(BIG // 65536 + 1):
                self.wfile.write(b"x" * 65536)
        elif self.path == "/dribble":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.5)

    def _answer(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, deadline: float = 5.0, **headers: str) -> outbound.Answer:
    return outbound.get(url, headers, allow_private=True, max_bytes=LIMIT, deadline=deadline)


def test_a_feed_is_read_and_a_conditional_request_answers_304(server: str) -> None:
    first = fetch(f"{server}/feed")
    assert (first.status, first.body, first.headers["ETag"]) == (200, FEED, ETAG)
    assert fetch(f"{server}/feed", **{"If-None-Match": ETAG}).status == 304


def test_a_redirect_is_followed_to_an_allowed_address(server: str) -> None:
    assert fetch(f"{server}/moved").body == FEED


def test_a_redirect_to_the_cloud_metadata_address_is_refused(server: str) -> None:
    with pytest.raises(Refused):
        fetch(f"{server}/to-metadata")


def test_redirects_are_followed_a_few_times_only(server: str) -> None:
    with pytest.raises(outbound.Unacceptable, match="redirects"):
        fetch(f"{server}/loop")


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_an_11_mib_feed_is_refused_without_reading_it_all(server: str, path: str) -> None:
    with pytest.raises(outbound.Unacceptable, match="10,485,760"):
        fetch(f"{server}{path}")


def test_a_feed_that_dribbles_ends_at_the_deadline(server: str) -> None:
    began = time.monotonic()
    with pytest.raises(outbound.DeadlineExceeded, match="2 s"):
        fetch(f"{server}/dribble", deadline=2)
    assert time.monotonic() - began < 4
