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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, update

from models import SessionFactory
from workers.clock import Clock

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
    due: float  # the clock's monotonic time of the next renewal


class Renewer:
    """Renews the leases of this process's live attempts, each when it is due.

    With `background` (the default) a thread of its own renews them; without, whoever moves
    the clock calls `renew_due` (the tests do).
    """

    def __init__(self, clock: Clock, *, background: bool = True) -> None:
        self.clock = clock
        self.background = background
        self.after_fork()

    def after_fork(self) -> None:
        """A forked child has none of its parent's threads (nor attempts): begin empty."""
        self._leases: set[Lease] = set()
        self._renewing: Lease | None = None
        self._changed = threading.Condition()
        self._running = False

    @contextmanager
    def held(self, sessions: SessionFactory, table: Any, held: ColumnElement[bool],
             seconds: float, name: str, log_extra: dict[str, str] | None = None,
             ) -> Iterator[None]:
        """Push `table.lease_expires_at` of the rows `held` selects one lease ahead, every third
        of a lease, until exit; on exit no renewal of it is under way or will start. `name`
        says whose lease a failed renewal was."""
        lease = Lease(sessions, table, held, seconds, name, log_extra,
                      due=self.clock.monotonic() + seconds / 3)
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

    def renew_due(self) -> int:
        """Renew every lease that is due now; returns how many."""
        renewed = 0
        while (lease := self._take_due()) is not None:
            self._renew(lease)
            renewed += 1
        return renewed

    def _take_due(self) -> Lease | None:
        with self._changed:
            soonest = min(self._leases, key=lambda lease: lease.due, default=None)
            if soonest is None or soonest.due > self.clock.monotonic():
                return None
            self._renewing = soonest
            return soonest

    def _renew(self, lease: Lease) -> None:
        try:
            with lease.sessions.begin() as session:
                session.execute(update(lease.table).where(lease.held).values(
                    lease_expires_at=self.clock.now() + timedelta(seconds=lease.seconds)))
        except Exception:  # the lease then lapses and the sweep hands the work on
            log.warning("lease renewal of %s failed", lease.name, exc_info=True,
                        extra=lease.log_extra)
        finally:
            with self._changed:
                lease.due = self.clock.monotonic() + lease.seconds / 3
                self._renewing = None
                self._changed.notify_all()

    def _start_if_needed(self) -> None:
        if self.background and not self._running:
            self._running = True
            threading.Thread(target=self._run, name="lease-renewer", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._changed:
                soonest = min((lease.due for lease in self._leases), default=None)
                wait = None if soonest is None else soonest - self.clock.monotonic()
                if wait is None or wait > 0:
                    self._changed.wait(wait)
                    continue
            self.renew_due()
