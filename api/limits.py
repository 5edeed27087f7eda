"""Abuse limits per person: reads, writes, and match submissions more strictly.

A limit is kept per person, whatever key they send: a person who mints more keys gets no more.
Admin keys name no person and no administrator either (an admin key is any coordinator's), so
each admin key is its own principal; admins are the ones who mint admin keys, and may do
anything with one anyway. Failed authentication is limited per client address (api/lockout.py),
in the same counts (api/counts.py), one `Counts` per app, so apps built side by side in one
process never share them unless they share a Redis.

The limits wrap the app's own /v1 view functions rather than running as a before_request hook:
the key of a limit is the caller's person, known only after the /v1 blueprint's
authentication. Every request that reaches a view counts once against each limit of its method
(a 403 or a 422 too), never a 401; which limits those are is worked out once per endpoint here,
so a request costs a dictionary lookup and one counter call per limit.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, NamedTuple

from flask import Flask, request
from limits import RateLimitItem, parse_many

from api import lockout
from api.auth import caller
from api.counts import Counts, storage_url
from api.errors import ApiError
from workers.clock import Clock
from workers.settings import Settings

log = logging.getLogger(__name__)

READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MATCH_ENDPOINT = "v1.matches.create_match"


class Limit(NamedTuple):
    """One rate of a setting, and the name its counts are kept under."""

    scope: str
    item: RateLimitItem


def register(app: Flask, settings: Settings, clock: Clock) -> None:
    """Limit the app's /v1 views and failed authentication; call after every blueprint is
    registered."""
    url = storage_url(settings)
    if url == "memory://" and not settings.embedded:
        log.warning("rate limits are counted in each process's memory: set "
                    "RATE_LIMIT_STORAGE_URL=redis://... to share them between processes")
    counts = Counts(url, clock)
    lockout.register(app, counts, settings.rate_limit_failed_auth)
    reads = _limits("reads", settings.rate_limit_reads)
    writes = _limits("writes", settings.rate_limit_writes)
    matches = _limits("matches", settings.rate_limit_matches)
    by_method = {**dict.fromkeys(READ_METHODS, reads), **dict.fromkeys(WRITE_METHODS, writes)}
    for endpoint, view in list(app.view_functions.items()):
        if not endpoint.startswith("v1."):
            continue
        own = matches if endpoint == MATCH_ENDPOINT else ()
        per_method = {method: _shortest_first(limits + own)
                      for method, limits in by_method.items()}
        app.view_functions[endpoint] = _limited(view, counts, per_method, own)


def _limits(scope: str, rate: str) -> tuple[Limit, ...]:
    return tuple(Limit(scope, item) for item in parse_many(rate))


def _shortest_first(limits: tuple[Limit, ...]) -> tuple[Limit, ...]:
    """The order a request is counted in, stopping at the first limit it would pass."""
    return tuple(sorted(limits, key=lambda limit: limit.item.get_expiry()))


def _limited(view: Callable[..., Any], counts: Counts,
             per_method: Mapping[str, tuple[Limit, ...]],
             any_method: tuple[Limit, ...]) -> Callable[..., Any]:
    """`view`, counted first against the limits of the request's method (`any_method` for a
    method with none of its own)."""

    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        _spend(counts, per_method.get(request.method, any_method))
        return view(*args, **kwargs)

    return limited


def _spend(counts: Counts, limits: tuple[Limit, ...]) -> None:
    """Count the request against each limit in turn; 429 at the first it would pass."""
    if not limits:
        return
    who = _principal()
    for limit in limits:
        until = counts.spend(limit.item, who, limit.scope)
        if until is not None:
            raise _too_many(limit, who, until)


def _principal() -> str:
    """Whose budget a request spends: the person's, whichever of their keys it sends."""
    who = caller()
    return f"person:{who.person_id}" if who.person_id else f"admin-key:{who.key_id}"


def _too_many(limit: Limit, who: str, until: float) -> ApiError:
    retry_after = min(max(1, math.ceil(until - time.time())), limit.item.get_expiry())
    whose = "this person" if who.startswith("person:") else "this admin key"
    return ApiError(429, f"more than {limit.item} ({limit.scope}) for {whose}; retry in "
                    f"{retry_after} s", headers={"Retry-After": str(retry_after)})
