"""What a process needs to do work: settings, the database, and the broker, built once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, event

from models import SessionFactory, make_engine, make_session_factory, read_only
from workers import dispatch
from workers.celery_app import CalendarCelery, create_celery
from workers.publisher import Publisher
from workers.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: SessionFactory
    readers: SessionFactory  # for transactions that never write
    celery: CalendarCelery = field(init=False)
    publisher: Publisher = field(init=False)


def create_runtime(settings: Settings) -> Runtime:
    """Build the engine, sessions and Celery app; committed jobs are published after commit."""
    engine = make_engine(settings.database_url)
    runtime = Runtime(settings, engine, make_session_factory(engine),
                      make_session_factory(read_only(engine)))
    runtime.celery = create_celery(settings, runtime)
    runtime.publisher = Publisher(runtime)
    event.listen(runtime.sessions, "after_commit",
                 lambda session: dispatch.publish_pending(runtime, session))
    event.listen(runtime.sessions, "after_rollback", dispatch.forget_pending)
    return runtime
