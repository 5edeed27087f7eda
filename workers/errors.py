"""Errors by kind. A domain error is a problem (RFC 9457): the API answers with it, and a job
that raises it fails with it, never retried. A transient error (the database unreachable) is
retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Payload too large",
          415: "Unsupported media type", 422: "Validation failed", 429: "Too many requests",
          503: "Service unavailable"}


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem object; `type` is derived from the title so each kind has one URI."""
    slug = "-".join(title.lower().replace(",", "").split())
    return {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
            **extra}


class Problem(Exception):
    """A rule the request or the calendar's state breaks; the message says which."""

    def __init__(self, status: int, detail: str, *,
                 errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = TITLES.get(status, "Error")
        self.errors = errors
        self.also_write: Callable[[Session], None] | None = None
        """what a job that fails with this problem records beside its failure (a calendar's
        error), in the same transaction"""

    @property
    def problem(self) -> dict[str, Any]:
        return problem(self.status, self.title, self.detail,
                       **({"errors": self.errors} if self.errors is not None else {}))


class NotFound(Problem):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(404, f"{what} {ident} does not exist")


class Forbidden(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(403, detail)


class Conflict(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(409, detail)


class Invalid(Problem):
    """422 naming the field; `field` is `body` for a rule on the whole request."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, f"{field}: {message}", errors=[{"field": field, "message": message}])


class CalendarChanged(Exception):
    """What the job read changed before it wrote; it reads and solves again."""


class Superseded(Exception):
    """Another attempt of the same job finished first; this attempt's writes are discarded."""


def is_transient(exc: BaseException) -> bool:
    """Database connection trouble that a later attempt may not meet."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
