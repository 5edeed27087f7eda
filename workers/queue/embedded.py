"""The embedded worker: real Celery workers consuming an in-memory broker in this process.

kombu's `memory://` transport reaches only threads of the same process, so the workers run in
threads beside the web server (as `celery.contrib.testing.worker` does). Messages live in memory
and vanish with the process; the jobs table does not, and the sweep (started here too)
re-publishes every queued job and hands on every job whose lease lapsed, so an accepted job
survives a restart; at start-up it does so at once, as one process owns the SQLite file.

Jobs and webhook deliveries have a worker each, with a pool of its own, so a job never waits
behind a delivery to a slow receiver. A Celery app consumes one set of queues for all its
workers, so the deliveries' worker has an app of its own, with the same tasks; the memory
transport's queues are the process's, whichever app reads them.
"""

from __future__ import annotations

import threading

from celery import Celery
from celery.worker import WorkController, state

from workers.queue import celery_app, routes, tasks
from workers.queue.runtime import Runtime
from workers.queue.sweep import Sweeper, sweep


class EmbeddedWorker:
    def __init__(self, runtime: Runtime, concurrency: int = 2) -> None:
        self.runtime = runtime
        self.deliveries_app = celery_app.create_celery(runtime.settings)
        self.deliveries_app.conf.task_default_queue = runtime.celery.conf.task_default_queue
        tasks.register(runtime, self.deliveries_app)
        self.threads = [
            _worker(runtime.celery, routes.jobs_queue(runtime.celery), concurrency, "jobs"),
            _worker(self.deliveries_app, routes.deliveries_queue(runtime.celery),
                    runtime.settings.delivery_concurrency, "deliveries")]
        self.sweeper = Sweeper(runtime)

    def start(self) -> None:
        # The thread pool runs each task under the process's default app, whatever app the
        # worker consumes for: the one process that embeds a worker makes its app the default.
        self.runtime.celery.set_default()
        sweep(self.runtime, restarted=True)  # what the previous process left, before requests
        for thread in self.threads:
            thread.start()
        self.sweeper.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.sweeper.stop()
        state.should_terminate = 0
        for thread in self.threads:
            thread.join(timeout)
        state.should_terminate = None
        self.deliveries_app.close()


def _worker(app: Celery, queue: str, concurrency: int, name: str) -> threading.Thread:
    """A worker of `concurrency` threads consuming `queue`, in a thread to start."""
    controller = WorkController(
        app=app, queues=[queue], pool="threads", concurrency=concurrency, loglevel="WARNING",
        without_heartbeat=True, without_mingle=True, without_gossip=True,
        hostname=f"embedded-{name}@{threading.get_native_id()}",
    )
    return threading.Thread(target=controller.start, name=f"celery-embedded-{name}", daemon=True)
