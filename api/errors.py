"""One error shape for every failure: application/problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from workers.errors import TITLES, Problem, problem

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ApiError(Problem):
    """A problem of the HTTP exchange itself (authentication, headers, the body's syntax),
    which may carry headers of its own."""

    def __init__(self, status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, detail, errors=errors)
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str, *,
                     headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body = problem(status, title, detail, **extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON, headers=headers)


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """pydantic errors as `{field, message}` with dotted/indexed field paths."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ""
        for part in err["loc"]:
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        message = err["msg"].removeprefix("Value error, ")
        out.append({"field": field or "body", "message": message})
    return out


def register(app: Flask) -> None:
    @app.errorhandler(Problem)
    def domain_problem(exc: Problem) -> Response:
        """Every rule broken, in the domain or in the exchange, answers the same way."""
        extra = {"errors": exc.errors} if exc.errors is not None else {}
        return problem_response(exc.status, exc.title, exc.detail,
                                headers=getattr(exc, "headers", None), **extra)

    @app.errorhandler(ValidationError)
    def pydantic_error(exc: ValidationError) -> Response:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(422, TITLES[422], detail, errors=errors)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        allowed = getattr(exc, "valid_methods", None)
        headers = {"Allow": ", ".join(allowed)} if allowed else None
        return problem_response(status, TITLES.get(status, exc.name), exc.description or exc.name,
                                headers=headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_down(exc: DBAPIError) -> Response:
        if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
            return unexpected(exc)
        log.warning("database unavailable", exc_info=True)
        return problem_response(503, TITLES[503], "the database is unavailable; try again shortly",
                                headers={"Retry-After": "2"})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return problem_response(500, "Internal error", "an unexpected error occurred")
