"""What a process needs to do work: settings, clock, database, broker, and its two threads."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import Celery
from sqlalchemy import Engine, text

from models import SessionFactory, read_only
from workers.addresses import Resolver, resolve
from workers.clock import Clock
from workers.principals import Principals
from workers.queue.leases import Renewer
from workers.queue.publisher import Publisher
from workers.settings import Settings

log = logging.getLogger(__name__)
EXIT_GRACE_SECONDS = 2.0  # at exit, time to send what is waiting; the sweep covers the rest


@dataclass
class Runtime:
    """Built once per process by `workers.queue.factory.create_runtime`, and passed down."""

    settings: Settings
    clock: Clock
    engine: Engine
    sessions: SessionFactory
    readers: SessionFactory  # for transactions that never write
    statements: SessionFactory  # each statement its own transaction: a GET's reads, a claim
    celery: Celery
    publisher: Publisher
    renewer: Renewer
    resolver: Resolver = resolve  # webhook hosts, checked when registered and when sent
    principals: Principals | None = None  # the callers of live keys; None on SQLite

    def after_fork(self) -> None:
        """In a forked child (the prefork pool): the parent's connections and threads are not
        ours to use."""
        self.engine.dispose(close=False)
        self.publisher.after_fork()
        self.renewer.after_fork()
        if self.principals is not None:
            self.principals.after_fork()

    def close(self) -> None:
        """Send what is waiting (briefly), then close the database connections."""
        if not self.publisher.wait_idle(EXIT_GRACE_SECONDS):
            log.warning("messages left unsent at exit; the sweep will publish them")
        if self.principals is not None:
            self.principals.close()
        self.engine.dispose()

    def readiness(self) -> dict[str, str]:
        """`ok`, or the error's name, for the database and (in production) the broker."""
        checks = {"database": "ok", "broker": "ok"}
        try:
            with read_only(self.engine).connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means not ready; the reason is reported
            checks["database"] = type(exc).__name__
        if not self.settings.embedded:
            try:
                with self.celery.connection_for_write() as conn:
                    conn.ensure_connection(max_retries=1, timeout=2)
            except Exception as exc:
                checks["broker"] = type(exc).__name__
        return checks
