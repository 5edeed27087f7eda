"""Serving the app: waitress with the in-process worker (embedded), or gunicorn (production)."""

from __future__ import annotations

import _thread
import logging
import os
import resource
import shutil
import signal
import tempfile
import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from api.db import RUNTIME
from api.writes import release_unanswered
from workers.queue.embedded import EmbeddedWorker
from workers.queue.factory import create_runtime
from workers.settings import Settings

log = logging.getLogger(__name__)

# waitress reads each request whole in its event loop before a thread runs it, so a slow
# client holds a connection, never a thread. These bound what such clients may hold; 300 that
# dribble their headers leave /healthz answering at once (tests/e2e/test_slow_clients.py).
EMBEDDED_LIMITS: dict[str, Any] = {
    "threads": 8,
    "connection_limit": 1000,  # open connections; past it, new ones wait in the backlog
    "channel_timeout": 30,  # seconds an idle connection is kept open
    "max_request_header_size": 64 * 1024,  # bytes; what each connection may buffer of a header
    "asyncore_use_poll": True,  # select() cannot watch more than 1024 sockets
}


STOP_GRACE_SECONDS = 3.0  # after SIGTERM, for the requests under way


def serve_embedded(settings: Settings, host: str, port: int) -> None:
    """One process: a threaded WSGI server and a Celery worker thread on `memory://`."""
    from waitress import create_server

    from api.app import create_app

    runtime = create_runtime(settings)
    released = release_unanswered(runtime.sessions)  # this process is the calendar's only server
    if released:
        log.info("released %d Idempotency-Key claim(s) left by a server that stopped", released)
    worker = EmbeddedWorker(runtime, concurrency=settings.embedded_concurrency)
    worker.start()
    _allow_open_files(EMBEDDED_LIMITS["connection_limit"] + 256)
    server = create_server(create_app(runtime), host=host, port=port,
                           clear_untrusted_proxy_headers=True, **EMBEDDED_LIMITS)
    deadline = threading.Timer(STOP_GRACE_SECONDS, _thread.interrupt_main)

    def stop(*_: Any) -> None:
        """Take no new connection; end the loop once the open ones close, or after the grace
        (a kept-alive client would otherwise hold it for `channel_timeout`)."""
        server.close()
        if deadline.ident is None:  # not started yet
            deadline.start()

    signal.signal(signal.SIGTERM, stop)
    print(f"Interview Calendar (embedded) on http://{host}:{port}/", flush=True)
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    finally:
        deadline.cancel()
        worker.stop()
        runtime.close()


def _allow_open_files(count: int) -> None:
    """Raise the soft limit on open files to `count` (within the hard one): a container's
    default of 1024 would run out before the connection limit does."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """Each gunicorn worker builds its own runtime after the fork."""

    def __init__(self, settings: Settings, options: dict[str, Any], metrics_dir: str) -> None:
        self.settings = settings
        self.options = options
        self.metrics_dir = metrics_dir
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from api import metrics
        from api.app import create_app

        app = create_app(create_runtime(self.settings))
        app.config[metrics.MULTIPROCESS_DIR] = self.metrics_dir
        return app


def serve_production(settings: Settings, host: str, port: int) -> None:
    """gunicorn; its worker processes write their request metrics to one fresh folder."""
    metrics_dir = _multiprocess_metrics()
    master = os.getpid()

    def worker_exit(_arbiter: Any, worker: Any) -> None:
        """In the worker process, as it leaves: send what it accepted, close its pool."""
        worker.wsgi.extensions[RUNTIME].close()

    def child_exit(_arbiter: Any, worker: Any) -> None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, metrics_dir)  # type: ignore[no-untyped-call]

    try:
        Gunicorn(settings, {
            "bind": f"{host}:{port}",
            "workers": settings.web_concurrency,
            "threads": settings.web_threads,
            "timeout": 60,
            "graceful_timeout": 20,
            "accesslog": "-",
            "control_socket_disable": True,  # one shared socket per user would collide
            "child_exit": child_exit,
            "worker_exit": worker_exit,
        }, metrics_dir).run()
    finally:
        # A worker forked inside run() leaves through here too; only the master cleans up.
        if os.getpid() == master:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _multiprocess_metrics() -> str:
    """A fresh folder in PROMETHEUS_MULTIPROC_DIR, set before the workers fork.

    prometheus_client chooses its multiprocess mode when it is first imported, so nothing
    may import it before this (api.app, which imports it, is imported by the workers only).
    """
    folder = tempfile.mkdtemp(prefix="interview-calendar-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    from prometheus_client import values

    if values.ValueClass is values.MutexValue:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError("prometheus_client was imported before PROMETHEUS_MULTIPROC_DIR "
                           "was set: request metrics would be per worker process")
    log.info("request metrics of the gunicorn workers are gathered in %s", folder)
    return folder
