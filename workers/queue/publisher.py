"""Sends committed messages from a thread of the process's own, so no request waits on the broker.

A request commits its rows (the outbox) and hands their messages here, then answers. When the
broker is down, hung or frozen, only this thread waits out the broker's timeouts. What it cannot
send is marked unpublished for the sweep, and so is everything waiting behind it: a dead broker
costs one timeout per batch, not one per message. A message still waiting when the process dies
keeps its row's `published_at`, and the sweep sends it once that looks stale.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from workers.outbox import Message

log = logging.getLogger(__name__)


class Publisher:
    """`send` publishes a batch in order and marks for the sweep what it could not send."""

    def __init__(self, send: Callable[[list[Message]], object]) -> None:
        self._send = send
        self.after_fork()

    def after_fork(self) -> None:
        """Start afresh: a forked child (the prefork pool) has none of the parent's threads,
        and may hold a lock that one of them held. The parent sends its own messages."""
        self._waiting: deque[Message] = deque()
        self._busy = 0  # messages taken by the thread and not yet sent or marked
        self._changed = threading.Condition()
        self._running = False

    def put(self, messages: list[Message]) -> None:
        """Queue messages to send; returns at once."""
        if not messages:
            return
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

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting)
                batch = list(self._waiting)
                self._waiting.clear()
                self._busy = len(batch)
            try:
                self._send(batch)
            except SQLAlchemyError:  # could not mark: the sweep republishes once they look stale
                log.warning("could not mark unpublished messages", exc_info=True)
            except Exception:  # the thread must live on; the sweep sends what this lost
                log.exception("the publisher failed on a batch of %d messages", len(batch))
            finally:
                with self._changed:
                    self._busy = 0
                    self._changed.notify_all()
