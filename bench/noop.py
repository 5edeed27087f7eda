"""A no-op Celery task on the benchmark's broker: the raw round trip that jobs are compared to.

`celery -A bench.noop worker` reads the broker from BENCH_BROKER_URL (set by bench.stack).
"""

from __future__ import annotations

import os

from celery import Celery

QUEUE = "bench.noop"


def make_app(broker_url: str) -> Celery:
    app = Celery("bench_noop", broker=broker_url, backend=broker_url)
    app.conf.update(task_default_queue=QUEUE, broker_connection_retry_on_startup=True,
                    result_expires=300)
    app.task(name="bench.noop")(_noop)
    return app


def _noop() -> None:
    """Does nothing: what remains is the broker and the result backend."""


app = make_app(os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12"))
