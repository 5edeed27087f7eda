"""Liveness and readiness: /healthz and /readyz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.db import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Ready when the database answers and the broker accepts a connection."""
    checks = runtime().readiness()
    ready = all(v == "ok" for v in checks.values())
    response = jsonify({"status": "ready" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response
