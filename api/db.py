"""The request-scoped database session, torn down with the app context."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workers.queue.runtime import Runtime

log = logging.getLogger(__name__)
RUNTIME = "interview_calendar"  # the app's extension holding the process's Runtime


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions[RUNTIME]
    return rt


def db() -> Session:
    """The request's session; GET and HEAD requests never write, so theirs is read-only."""
    if "db" not in g:
        rt = runtime()
        g.db = (rt.readers if request.method in ("GET", "HEAD") else rt.sessions)()
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
