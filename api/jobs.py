"""Jobs: GET /v1/jobs and /v1/jobs/{id}."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api import schemas
from api.auth import caller
from api.db import db
from api.endpoint import endpoint
from api.pagination import answer, each, page
from models import Job
from workers import jobs, resources

bp = Blueprint("jobs", __name__)
JOBS_AT_A_TIME = 10  # a job's result can be megabytes (a match's): few are read at once


@bp.get("/jobs/<job_id>")
@endpoint("Get a job", tag="jobs", responses={200: schemas.Job})
def get_job(job_id: str) -> Response:
    return jsonify(resources.job(jobs.visible(db(), job_id, caller())))


@bp.get("/jobs")
@endpoint("List jobs (admins see all, others their own)", tag="jobs", query=schemas.JobsQuery,
          responses={200: schemas.Jobs})
def list_jobs(query: schemas.JobsQuery) -> Response:
    return answer("jobs", *page(db(), jobs.listing(caller(), query.status, query.kind),
                                order=Job.submitted_at, ident=Job.id, limit=query.limit,
                                cursor=query.cursor, render=each(resources.job),
                                fetch=JOBS_AT_A_TIME))
