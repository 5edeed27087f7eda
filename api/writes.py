"""Mutating views run in one transaction, committed only on success, with Idempotency-Key.

The key is claimed in a short transaction of its own, so a duplicate that arrives while the
first request is in flight sees the claim and gets 409. The first request's answer is stored in
the same transaction as its effect, so a retry after success replays it and creates nothing.
A request that fails releases the claim: its retry is validated again and fails the same way.
A new API key in an answer is not kept: its replay says `api_key: null`.

A request whose server died leaves its claim behind. A claim counts for `CLAIM_LIFETIME`, longer
than a write request takes; after it a retry takes the claim over and runs as a fresh request.
The claim's time is its token: a request commits its effect only while the claim is still its
own, so a slow first request that lost its claim applies nothing, and the write happens once.
A server that is the calendar's only one (embedded) releases every unanswered claim as it starts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import Response, request
from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from api.auth import caller
from api.db import db, runtime
from api.errors import ApiError
from models import IdempotencyKey, SessionFactory

log = logging.getLogger(__name__)

CLAIM_LIFETIME = timedelta(seconds=30)


def _request_hash() -> str:
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(request.method.encode() + request.path.encode() + b"\0" +
                          canonical).hexdigest()


def _claim(key: str, digest: str) -> Response | datetime:
    """Claim the key and return the claim's time; or the stored answer to replay; or raise
    409/422."""
    owner, now = caller().key_id, runtime().clock.now()
    with runtime().sessions.begin() as session:
        try:
            with session.begin_nested():
                session.add(IdempotencyKey(api_key_id=owner, key=key, request_hash=digest,
                                           created_at=now))
            return now
        except IntegrityError:
            pass
        stored = session.scalar(select(IdempotencyKey).where(
            IdempotencyKey.api_key_id == owner, IdempotencyKey.key == key).with_for_update())
        if stored is None:
            raise ApiError(409, "a request with this Idempotency-Key is being processed")
        if stored.request_hash != digest:
            raise ApiError(422, "this Idempotency-Key was used with a different request")
        if stored.response_status is not None:
            headers = {"Idempotent-Replayed": "true"}
            if stored.response_location:
                headers["Location"] = stored.response_location
            return Response(json.dumps(stored.response_body), status=stored.response_status,
                            mimetype="application/json", headers=headers)
        if now - stored.created_at < CLAIM_LIFETIME:
            raise ApiError(409, "a request with this Idempotency-Key is still being processed",
                           headers={"Retry-After": "1"})
        stored.created_at = now  # the first request died or overran; this one takes over
        return now


def _own(key: str, claimed_at: datetime) -> ColumnElement[bool]:
    """The claim this request made, unanswered and not taken over by a retry."""
    return and_(IdempotencyKey.api_key_id == caller().key_id, IdempotencyKey.key == key,
                IdempotencyKey.created_at == claimed_at, IdempotencyKey.response_status.is_(None))


def _release(key: str, claimed_at: datetime) -> None:
    try:
        with runtime().sessions.begin() as session:
            session.execute(delete(IdempotencyKey).where(_own(key, claimed_at)))
    except SQLAlchemyError:  # the claim is then taken over once it counts as abandoned
        log.warning("could not release an idempotency key", exc_info=True)


def _storable(body: Any) -> Any:
    """The answer as it is kept for replays: an API key is stored only as its hash, so a
    replay carries `api_key: null` (the caller issues another key if the first was lost)."""
    if isinstance(body, dict) and body.get("api_key"):
        return {**body, "api_key": None}
    return body


def write(view: Callable[..., Response]) -> Callable[..., Response]:
    """Run the view in the request's transaction; commit on 2xx, roll back otherwise."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
        if key is not None and not 1 <= len(key) <= 255:
            raise ApiError(422, "Idempotency-Key must be 1 to 255 characters",
                           errors=[{"field": "Idempotency-Key", "message": "1 to 255 characters"}])
        claimed_at = None
        if key is not None:
            claim = _claim(key, _request_hash())
            if isinstance(claim, Response):
                return claim
            claimed_at = claim
        session = db()
        try:
            response = view(*args, **kwargs)
            if key is not None and claimed_at is not None:
                answered = session.execute(update(IdempotencyKey).where(
                    _own(key, claimed_at)
                ).values(response_status=response.status_code,
                         response_body=_storable(response.get_json()),
                         response_location=response.headers.get("Location")))
                if answered.rowcount != 1:  # type: ignore[attr-defined]
                    raise ApiError(409, "this request outlived its Idempotency-Key claim and a "
                                   "retry took it over: nothing was changed by this one")
            session.commit()
            return response
        except BaseException:
            session.rollback()
            if key is not None and claimed_at is not None:
                _release(key, claimed_at)
            raise

    return wrapper


def release_unanswered(sessions: SessionFactory) -> int:
    """Drop every claim still waiting for its answer: for a server that is the calendar's only
    one, as it starts, since no request of before can still be running."""
    with sessions.begin() as session:
        released = session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.response_status.is_(None)))
        return int(released.rowcount)  # type: ignore[attr-defined]
