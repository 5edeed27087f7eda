"""The benchmark's baselines on the service's own server: the least a request can cost.

Registered only with BENCH_ENDPOINTS=1; no `@endpoint`, so they are not in /openapi.json.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from api.db import db, per_statement

bp = Blueprint("bench_endpoints", __name__, url_prefix="/bench")


@bp.get("/hello")
def hello() -> Response:
    """A JSON answer and nothing else: the web stack's own cost."""
    return jsonify({"hello": "world"})


@bp.get("/select")
@per_statement
def select_one() -> Response:
    """One SELECT on the request's session: the web stack plus one database round trip (as a
    slot search's session reads)."""
    return jsonify({"one": db().scalar(text("SELECT 1"))})
