"""Bearer authentication and role checks for everything under /v1."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import g, request

from api.db import db, runtime
from api.errors import ApiError
from api.lockout import count_failure
from workers import api_keys
from workers.callers import Caller


def authenticate() -> None:
    """before_request hook: resolve the bearer key into `g.caller`, or answer 401 (429 for a
    client address with too many of them)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        _refuse("send an API key as 'Authorization: Bearer <key>'")
    found = _lookup(key.strip())
    if found is None:
        _refuse("the API key is not valid or was revoked")
    g.caller = found


def _refuse(detail: str) -> NoReturn:
    count_failure()
    raise ApiError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="interview-calendar"'})


def _lookup(key: str) -> Caller | None:
    """Through the process's cache of principals where there is one (PostgreSQL; see
    workers/principals.py on revocation), else straight from the database."""
    principals = runtime().principals
    if principals is None:
        return _query(key)
    return principals.resolve(key, _query)


def revoking() -> None:
    """For a view that revokes keys: this process's cache forgets them as the request commits
    (the other processes hear of it from PostgreSQL)."""
    principals = runtime().principals
    if principals is not None:
        principals.forget_when_committed(db())


def _query(key: str) -> Caller | None:
    """On the request's own session, but for a write on SQLite: there a writing transaction
    takes the database's one write lock when it begins, and the Idempotency-Key claim, in a
    transaction of its own, would then wait for it until it timed out."""
    if request.method in ("GET", "HEAD") or runtime().engine.dialect.name != "sqlite":
        return api_keys.lookup(db(), key)
    with runtime().readers() as session:
        return api_keys.lookup(session, key)


def caller() -> Caller:
    current: Caller = g.caller
    return current


def roles(*allowed: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow a view to the given roles only (403 for the others)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if caller().role not in allowed:
                raise ApiError(403, f"this operation needs the role {' or '.join(allowed)}")
            return view(*args, **kwargs)

        wrapper.roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorate
