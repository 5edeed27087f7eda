"""Helpers for the worker tests: runtimes on the memory broker, people, jobs, and queue reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update

from models import AvailabilityHour, Job, Person
from scheduling.hours import HOUR, Range
from tests.conftest import TABLES, truncate_all
from workers import outbox
from workers.availability import encode_ranges
from workers.clock import Clock
from workers.queue import routes
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime
from workers.settings import Settings

BASE = datetime(2030, 1, 7, tzinfo=UTC)  # hours well in the future; runners do not read a clock


@dataclass(frozen=True)
class Message:
    """A task message as a worker would receive it, and the queue it was taken from."""

    task: str
    job_id: str
    headers: dict[str, Any]
    queue: str


def at(hour: int) -> datetime:
    return BASE + hour * HOUR


def ranges(*spans: tuple[int, int]) -> list[list[str]]:
    """Ranges as a job's payload holds them, from (first hour, end hour) offsets of BASE."""
    return encode_ranges(Range(at(a), at(b)) for a, b in spans)


def make_runtime(database_url: str, clock: Clock | None = None, **overrides: Any) -> Runtime:
    """A runtime publishing to a queue of its own. With a `clock`, time moves only when the
    test moves it, and leases are renewed only when the test asks (`renewer.renew_due`)."""
    settings = replace(Settings.from_env({}), **{"database_url": database_url,
                                                 "broker_url": None, **overrides})
    runtime = create_runtime(settings, clock, renew_in_background=clock is None)
    runtime.celery.conf.task_default_queue = f"tests-workers-{uuid.uuid4().hex[:12]}"
    return runtime


def drain(runtime: Runtime) -> list[Message]:
    """Take every message waiting in the runtime's queues, the jobs' then the deliveries',
    each oldest first, once its publisher has sent (or marked for the sweep) every message
    committed so far."""
    assert runtime.publisher.wait_idle(10), "the publisher is still sending"
    messages: list[Message] = []
    with runtime.celery.connection_for_read() as conn:
        for name in routes.queues_for(runtime.celery, "all"):
            queue = conn.SimpleQueue(name, no_ack=True)
            try:
                while queue.qsize():
                    msg = queue.get(block=False)
                    messages.append(Message(msg.headers["task"], msg.payload[0][0],
                                            dict(msg.headers), name))
            finally:
                queue.close()
    return messages


def clear(runtime: Runtime) -> None:
    """Empty every table and the runtime's queue."""
    if runtime.engine.dialect.name == "postgresql":
        truncate_all(runtime.settings.database_url)
    else:
        with runtime.engine.begin() as conn:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
    drain(runtime)


def add_person(runtime: Runtime, role: str = "interviewer", name: str = "Pat") -> uuid.UUID:
    person_id = uuid.uuid4()
    email = f"{person_id}@example.com"
    with runtime.sessions.begin() as session:
        session.add(Person(id=person_id, name=name, email=email, email_key=email, role=role))
    return person_id


def add_hours(runtime: Runtime, person_id: uuid.UUID, *hours: int) -> None:
    with runtime.sessions.begin() as session:
        role = session.scalar(select(Person.role).where(Person.id == person_id))
        session.add_all(AvailabilityHour(person_id=person_id, start=at(h), role=role)
                        for h in hours)


def submit(runtime: Runtime, kind: str, payload: dict[str, Any]) -> uuid.UUID:
    """Accept a job as the API does: the row now, its message after commit."""
    with runtime.sessions.begin() as session:
        return outbox.submit(session, kind, payload, now=runtime.clock.now(), submitted_by=None).id


def deliver(runtime: Runtime, job_id: uuid.UUID) -> None:
    """Hand the job's message to its Celery task, as a worker does on delivery."""
    kind = job_row(runtime, job_id).kind
    runtime.celery.tasks[routes.TASKS[kind]](str(job_id))


def job_row(runtime: Runtime, job_id: uuid.UUID) -> Job:
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None, f"job {job_id} is not in the database"
        return job


def set_job(runtime: Runtime, job_id: uuid.UUID, **values: Any) -> None:
    """Move a job's columns as time or a dead worker would."""
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))


def hours_of(runtime: Runtime, person_id: uuid.UUID | None = None) -> set[datetime]:
    with runtime.sessions() as session:
        query = select(AvailabilityHour.start)
        if person_id is not None:
            query = query.where(AvailabilityHour.person_id == person_id)
        return set(session.scalars(query))


def all_hours(runtime: Runtime) -> set[tuple[uuid.UUID, datetime]]:
    with runtime.sessions() as session:
        return {(row.person_id, row.start) for row in session.execute(
            select(AvailabilityHour.person_id, AvailabilityHour.start))}
