"""The Flask application factory."""

from __future__ import annotations

from uuid import uuid4

from flask import Blueprint, Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from api import (
    answers,
    api_keys,
    availability,
    bench_endpoints,
    calendars,
    db,
    errors,
    health,
    interviews,
    jobs,
    limits,
    matches,
    metrics,
    openapi,
    people,
    plain_text,
    slots,
    web,
    webhooks,
    weekly_hours,
)
from api.auth import authenticate
from api.jsonio import OrjsonProvider
from workers import logs
from workers.queue.runtime import Runtime


def create_app(runtime: Runtime) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = runtime.settings.max_body_bytes
    app.json = OrjsonProvider(app)
    if runtime.settings.trusted_proxies:  # the client's address, for the failed-auth limit
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=runtime.settings.trusted_proxies)
    app.extensions[db.RUNTIME] = runtime

    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    v1.before_request(authenticate)
    v1.before_request(plain_text.refuse_in_request)
    for module in (people, api_keys, availability, weekly_hours, calendars, slots, matches,
                   interviews, jobs, webhooks):
        v1.register_blueprint(module.bp)
    app.register_blueprint(v1)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    if runtime.settings.bench_endpoints:  # off in production: baselines of `bench` only
        app.register_blueprint(bench_endpoints.bp)
    app.register_blueprint(web.bp)
    limits.register(app, runtime.settings, runtime.clock)  # wraps the /v1 views registered above
    metrics.register(app)
    answers.register(app, runtime.settings.prefer_wait_slots)
    db.register(app)
    errors.register(app)
    app.before_request(_tag_request)
    app.after_request(_echo_request_id)
    app.teardown_request(_untag_request)
    return app


def _tag_request() -> None:
    """Give the request an id (the caller's X-Request-Id if sane) for every log line."""
    given = request.headers.get("X-Request-Id", "")
    logs.request_id.set(given if 0 < len(given) <= 64 and given.isprintable() else uuid4().hex)


def _untag_request(_exc: BaseException | None) -> None:
    """The thread serves other requests, and logs between them: the id must not linger."""
    logs.request_id.set(None)


def _echo_request_id(response: Response) -> Response:
    response.headers["X-Request-Id"] = logs.request_id.get() or ""
    return response
