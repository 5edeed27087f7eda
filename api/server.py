"""Serving the app: waitress with the in-process worker (embedded), or granian (production)."""

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
STOP_GRACE_PRODUCTION_SECONDS = 20  # a worker process still busy after SIGTERM is then killed
HEADER_READ_TIMEOUT_MS = 10_000  # a whole request header, from its first byte


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


def serve_production(settings: Settings, host: str, port: int) -> None:
    """granian: `WEB_CONCURRENCY` processes that each run the app (api/wsgi.py) in
    `WEB_THREADS` threads, while its Rust event loop reads requests and holds the waiting ones;
    a process that dies is replaced. They write their request metrics to one fresh folder."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    metrics_dir = _multiprocess_metrics()
    try:
        Granian(
            "api.wsgi:create", factory=True, interface=Interfaces.WSGI, address=host, port=port,
            workers=settings.web_concurrency, blocking_threads=settings.web_threads,
            respawn_failed_workers=True, workers_kill_timeout=STOP_GRACE_PRODUCTION_SECONDS,
            http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS),
            log_access=True, websockets=False,
        ).serve(spawn_target=_wsgi_worker)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _wsgi_worker(*args: Any) -> None:
    """granian's own WSGI worker process; as it leaves, it sends what it accepted and closes
    its pool (api/wsgi.py)."""
    from granian import Granian

    from api import wsgi

    try:
        Granian._spawn_wsgi_worker(*args)
    finally:
        wsgi.close()


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
    log.info("request metrics of the API processes are gathered in %s", folder)
    return folder
