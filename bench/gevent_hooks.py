"""gunicorn's configuration for its gevent workers in `bench.servers`: psycopg2 waits for the
database in C, which blocks gevent's loop (and every other request of the process) unless its
wait callback yields to the loop, as psycogreen's does."""

from __future__ import annotations

from typing import Any

from psycogreen.gevent import patch_psycopg


def post_fork(_server: Any, _worker: Any) -> None:
    """In each worker, before the app and its engine are built."""
    patch_psycopg()
