"""The WSGI app of production's API processes: `serve` runs granian with it (api/server.py),
and any WSGI server that imports an app itself can too:
`granian --interface wsgi --factory api.wsgi:create`."""

from __future__ import annotations

import os

from flask import Flask

from api import metrics
from api.app import create_app
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime
from workers.settings import Settings

# The front waits 65 s for an answer (deploy/nginx.conf.template): a statement still running
# at 60 s is cancelled, its transaction rolled back, and the thread freed for the next request.
STATEMENT_TIMEOUT_SECONDS = 60

_runtimes: list[Runtime] = []  # this process's, for `close` as it leaves


def create() -> Flask:
    """Called in each worker process after the fork, so each has its own engine and pool.
    Under `serve`, the request metrics go to the folder its processes share."""
    runtime = create_runtime(Settings.from_env(), statement_timeout=STATEMENT_TIMEOUT_SECONDS)
    _runtimes.append(runtime)
    app = create_app(runtime)
    app.config[metrics.MULTIPROCESS_DIR] = os.environ.get(metrics.MULTIPROCESS_DIR)
    return app


def close() -> None:
    """Send what the process accepted, close its pools."""
    while _runtimes:
        _runtimes.pop().close()
