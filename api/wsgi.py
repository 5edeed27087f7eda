"""The WSGI app for a server that imports one itself (granian, gunicorn's own command line):
`granian --interface wsgi --factory api.wsgi:create`."""

from __future__ import annotations

from flask import Flask

from api.app import create_app
from workers.queue.factory import create_runtime
from workers.settings import Settings


def create() -> Flask:
    """Called in each worker process after the fork, so each has its own engine and pool."""
    return create_app(create_runtime(Settings.from_env()))
