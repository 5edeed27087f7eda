"""The embedded worker: a real Celery worker consuming an in-memory broker in this process.

kombu's `memory://` transport reaches only threads of the same process, so the worker runs in a
thread beside the web server (as `celery.contrib.testing.worker` does). Messages live in memory
and vanish with the process; the jobs table does not, and the sweep (started here too)
re-publishes every queued job and hands on every job whose lease lapsed, so an accepted job
survives a restart; at start-up it does so at once, as one process owns the SQLite file.
"""

from __future__ import annotations

import threading

from celery.worker import WorkController, state

from workers.queue.runtime import Runtime
from workers.queue.sweep import Sweeper, sweep


class EmbeddedWorker:
    def __init__(self, runtime: Runtime, concurrency: int = 2) -> None:
        self.runtime = runtime
        self.controller = WorkController(
            app=runtime.celery, pool="threads", concurrency=concurrency, loglevel="WARNING",
            without_heartbeat=True, without_mingle=True, without_gossip=True,
            hostname=f"embedded@{threading.get_native_id()}",
        )
        self.thread = threading.Thread(target=self.controller.start, name="celery-embedded",
                                       daemon=True)
        self.sweeper = Sweeper(runtime)

    def start(self) -> None:
        # The thread pool runs each task under the process's default app, whatever app the
        # worker consumes for: the one process that embeds a worker makes its app the default.
        self.runtime.celery.set_default()
        sweep(self.runtime, restarted=True)  # what the previous process left, before requests
        self.thread.start()
        self.sweeper.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.sweeper.stop()
        state.should_terminate = 0
        self.thread.join(timeout)
        state.should_terminate = None
