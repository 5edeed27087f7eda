"""One error shape for every failure: application/problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from workers.errors import problem

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Payload too large",
          415: "Unsupported media type", 422: "Validation failed", 429: "Too many requests",
          503: "Service unavailable"}


class ApiError(Exception):
    """Raised by views and helpers; rendered as a problem by the one handler below."""

    def __init__(self, status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.title = title or TITLES.get(status, "Error")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, f"{field}: {message}", errors=[{"field": field, "message": message}])


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(404, f"{what} {ident} does not exist")


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
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        extra = {"errors": exc.errors} if exc.errors is not None else {}
        return problem_response(exc.status, exc.title, exc.detail, headers=exc.headers, **extra)

    @app.errorhandler(ValidationError)
    def pydantic_error(exc: ValidationError) -> Response:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(422, TITLES[422], detail, errors=errors)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(
            exc, "valid_methods", None) else None
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
