"""Thin Celery tasks: each names a kind of work and hands its id to one attempt. A transient
error retries the task with exponential backoff and full jitter."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from celery import Celery, Task
from celery.utils.time import get_exponential_backoff_interval

from workers import logs
from workers.errors import is_transient
from workers.outbox import DELIVERY, REFRESH
from workers.queue import attempts, routes
from workers.queue.runtime import Runtime

log = logging.getLogger(__name__)

MAX_RETRIES = 10
BACKOFF_FACTOR = 2  # seconds: the first retry waits up to this, the next up to twice it, ...
BACKOFF_MAX = 60


class TransientError(Exception):
    """The database was unreachable; the task retries with backoff and jitter."""


def backoff(retries: int) -> int:
    """Full jitter: a random wait up to factor · 2^retries, at most BACKOFF_MAX."""
    wait: int = get_exponential_backoff_interval(factor=BACKOFF_FACTOR, retries=retries,
                                                 maximum=BACKOFF_MAX, full_jitter=True)
    return wait


def register(runtime: Runtime, celery: Celery | None = None) -> None:
    """One task per kind of work on the runtime's own Celery app, or on `celery` (never shared
    with another app), each closed over the runtime."""
    for kind, name in routes.TASKS.items():
        (celery or runtime.celery).task(name=name, bind=True, shared=False, lazy=False,
                            max_retries=MAX_RETRIES)(_task(runtime, kind))


def _task(runtime: Runtime, kind: str) -> Callable[[Task[Any, Any], str], None]:
    """A new function for each task: one per name."""
    if kind == DELIVERY:
        def deliver(task: Task[Any, Any], delivery_id: str) -> None:
            _retrying(task, lambda: attempts.deliver(runtime, uuid.UUID(delivery_id)))
        return deliver
    if kind == REFRESH:
        def refresh(task: Task[Any, Any], calendar_id: str) -> None:
            _retrying(task, lambda: attempts.refresh_calendar(runtime, uuid.UUID(calendar_id)))
        return refresh

    def run_job(task: Task[Any, Any], job_id: str) -> None:
        logs.job_id.set(job_id)
        _retrying(task, lambda: attempts.run_job(runtime, uuid.UUID(job_id)))
    return run_job


def _retrying(task: Task[Any, Any], attempt: Callable[[], object]) -> None:
    try:
        attempt()
    except Exception as exc:
        if is_transient(exc):
            raise task.retry(exc=TransientError(str(exc)),
                             countdown=backoff(task.request.retries)) from exc
        raise
