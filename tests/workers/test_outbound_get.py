"""Reading a feed from an address a caller named: conditional requests, and every bound as an
attack (too large, too slow, redirected to a forbidden address, redirected for ever)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.feeds import FeedHandler, serving
from workers import outbound
from workers.addresses import Refused

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
ETAG = '"v1"'
BIG = 11 * 1024 * 1024
LIMIT = 10 * 1024 * 1024


class Feeds(FeedHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/feed":
            if self.headers.get("If-None-Match") == ETAG:
                self.answer(304, b"")
            else:
                self.answer(200, FEED, ETag=ETAG)
        elif self.path == "/moved":
            self.answer(302, b"", Location="/feed")
        elif self.path == "/to-metadata":
            self.answer(302, b"", Location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/loop":
            self.answer(302, b"", Location="/loop")
        elif self.path == "/big":
            self.answer(200, b"x" * BIG)
        elif self.path == "/big-chunked":  # no Content-Length: the size shows as it comes
            self.send_response(200)
            self.end_headers()
            for _ in range(BIG // 65536 + 1):
                self.wfile.write(b"x" * 65536)
        elif self.path == "/dribble":
            self.dribble()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(Feeds) as port:
        yield f"http://127.0.0.1:{port}"


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
