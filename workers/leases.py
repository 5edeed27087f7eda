"""Leases on claimed work, renewed while the attempt lives.

A job's or a webhook delivery's attempt holds its row under a short lease, renewed every third
of its length while the attempt lives. A live attempt keeps its row however long it takes; a
dead one (its worker killed, its machine gone) is handed on within one lease.

One renewer thread per process serves every attempt in it, and starts with the first lease it
has to renew: most attempts end within milliseconds, before their first renewal is due, and
then cost neither a thread nor a write.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, update

from models import SessionFactory, utcnow

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Lease:
    """One attempt's hold on the rows `held` selects in `table`."""

    sessions: SessionFactory
    table: Any
    held: ColumnElement[bool]
    seconds: float
    name: str
    log_extra: dict[str, str] | None
    due: float = field(init=False)  # time.monotonic() of the next renewal

    def __post_init__(self) -> None:
        self.due = time.monotonic() + self.seconds / 3

    def renew(self) -> None:
        try:
            with self.sessions.begin() as session:
                session.execute(update(self.table).where(self.held).values(
                    lease_expires_at=utcnow() + timedelta(seconds=self.seconds)))
        except Exception:  # the lease then lapses and the sweep hands the work on
            log.warning("lease renewal of %s failed", self.name, exc_info=True,
                        extra=self.log_extra)
        self.due = time.monotonic() + self.seconds / 3


class Renewer:
    """Renews the leases of this process's live attempts, each when it is due."""

    def __init__(self) -> None:
        self._start_afresh()
        os.register_at_fork(after_in_child=self._start_afresh)

    def _start_afresh(self) -> None:
        """A forked child has none of its parent's threads (nor attempts): begin empty."""
        self._leases: set[Lease] = set()
        self._renewing: Lease | None = None
        self._changed = threading.Condition()
        self._running = False

    @contextmanager
    def held(self, lease: Lease) -> Iterator[None]:
        """Renew `lease` until exit; on exit no renewal of it is under way or will start."""
        with self._changed:
            self._leases.add(lease)
            self._start_if_needed()
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._leases.discard(lease)
                self._changed.wait_for(lambda: self._renewing is not lease)

    def _start_if_needed(self) -> None:
        if not self._running:
            self._running = True
            threading.Thread(target=self._run, name="lease-renewer", daemon=True).start()

    def _run(self) -> None:
        while True:
            lease = self._next_due()
            try:
                lease.renew()
            finally:
                with self._changed:
                    self._renewing = None
                    self._changed.notify_all()

    def _next_due(self) -> Lease:
        """Wait until a lease is due, and mark it as being renewed."""
        with self._changed:
            while True:
                soonest = min(self._leases, key=lambda lease: lease.due, default=None)
                if soonest is None:
                    self._changed.wait()
                elif (wait := soonest.due - time.monotonic()) > 0:
                    self._changed.wait(wait)
                else:
                    self._renewing = soonest
                    return soonest


RENEWER = Renewer()


@contextmanager
def renewed(sessions: SessionFactory, table: Any, held: ColumnElement[bool], lease: float,
            name: str, log_extra: dict[str, str] | None = None) -> Iterator[None]:
    """Push `table.lease_expires_at` of the rows `held` selects one lease ahead, every third of
    a lease, until exit. `name` says whose lease a failed renewal was."""
    with RENEWER.held(Lease(sessions, table, held, lease, name, log_extra)):
        yield
