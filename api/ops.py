"""Operations endpoints: liveness, readiness, and the landing page."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from api.db import runtime
from models import read_only

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers and the broker accepts a connection."""
    rt = runtime()
    checks = {"database": "ok", "broker": "ok"}
    try:
        with read_only(rt.engine).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the reason is reported
        checks["database"] = type(exc).__name__
    if not rt.settings.embedded:
        try:
            with rt.celery.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            checks["broker"] = type(exc).__name__
    ready = all(v == "ok" for v in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response
