"""One attempt at a job or a webhook delivery: claim it, run it under a renewed lease, settle.

What each kind of job does is the operations' (RUNNERS); how an attempt is held, and what a
failure does to it, is this module's.
"""

from __future__ import annotations

import logging
import random
import uuid
from functools import partial

from models import WebhookDelivery
from workers import availability, calendar_reads, calendars, deliveries, matches
from workers.errors import is_transient
from workers.queue import lifecycle
from workers.queue.runtime import Runtime

log = logging.getLogger(__name__)

RUNNERS: dict[str, lifecycle.Runner] = dict(availability.RUNNERS)


def _prepare(runtime: Runtime, claimed: lifecycle.Claim) -> lifecycle.Prepare:
    """What runs the claimed job: its kind's runner, or for a calendar's read, the read first
    (outside any transaction) and then the runner that records it."""
    if claimed.kind == calendars.SYNC:
        return lambda: calendar_reads.sync_job(runtime.readers, runtime.settings,
                                               runtime.resolver, runtime.clock.now(),
                                               claimed.payload)
    if claimed.kind == matches.KIND:  # caps count in people's zones, CALENDAR_TZ by default
        return lambda: partial(matches.run, tz=runtime.settings.tz)
    return lambda: RUNNERS[claimed.kind]


def run_job(runtime: Runtime, job_id: uuid.UUID) -> None:
    """Run one attempt. On a transient error the job is given back to the queue and the error
    raised (the task retries); on another, the job fails and the error is raised."""
    settings, clock = runtime.settings, runtime.clock
    claimed = lifecycle.claim(runtime.statements, job_id, settings.job_lease_seconds,
                         settings.job_max_attempts, clock.now())
    if claimed is None:
        log.info("nothing to claim", extra={"job_id": str(job_id)})
        return
    try:
        lifecycle.run(claimed, sessions=runtime.sessions, prepare=_prepare(runtime, claimed),
                 lease=settings.job_lease_seconds, renewer=runtime.renewer, clock=clock)
    except Exception as exc:
        if is_transient(exc):
            _release_quietly(runtime, claimed)
        else:
            lifecycle.fail_unexpectedly(runtime.sessions, claimed, exc, clock.now())
        raise


def _release_quietly(runtime: Runtime, claimed: lifecycle.Claim) -> None:
    try:
        lifecycle.release(runtime.sessions, claimed)
    except Exception:  # still down: the lease lapses and the sweep hands the job on
        log.warning("could not release job", exc_info=True, extra={"job_id": str(claimed.job_id)})


def deliver(runtime: Runtime, delivery_id: uuid.UUID,
            rng: random.Random | None = None) -> str | None:
    """Run one attempt of a delivery, holding it under a renewed lease; the status it is left
    in, or None if nothing to claim. Later attempts are scheduled in the database and published
    by the sweep when due."""
    lease, clock = runtime.settings.job_lease_seconds, runtime.clock
    claimed = deliveries.claim(runtime.sessions, delivery_id, lease, clock.now())
    if claimed is None:
        log.info("nothing to claim for delivery %s", delivery_id)
        return None
    with runtime.renewer.held(runtime.sessions, WebhookDelivery, deliveries.held(claimed),
                              lease, str(delivery_id)):
        outcome, unexpected = deliveries.send(
            claimed, clock, allow_private=runtime.settings.webhook_allow_private_networks,
            deadline=runtime.settings.delivery_deadline_seconds, resolver=runtime.resolver)
    with runtime.sessions.begin() as session:
        status = deliveries.settle(session, claimed, outcome, rng or random.Random())
    if unexpected is not None:
        raise unexpected
    return status


def refresh_calendar(runtime: Runtime, calendar_id: uuid.UUID) -> str:
    """The sweep's periodic read of a calendar (not a job); its status afterwards."""
    return calendar_reads.refresh(runtime.sessions, runtime.settings, runtime.resolver,
                                  runtime.clock.now(), calendar_id)
