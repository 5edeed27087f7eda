"""Mutating views run in one transaction, committed only on success, with Idempotency-Key.

The key is claimed in a short transaction of its own, so a duplicate that arrives while the
first request is in flight sees the claim and gets 409. The first request's answer is stored in
the same transaction as its effect, so a retry after success replays it and creates nothing.
A request that fails releases the claim: its retry is validated again and fails the same way.
A new API key in an answer is not kept: its replay says `api_key: null`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Response, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from api.auth import caller
from api.db import db, runtime
from api.errors import ApiError
from models import IdempotencyKey

log = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(minutes=5)


def _request_hash() -> str:
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(request.method.encode() + request.path.encode() + b"\0" +
                          canonical).hexdigest()


def _claim(key: str, digest: str) -> Response | None:
    """Claim the key; or return the stored answer to replay; or raise 409/422."""
    owner, now = caller().key_id, runtime().clock.now()
    with runtime().sessions.begin() as session:
        try:
            with session.begin_nested():
                session.add(IdempotencyKey(api_key_id=owner, key=key, request_hash=digest,
                                           created_at=now))
            return None
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
        if now - stored.created_at < ABANDONED_AFTER:
            raise ApiError(409, "a request with this Idempotency-Key is still being processed")
        stored.created_at = now  # the first request died; this one takes over
        return None


def _release(key: str) -> None:
    try:
        with runtime().sessions.begin() as session:
            session.execute(delete(IdempotencyKey).where(
                IdempotencyKey.api_key_id == caller().key_id, IdempotencyKey.key == key,
                IdempotencyKey.response_status.is_(None)))
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
        if key is not None and (replay := _claim(key, _request_hash())) is not None:
            return replay
        session = db()
        try:
            response = view(*args, **kwargs)
            if key is not None:
                session.execute(update(IdempotencyKey).where(
                    IdempotencyKey.api_key_id == caller().key_id, IdempotencyKey.key == key
                ).values(response_status=response.status_code,
                         response_body=_storable(response.get_json()),
                         response_location=response.headers.get("Location")))
            session.commit()
            return response
        except BaseException:
            session.rollback()
            if key is not None:
                _release(key)
            raise

    return wrapper
