"""The web calendar at `/`: one page and its static files. The page holds no data; its
JavaScript reads and writes through the public /v1 API with the key the user signs in with."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

bp = Blueprint("web", __name__, static_folder="static/calendar",
               static_url_path="/calendar/static", template_folder="templates")

# Nothing inline and nothing from another origin: a name that slipped into the markup could
# not run, and the key in sessionStorage can be sent only to this origin's API.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'",
])


@bp.get("/")
def calendar() -> str:
    return render_template("calendar.html")


@bp.after_request
def harden_calendar(response: Response) -> Response:
    """The page and its scripts: a strict CSP, no sniffing, no framing, no referrer."""
    return harden(response, CONTENT_SECURITY_POLICY)


def harden(response: Response, policy: str) -> Response:
    """A page's headers against injection, sniffing, framing and leaking its address."""
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
