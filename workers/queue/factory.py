"""Builds a process's Runtime: engine, sessions, the Celery app with its tasks, and the outbox
wired to the broker (committed messages are published after commit)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from models import make_engine, make_session_factory, per_statement, read_only
from workers import outbox
from workers.clock import Clock, SystemClock
from workers.principals import Principals
from workers.queue import celery_app, routes, tasks
from workers.queue.leases import Renewer
from workers.queue.publisher import Publisher
from workers.queue.runtime import Runtime
from workers.settings import Settings


def create_runtime(settings: Settings, clock: Clock | None = None, *,
                   renew_in_background: bool = True,
                   statement_timeout: int | None = None) -> Runtime:
    """The runtime of one process. `renew_in_background` False leaves lease renewals to
    whoever moves the clock (tests); `statement_timeout` bounds each database statement
    (seconds, PostgreSQL), for processes that run no job."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url, statement_timeout=statement_timeout)
    sessions = make_session_factory(engine)
    celery = celery_app.create_celery(settings)
    runtime = Runtime(
        settings=settings, clock=clock, engine=engine, sessions=sessions,
        readers=make_session_factory(read_only(engine)),
        statements=make_session_factory(per_statement(engine)), celery=celery,
        publisher=Publisher(lambda messages: routes.publish_all(celery, sessions, messages)),
        renewer=Renewer(clock, background=renew_in_background),
        # SQLite is one process reading its own file: exact without a cache.
        principals=Principals(engine, clock) if engine.dialect.name == "postgresql" else None)
    tasks.register(runtime)

    def publish_committed(session: Session) -> None:
        runtime.publisher.put(outbox.take(session))

    event.listen(sessions, "after_commit", publish_committed)
    event.listen(sessions, "after_rollback", outbox.take)  # nothing committed, nothing to send
    return runtime
