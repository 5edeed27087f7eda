"""Abuse limits per person: reads, writes, and match submissions more strictly.

A limit is kept per person, whatever key they send: a person who mints more keys gets no more.
Admin keys name no person and no administrator either (an admin key is any coordinator's), so
each admin key is its own principal; admins are the ones who mint admin keys, and may do
anything with one anyway. Failed authentication is limited per client address (api/lockout.py),
in the same storage.

One flask-limiter `Limiter` per app (its storage, its counters), so apps built side by side in
one process never share counts unless they share a Redis. The limits wrap the app's own view
functions rather than running as a before_request hook: flask-limiter's hook runs before the
/v1 blueprint's authentication, and the key of a limit is the caller's person, known only
after it. Every request that reaches a view counts (a 403 or a 422 too), never a 401.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from api import lockout
from api.auth import caller
from api.errors import problem_response
from workers.errors import TITLES
from workers.settings import Settings

log = logging.getLogger(__name__)

READ_METHODS = ["GET", "HEAD"]
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
KEY_PREFIX = "interview-calendar"
MATCH_ENDPOINT = "v1.matches.create_match"
EXTENSION = "interview_calendar_limiter"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
STORAGE_TIMEOUT = 0.3  # seconds, per Redis call of the limiter


def storage_url(settings: Settings) -> str:
    """RATE_LIMIT_STORAGE_URL; else a Redis broker's own Redis; else this process's memory."""
    if settings.rate_limit_storage_url:
        return settings.rate_limit_storage_url
    if settings.broker_url and settings.broker_url.startswith(REDIS_SCHEMES):
        return settings.broker_url
    return "memory://"


def _principal() -> str:
    """Whose budget a request spends: the person's, whichever of their keys it sends."""
    who = caller()
    return f"person:{who.person_id}" if who.person_id else f"admin-key:{who.key_id}"


def register(app: Flask, settings: Settings) -> Limiter:
    """Limit the app's /v1 views and failed authentication; call after every blueprint is
    registered."""
    url = storage_url(settings)
    if url == "memory://" and not settings.embedded:
        log.warning("rate limits are counted in each process's memory: set "
                    "RATE_LIMIT_STORAGE_URL=redis://... to share them between processes")
    # Short timeouts: a hung Redis (often the broker itself) must not hold up the writes that
    # the outbox accepts during a broker outage; the limiter then counts in memory for a while.
    options: dict[str, str | int | float] = (
        {"socket_timeout": STORAGE_TIMEOUT, "socket_connect_timeout": STORAGE_TIMEOUT}
        if url.startswith(REDIS_SCHEMES) else {})
    limiter = Limiter(_principal, storage_uri=url,
                      storage_options=options,  # type: ignore[arg-type]
                      strategy="moving-window", key_prefix=KEY_PREFIX,
                      swallow_errors=True, in_memory_fallback_enabled=True)
    limiter.init_app(app)
    # Only /v1 is limited: the rest (health, metrics, the page) skips the limiter's hooks.
    limiter.request_filter(lambda: not (request.endpoint or "").startswith("v1."))
    app.extensions[EXTENSION] = limiter
    lockout.register(app, limiter, settings.rate_limit_failed_auth, KEY_PREFIX)
    reads = limiter.shared_limit(settings.rate_limit_reads, scope="reads", methods=READ_METHODS)
    writes = limiter.shared_limit(settings.rate_limit_writes, scope="writes",
                                  methods=WRITE_METHODS)
    matches = limiter.shared_limit(settings.rate_limit_matches, scope="matches")
    for endpoint, view in list(app.view_functions.items()):
        if not endpoint.startswith("v1."):
            continue
        limited: Any = reads(writes(view))  # one hit a request: the method picks the limit
        if endpoint == MATCH_ENDPOINT:
            limited = matches(limited)
        app.view_functions[endpoint] = limited
    app.register_error_handler(RateLimitExceeded, _too_many)
    return limiter


def _too_many(exc: RateLimitExceeded) -> Response:
    limiter: Limiter = current_app.extensions[EXTENSION]
    breached = limiter.current_limit
    try:
        wait = breached.reset_at - time.time() if breached else 1.0
    except Exception:  # the storage went away between the hit and this answer
        wait = 1.0
    retry_after = min(max(1, math.ceil(wait)), exc.limit.limit.get_expiry())
    whose = "this person" if caller().person_id else "this admin key"
    return problem_response(
        429, TITLES[429], f"more than {exc.limit.limit} ({exc.limit.scope}) for {whose}; retry in "
        f"{retry_after} s", headers={"Retry-After": str(retry_after)})
