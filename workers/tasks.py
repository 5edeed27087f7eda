"""Thin Celery tasks: each names a job kind and hands the job id to the lifecycle runner;
`deliver_webhook` hands a delivery id to one delivery attempt."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval

from workers import availability, deliveries, jobs, logs, matches
from workers.errors import is_transient

log = logging.getLogger(__name__)

RUNNERS: dict[str, jobs.Runner] = {**availability.RUNNERS, **matches.RUNNERS}
RETRY = {"max_retries": 10, "retry_backoff": 2, "retry_backoff_max": 60, "retry_jitter": True}


class TransientError(Exception):
    """The database was unreachable; the task retries with backoff and jitter."""


def execute(task: Task[Any, Any], job_id: str) -> None:
    """Run one attempt; release the job and retry on transient errors, fail it otherwise."""
    logs.job_id.set(job_id)
    runtime = task.app.runtime  # type: ignore[attr-defined]
    settings = runtime.settings
    claimed: jobs.Claim | None = None
    try:
        claimed = jobs.claim(runtime.sessions, uuid.UUID(job_id), settings.job_lease_seconds,
                             settings.job_max_attempts)
        if claimed is None:
            log.info("nothing to claim", extra={"job_id": job_id})
            return
        jobs.run(claimed, sessions=runtime.sessions, runner=RUNNERS[claimed.kind],
                 lease=settings.job_lease_seconds)
    except Exception as exc:
        if is_transient(exc):
            if claimed is not None:
                _release_quietly(runtime, claimed)
            raise task.retry(exc=TransientError(str(exc)), countdown=_backoff(task)) from exc
        if claimed is not None:
            jobs.fail_unexpectedly(runtime.sessions, claimed, exc)
        raise


def _backoff(task: Task[Any, Any]) -> int:
    """Exponential backoff with full jitter; Celery applies RETRY's options only to autoretry."""
    return get_exponential_backoff_interval(
        factor=RETRY["retry_backoff"], retries=task.request.retries,
        maximum=RETRY["retry_backoff_max"], full_jitter=bool(RETRY["retry_jitter"]))


def _release_quietly(runtime: Any, claimed: jobs.Claim) -> None:
    try:
        jobs.release(runtime.sessions, claimed)
    except Exception:  # still down: the lease lapses and the sweep hands the job on
        log.warning("could not release job", exc_info=True, extra={"job_id": str(claimed.job_id)})


@shared_task(name="workers.add_availability", bind=True, **RETRY)
def add_availability(self: Task[Any, Any], job_id: str) -> None:
    execute(self, job_id)


@shared_task(name="workers.remove_availability", bind=True, **RETRY)
def remove_availability(self: Task[Any, Any], job_id: str) -> None:
    execute(self, job_id)


@shared_task(name="workers.import_availability", bind=True, **RETRY)
def import_availability(self: Task[Any, Any], job_id: str) -> None:
    execute(self, job_id)


@shared_task(name="workers.run_match", bind=True, **RETRY)
def run_match(self: Task[Any, Any], job_id: str) -> None:
    execute(self, job_id)


@shared_task(name="workers.deliver_webhook", bind=True, **RETRY)
def deliver_webhook(self: Task[Any, Any], delivery_id: str) -> None:
    """One attempt; later ones are scheduled in the database and published by the sweep."""
    runtime = self.app.runtime  # type: ignore[attr-defined]
    try:
        deliveries.attempt(runtime.sessions, uuid.UUID(delivery_id),
                           allow_private=runtime.settings.webhook_allow_private_networks,
                           lease=runtime.settings.job_lease_seconds)
    except Exception as exc:
        if is_transient(exc):
            raise self.retry(exc=TransientError(str(exc)), countdown=_backoff(self)) from exc
        raise
