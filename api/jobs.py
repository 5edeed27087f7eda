"""Jobs: the 202 answer for asynchronous work, `Prefer: wait`, and GET /v1/jobs."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import select

from api import schemas
from api.auth import principal
from api.db import db, runtime
from api.errors import not_found
from api.operations import operation
from api.pagination import page
from models import Job
from workers import resources

bp = Blueprint("jobs", __name__)

MAX_WAIT = 30.0
WAIT = re.compile(r"(?:^|[;,\s])wait\s*=\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def render(job: Job) -> dict[str, Any]:
    """The job resource, as webhook events carry it too."""
    return resources.job(job)


def accepted(job: Job) -> Response:
    """202 with the job (and its callback_secret) and its Location; `Prefer: wait` is honoured
    after commit."""
    extra = {"callback_secret": job.callback_secret} if job.callback_secret else {}
    response = jsonify({**render(job), **extra})
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return response


def _visible(job_id: str) -> Job:
    ident = schemas.parse_id(job_id)
    job = db().get(Job, ident) if ident else None
    me = principal()
    if job is None or not (me.is_admin or job.submitted_by == me.key_id):
        raise not_found("job", job_id)
    return job


def _wait_seconds() -> float | None:
    match = WAIT.search(request.headers.get("Prefer", ""))
    return min(float(match.group(1)), MAX_WAIT) if match else None


def wait_for(job_id: uuid.UUID, seconds: float) -> Job | None:
    """Poll until the job has finished or the time is up; returns the finished job."""
    deadline = time.monotonic() + seconds
    pause = 0.01
    while True:
        with runtime().readers() as session:
            job = session.get(Job, job_id)
            if job is not None and job.status in ("succeeded", "failed"):
                return job
        if time.monotonic() + pause > deadline:
            return None
        time.sleep(pause)
        pause = min(pause * 1.5, 0.2)


def register(app: Flask) -> None:
    @app.after_request
    def honour_prefer_wait(response: Response) -> Response:
        seconds = _wait_seconds()
        location = response.headers.get("Location", "")
        if response.status_code != 202 or seconds is None or not location.startswith("/v1/jobs/"):
            return response
        finished = wait_for(uuid.UUID(location.rsplit("/", 1)[1]), seconds)
        if finished is not None:
            body = {**response.get_json(), **render(finished)}
            response.set_data(jsonify(body).get_data())
            response.status_code = 200
        response.headers["Preference-Applied"] = f"wait={seconds:g}"
        return response


@bp.get("/jobs/<job_id>")
@operation("Get a job", tag="jobs", responses={200: schemas.Job})
def get_job(job_id: str) -> Response:
    return jsonify(render(_visible(job_id)))


@bp.get("/jobs")
@operation("List jobs (admins see all, others their own)", tag="jobs", query=schemas.JobsQuery,
           responses={200: schemas.Jobs})
def list_jobs(query: schemas.JobsQuery) -> Response:
    stmt = select(Job)
    me = principal()
    if not me.is_admin:
        stmt = stmt.where(Job.submitted_by == me.key_id)
    if query.status:
        stmt = stmt.where(Job.status == query.status)
    if query.kind:
        stmt = stmt.where(Job.kind == query.kind)
    items, nxt = page(db(), stmt, order=Job.submitted_at, ident=Job.id, limit=query.limit,
                      cursor=query.cursor, render=render)
    return jsonify({"jobs": items, "next": nxt})
