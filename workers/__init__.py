"""The calendar's operations: plain functions over a session and a clock, knowing nothing of
Flask or Celery. The queue's plumbing, the only code that knows Celery, is `workers.queue`."""
