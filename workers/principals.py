"""A process's cache of authenticated principals (live keys' callers), on PostgreSQL only.

Why it never answers for a revoked key for longer than the database takes to tell us: a
trigger on api_keys (migration 0011) runs `pg_notify(CHANNEL, '')` on every change of a key,
and every process holds a connection that LISTENs on CHANNEL. A caller is cached only if that
connection was LISTENing before the lookup that found it, and only if no notification was seen
between that check and the store (the generation counts clears): a revocation committed after
the lookup's snapshot is then announced to us, and any announcement clears the whole cache.
When the connection fails the cache is cleared and keys are looked up uncached until a
reconnect succeeds; a connection lost without a sign (a silent network) still leaves each entry
no older than TTL_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg2
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from workers.api_keys import digest
from workers.callers import Caller
from workers.clock import Clock

log = logging.getLogger(__name__)
CHANNEL = "api_keys_changed"
APPLICATION_NAME = "interview-calendar-principals"  # how pg_stat_activity names the listener
TTL_SECONDS = 10.0
CAPACITY = 10_000
RECONNECT_SECONDS = 1.0  # at most one connect attempt this often while the listener is down
CONNECT_TIMEOUT_SECONDS = 2  # libpq's least: a request waits at most this once a second


class Principals:
    """Positive answers only: a wrong key is never cached (failures are rate limited per
    address instead, api/lockout.py). Thread-safe; the listener connects at first use."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._connect_args: tuple[list[Any], dict[str, Any]] = (list(cargs), dict(cparams))
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Caller]] = {}  # digest → (expiry, caller)
        self._generation = 0
        self._listener: Any = None
        self._inherited: Any = None
        self._next_connect = float("-inf")

    def resolve(self, key: str, lookup: Callable[[str], Caller | None]) -> Caller | None:
        """The key's caller, from the cache if fresh, else from `lookup` (then cached if the
        listener is up)."""
        hashed = digest(key)
        generation = self._listening()
        if generation is not None:
            with self._lock:
                entry = self._entries.get(hashed)
                if entry is not None and entry[0] > self._clock.monotonic():
                    return entry[1]
        found = lookup(key)
        if found is not None and generation is not None:
            self._store(hashed, found, generation)
        return found

    def forget_when_committed(self, session: Session) -> None:
        """Forget every caller once `session` commits: this process's own revocations take
        effect here at once, not when PostgreSQL's notification arrives."""
        event.listen(session, "after_commit", lambda _session: self.forget(), once=True)

    def forget(self) -> None:
        with self._lock:
            self._clear()

    def after_fork(self) -> None:
        """In a forked child: the parent's listener is not ours. It is kept, not closed:
        closing (or collecting) it would end the parent's session on the shared socket."""
        self._lock = threading.Lock()  # another thread may have held the parent's
        self._inherited, self._listener = self._listener, None
        self._clear()
        self._next_connect = float("-inf")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _listening(self) -> int | None:
        """Poll the listener (no round trip) and apply what it announced; the generation to
        store under if it is LISTENing, else None (after at most one connect attempt)."""
        with self._lock:
            if self._listener is not None:
                try:
                    self._listener.poll()
                    if self._listener.notices:  # the server's FATAL as it ends the session
                        raise psycopg2.OperationalError(self._listener.notices[-1].strip())
                except psycopg2.Error:
                    log.warning("the api_keys listener failed; caching stops until it is back",
                                exc_info=True)
                    self._drop()
                else:
                    if self._listener.notifies:
                        self._listener.notifies.clear()
                        self._clear()
                    return self._generation
            now = self._clock.monotonic()
            if now < self._next_connect:
                return None
            self._next_connect = now + RECONNECT_SECONDS
        listener = self._connect()
        if listener is None:
            return None
        with self._lock:
            if self._listener is not None:  # a slower attempt of another thread won: keep one
                listener.close()
            else:
                self._listener = listener
            return self._generation

    def _connect(self) -> Any:
        """A new autocommit connection LISTENing on CHANNEL, or None if the database cannot
        be reached now."""
        cargs, cparams = self._connect_args
        try:
            conn = psycopg2.connect(*cargs, **{
                **cparams, "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "application_name": APPLICATION_NAME})
        except psycopg2.Error:
            log.warning("could not connect the api_keys listener", exc_info=True)
            return None
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
        except psycopg2.Error:
            log.warning("could not LISTEN for api_keys changes", exc_info=True)
            conn.close()
            return None
        return conn

    def _store(self, hashed: str, caller: Caller, generation: int) -> None:
        """Unless a clear happened since `generation` was read: the answer may predate it."""
        with self._lock:
            if generation != self._generation or self._listener is None:
                return
            self._entries.pop(hashed, None)  # re-inserted last: the dict stays oldest first
            if len(self._entries) >= CAPACITY:
                del self._entries[next(iter(self._entries))]
            self._entries[hashed] = (self._clock.monotonic() + TTL_SECONDS, caller)

    def _clear(self) -> None:
        self._entries.clear()
        self._generation += 1

    def _drop(self) -> None:
        """Close the listener (if any) and forget everything it vouched for."""
        listener, self._listener = self._listener, None
        self._clear()
        if listener is not None:
            try:
                listener.close()
            except psycopg2.Error:
                log.debug("closing a failed listener failed too", exc_info=True)
