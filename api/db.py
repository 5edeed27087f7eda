"""The request-scoped database session, torn down with the app context."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from workers.runtime import Runtime


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["interview_calendar"]
    return rt


def db() -> Session:
    if "db" not in g:
        g.db = runtime().sessions()
    session: Session = g.db
    return session


def register(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()
