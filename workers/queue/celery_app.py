"""The Celery app factory. It knows nothing of Flask; results live in the jobs table."""

from __future__ import annotations

from typing import Any

from celery import Celery

from workers.settings import Settings

# A job's attempt is killed after this long; every broker timeout below is set above it.
SOFT_TIME_LIMIT = 600
HARD_TIME_LIMIT = 660
REDIS_VISIBILITY_TIMEOUT = 3600


def broker_transport_options(broker_url: str) -> dict[str, Any]:
    """Bounded timeouts so a hung broker cannot hang a request, per transport."""
    if broker_url.startswith(("redis://", "rediss://")):
        return {
            "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "health_check_interval": 10,
        }
    if broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        # A publish that times out waits three times on a frozen broker: for the confirm, then
        # for channel.close-ok and connection.close-ok when kombu drops the pooled connection.
        return {"confirm_publish": True, "read_timeout": 1, "write_timeout": 1}
    return {"polling_interval": 0.02}


def create_celery(settings: Settings) -> Celery:
    """An app of its own (never the process's default): tasks are registered on it by
    workers.queue.tasks, and it is passed to whoever sends or consumes."""
    broker_url = settings.broker_url or "memory://"
    app = Celery("interview_calendar", set_as_current=False)
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=broker_transport_options(broker_url),
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        broker_heartbeat=10,
        # No reconnect loop inside a publish: each retry would wait out the connect timeout
        # again (8 s on a frozen broker with 2 retries). A failed publish is left to the sweep.
        task_publish_retry_policy={"max_retries": 0},
        task_default_queue="interview-calendar",
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=SOFT_TIME_LIMIT,
        task_time_limit=HARD_TIME_LIMIT,
        # Flower's task view comes from the workers' events (received, started, succeeded);
        # a `task-sent` event from the API would double the cost of each publish for a state
        # that lasts a few milliseconds.
        worker_send_task_events=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
    )
    return app
