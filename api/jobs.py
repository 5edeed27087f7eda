"""Jobs: GET /v1/jobs and /v1/jobs/{id}."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api import schemas
from api.auth import caller
from api.db import db
from api.endpoint import endpoint
from api.pagination import page
from models import Job
from workers import jobs, resources

bp = Blueprint("jobs", __name__)


@bp.get("/jobs/<job_id>")
@endpoint("Get a job", tag="jobs", responses={200: schemas.Job})
def get_job(job_id: str) -> Response:
    return jsonify(resources.job(jobs.visible(db(), job_id, caller())))


@bp.get("/jobs")
@endpoint("List jobs (admins see all, others their own)", tag="jobs", query=schemas.JobsQuery,
          responses={200: schemas.Jobs})
def list_jobs(query: schemas.JobsQuery) -> Response:
    items, nxt = page(db(), jobs.listing(caller(), query.status, query.kind),
                      order=Job.submitted_at, ident=Job.id, limit=query.limit,
                      cursor=query.cursor, render=resources.job)
    return jsonify({"jobs": items, "next": nxt})
