"""Errors by kind: a domain failure ends a job with a problem; a transient one is retried."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem object; `type` is derived from the title so each kind has one URI."""
    slug = "-".join(title.lower().replace(",", "").split())
    return {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail,
            **extra}


class JobFailed(Exception):
    """The job cannot succeed given the calendar's state; it fails with this problem, no retry."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.problem = problem(status, title, detail, **extra)


class CalendarChanged(Exception):
    """What the job read changed before it wrote; it reads and solves again."""


class Superseded(Exception):
    """Another attempt of the same job finished first; this attempt's writes are discarded."""


def is_transient(exc: BaseException) -> bool:
    """Database connection trouble that a later attempt may not meet."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
