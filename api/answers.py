"""The answers every resource gives alike: 201 with its Location, 202 with the job, and
`Prefer: wait`, which turns a 202 into the finished job when it finishes in time.

A waiting request holds one of the server's request threads, so a process lets only a few
requests wait at once (`PREFER_WAIT_SLOTS`); beyond them the 202 is answered at once, and the
threads stay free for everyone else's requests, `/healthz` included.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, jsonify, request

from api.db import runtime
from models import Job
from workers import jobs, resources

MAX_WAIT = 30.0
SEATS = "interview_calendar_wait_seats"
WAIT = re.compile(r"(?:^|[;,\s])wait\s*=\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def created(body: dict[str, Any], location: str | None = None, status: int = 201) -> Response:
    """`status` (201 by default) with the body, and the new resource's address."""
    response = jsonify(body)
    response.status_code = status
    if location is not None:
        response.headers["Location"] = location
    return response


def accepted(job: Job) -> Response:
    """202 with the job (and its callback_secret) and its Location."""
    extra = {"callback_secret": job.callback_secret} if job.callback_secret else {}
    return created({**resources.job(job), **extra}, f"/v1/jobs/{job.id}", status=202)


def register(app: Flask, slots: int) -> None:
    """At most `slots` requests of this app wait for their job at any one time."""
    app.extensions[SEATS] = threading.BoundedSemaphore(slots)


def _wait_seconds() -> float | None:
    match = WAIT.search(request.headers.get("Prefer", ""))
    return min(float(match.group(1)), MAX_WAIT) if match else None


def waits(view: Callable[..., Response]) -> Callable[..., Response]:
    """Honour `Prefer: wait=N` (N ≤ 30) on a view that answers 202 with a job, once the job is
    committed: 200 with the finished job if it finishes in time, else the 202."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = view(*args, **kwargs)
        seconds = _wait_seconds()
        location = response.headers.get("Location", "")
        if response.status_code != 202 or seconds is None or not location.startswith("/v1/jobs/"):
            return response
        seats: threading.BoundedSemaphore = current_app.extensions[SEATS]
        if not seats.acquire(blocking=False):
            return response  # every seat is taken: the 202 now, without Preference-Applied
        rt = runtime()
        try:
            finished = jobs.wait_finished(rt.readers, uuid.UUID(location.rsplit("/", 1)[1]),
                                          seconds, rt.clock)
        finally:
            seats.release()
        if finished is not None:  # the same answer (its headers too), with the finished job
            response.set_data(jsonify({**response.get_json(), **resources.job(finished)})
                              .get_data())
            response.status_code = 200
        response.headers["Preference-Applied"] = f"wait={seconds:g}"
        return response

    return wrapper
