"""Failed authentication, limited per client address (RATE_LIMIT_FAILED_AUTH).

Every 401 under /v1 counts against the client's address, in the abuse limits' counts
(api/counts.py: Redis in production, shared by every API process; this process's memory while
that Redis cannot be reached). Past the limit the address's failures answer 429 instead of 401
until the moving window frees up. A right key is still served: everyone behind
one address (an office's NAT, a proxy) would otherwise be locked out by any one of them, and a
key is 256 random bits, so what the limit stops is the guessing's cost, not a lucky guess.

Only failures touch the storage. An address past its limit is noted in the memory of the
process that counted it, which answers its next failures without asking the storage.
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, current_app, request
from limits import parse_many

from api.counts import Counts
from api.errors import ApiError

EXTENSION = "interview_calendar_lockout"
SCOPE = "failed-auth"
MAX_NOTED = 10_000  # addresses locked out at once, per process; the oldest go first past it


class Lockout:
    """The failed-authentication budget of each client address, for one app."""

    def __init__(self, counts: Counts, rate: str) -> None:
        self._counts = counts
        self._items = parse_many(rate)
        self._until: dict[str, float] = {}  # address → when its lockout ends (Unix time)
        self._lock = threading.Lock()

    def count(self, address: str) -> None:
        """Count a failed authentication; 429 instead of its 401 once past the limit."""
        until = self._until.get(address)
        if until is not None and until > time.time():
            raise _too_many(until)
        for item in self._items:
            until = self._counts.spend(item, SCOPE, address)
            if until is not None:
                self._note(address, until)
                raise _too_many(until)

    def _note(self, address: str, until: float) -> None:
        with self._lock:
            if len(self._until) >= MAX_NOTED:
                now = time.time()
                self._until = {a: t for a, t in self._until.items() if t > now}
            while len(self._until) >= MAX_NOTED:
                del self._until[next(iter(self._until))]
            self._until[address] = until


def _too_many(until: float) -> ApiError:
    wait = max(1, math.ceil(until - time.time()))
    return ApiError(429, f"too many failed authentications from this address; retry in {wait} s",
                    headers={"Retry-After": str(wait)})


def register(app: Flask, counts: Counts, rate: str) -> None:
    """Count the app's failed authentications in `counts`, at most `rate`."""
    app.extensions[EXTENSION] = Lockout(counts, rate)


def _current() -> Lockout:
    lockout: Lockout = current_app.extensions[EXTENSION]
    return lockout


def _client_address() -> str:
    return request.remote_addr or "unknown"


def count_failure() -> None:
    """A 401 is about to be answered: count it against the client's address."""
    _current().count(_client_address())
