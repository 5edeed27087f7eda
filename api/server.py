"""Serving the app: waitress with the in-process worker (embedded), or gunicorn (production)."""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from api.app import create_app
from workers.embedded import EmbeddedWorker
from workers.runtime import create_runtime
from workers.settings import Settings

log = logging.getLogger(__name__)


def serve_embedded(settings: Settings, host: str, port: int) -> None:
    """One process: a threaded WSGI server and a Celery worker thread on `memory://`."""
    from waitress import create_server

    runtime = create_runtime(settings)
    worker = EmbeddedWorker(runtime, concurrency=settings.embedded_concurrency)
    worker.start()
    server = create_server(create_app(runtime), host=host, port=port, threads=8,
                           clear_untrusted_proxy_headers=True)
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    print(f"Interview Calendar (embedded) on http://{host}:{port}/", flush=True)
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    finally:
        worker.stop()
        runtime.engine.dispose()


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """Each gunicorn worker builds its own runtime after the fork."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(create_runtime(self.settings))


def serve_production(settings: Settings, host: str, port: int) -> None:
    Gunicorn(settings, {
        "bind": f"{host}:{port}",
        "workers": int(os.environ.get("WEB_CONCURRENCY", "2")),
        "threads": int(os.environ.get("WEB_THREADS", "4")),
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "control_socket_disable": True,  # one shared socket per user would collide
    }).run()
