"""The queue's plumbing: the Celery app and its thin tasks, the outbox's kinds mapped to tasks,
publishing, leases, the sweep, and the embedded and production workers. The only code that
imports Celery or kombu."""
