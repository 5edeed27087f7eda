"""The production worker process: a Celery worker, its sweep, and a fresh runtime per fork.

A worker consumes the jobs' queue, the webhook deliveries' queue, or both (`role`). A
deliveries worker waits on receivers, not on the CPU: it runs a pool of DELIVERY_CONCURRENCY
threads, unless the command line chooses another pool.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import (
    celeryd_after_setup,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from workers.queue import routes
from workers.queue.factory import create_runtime
from workers.queue.sweep import Sweeper
from workers.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings, loglevel: str, celery_args: list[str], role: str = "all") -> None:
    """Run `celery worker` with `celery_args`, consuming the queues of `role`, until it stops."""
    runtime = create_runtime(settings)
    # The prefork pool forks beside the sweeper thread, whenever a pool process has to be
    # replaced. SQLAlchemy's one-time set-up (mapper configuration; dialect initialisation on
    # the first connection) runs under locks that a fork in its middle leaves held for ever in
    # the new pool process, which then hangs on its first job: do it here, before any thread.
    configure_mappers()
    try:
        runtime.engine.connect().close()
    except SQLAlchemyError:  # the database is down: the sweep and the tasks retry it
        log.warning("database unavailable at start", exc_info=True)
    sweeper = Sweeper(runtime)

    def consume(**_: Any) -> None:
        # Once Celery has applied the command line, which may name the jobs' queue.
        runtime.celery.amqp.queues.select(routes.queues_for(runtime.celery, role))

    def forked(**_: Any) -> None:
        runtime.after_fork()

    def child_leaving(**_: Any) -> None:
        # A pool process sends what its jobs committed (their events) before it exits.
        runtime.close()

    def ready(**_: Any) -> None:
        # Once Celery has applied the command line (`task_default_queue=…` and the like), so
        # that the sweep publishes to the queues named there.
        sweeper.start()

    def shutdown(**_: Any) -> None:
        sweeper.stop()
        runtime.close()

    celeryd_after_setup.connect(consume, weak=False)
    worker_process_init.connect(forked, weak=False)
    worker_process_shutdown.connect(child_leaving, weak=False)
    worker_ready.connect(ready, weak=False)
    worker_shutdown.connect(shutdown, weak=False)
    pool = (["--pool", "threads", "--concurrency", str(settings.delivery_concurrency)]
            if role == "deliveries" else [])
    runtime.celery.worker_main(["worker", "--loglevel", loglevel, *pool, *celery_args])
