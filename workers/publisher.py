"""Sends committed messages from a thread of the process's own, so no request waits on the broker.

A request commits its rows (the outbox) and hands their messages here, then answers. When the
broker is down, hung or frozen, only this thread waits out the broker's timeouts. What it cannot
send is marked unpublished for the sweep, and so is everything waiting behind it: a dead broker
costs one timeout per batch, not one per message. A message still waiting when the process dies
keeps its row's `published_at`, and the sweep sends it once that looks stale.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import uuid
from collections import deque
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from workers import dispatch

if TYPE_CHECKING:
    from workers.runtime import Runtime

log = logging.getLogger(__name__)
EXIT_GRACE_SECONDS = 2.0  # at exit, time to send what is waiting; the sweep covers the rest

Message = tuple[str, uuid.UUID]


class Publisher:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._waiting: deque[Message] = deque()
        self._busy = 0  # messages taken by the thread and not yet sent or marked
        self._changed = threading.Condition()
        self._running = False
        atexit.register(self.wait_idle, EXIT_GRACE_SECONDS)
        os.register_at_fork(after_in_child=self._after_fork)

    def put(self, messages: list[Message]) -> None:
        """Queue messages to send; returns at once."""
        with self._changed:
            self._start_if_needed()
            self._waiting.extend(messages)
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once every queued message was sent or marked for the sweep."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and not self._busy, timeout)

    def _start_if_needed(self) -> None:
        if not self._running:
            self._running = True
            threading.Thread(target=self._run, name="publisher", daemon=True).start()

    def _after_fork(self) -> None:
        """A forked child (gunicorn, the prefork pool) has none of the parent's threads, and
        may hold a lock that one of them held: start afresh. The parent sends its messages."""
        self._waiting = deque()
        self._busy = 0
        self._changed = threading.Condition()
        self._running = False

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting)
                batch = list(self._waiting)
                self._waiting.clear()
                self._busy = len(batch)
            try:
                self._send(batch)
            except Exception:  # the thread must live on; the sweep sends what this lost
                log.exception("the publisher failed on a batch of %d messages", len(batch))
            finally:
                with self._changed:
                    self._busy = 0
                    self._changed.notify_all()

    def _send(self, batch: list[Message]) -> None:
        for sent, (task, ident) in enumerate(batch):
            if not dispatch.publish(self.runtime, task, ident):
                try:
                    dispatch.mark_unpublished(self.runtime, batch[sent:])
                except SQLAlchemyError:  # the sweep republishes them once they look stale
                    log.warning("could not mark unpublished messages", exc_info=True)
                return
