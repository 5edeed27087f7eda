"""Leases on claimed work, renewed while the attempt lives.

A job's or a webhook delivery's attempt holds its row under a short lease, renewed every third
of its length by a thread beside the attempt. A live attempt keeps its row however long it
takes; a dead one (its worker killed, its machine gone) is handed on within one lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, update

from models import SessionFactory, utcnow

log = logging.getLogger(__name__)


@contextmanager
def renewed(sessions: SessionFactory, table: Any, held: ColumnElement[bool], lease: float,
            name: str, log_extra: dict[str, str] | None = None) -> Iterator[None]:
    """Push `table.lease_expires_at` of the rows `held` selects one lease ahead, until exit."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease / 3):
            try:
                with sessions.begin() as session:
                    session.execute(update(table).where(held).values(
                        lease_expires_at=utcnow() + timedelta(seconds=lease)))
            except Exception:  # the lease then lapses and the sweep hands the work on
                log.warning("lease renewal failed", exc_info=True, extra=log_extra)

    thread = threading.Thread(target=renew, name=f"lease-{name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
