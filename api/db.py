"""The request-scoped database session, torn down with the app context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workers.queue.runtime import Runtime

log = logging.getLogger(__name__)
RUNTIME = "interview_calendar"  # the app's extension holding the process's Runtime
PER_STATEMENT = "reads_per_statement"  # the attribute `per_statement` sets on a view
V = TypeVar("V", bound=Callable[..., Any])


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions[RUNTIME]
    return rt


def per_statement(view: V) -> V:
    """Mark a GET view whose statements need not agree with each other (a slot search): its
    session reads each statement as of its own moment, a round trip each, with no BEGIN or
    ROLLBACK (`models.per_statement`). Other GET views read as of one moment."""
    setattr(view, PER_STATEMENT, True)
    return view


def db() -> Session:
    """The request's session; GET and HEAD requests never write, so theirs is read-only."""
    if "db" not in g:
        rt = runtime()
        if request.method not in ("GET", "HEAD"):
            g.db = rt.sessions()
        else:
            view = current_app.view_functions.get(request.endpoint or "")
            g.db = (rt.statements if getattr(view, PER_STATEMENT, False) else rt.readers)()
    session: Session = g.db
    return session


def register(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is None:
            return
        try:
            session.close()
        except SQLAlchemyError:
            # Its connection died under it (the database restarted): the answer is made
            # already, and the pool has dropped the connection.
            log.warning("could not close the request's session", exc_info=True)
