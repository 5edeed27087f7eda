"""The totals behind /metrics, added to in the transaction of what they count: jobs finished
(with how long each waited and ran) and webhook attempts.

Being apart from the rows they count, they survive the pruning of those rows, and reading them
costs the same however many jobs have ever run. A transaction adds to one of SHARDS rows of each
total, at random, so that workers finishing jobs of one kind at once seldom wait for each
other's commit; it writes its rows in one statement, in key order, so that no two transactions
lock them in opposite orders; and it writes them last, just before it commits, holding them no
longer than that.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Connection, Double, cast, func, literal, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import Counter, Job
from models.jobs import UNFINISHED

JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
SHARDS = 8
SHARD = random.Random()  # its own: the module's global generator is the tests' to seed
INF = "+Inf"
FINISHED = "jobs_finished"  # label: the status
UNFINISHED_NOW = "jobs_unfinished"  # label: the status; read from the jobs, not a total
QUEUE, RUN = "job_queue_seconds", "job_run_seconds"  # label: the bucket's bound; `_sum` too
WEBHOOK_ATTEMPTS = "webhook_attempts"  # label: succeeded or failed


class Total(NamedTuple):
    metric: str
    kind: str
    label: str
    value: float


def bucket(seconds: float) -> str:
    """The label of the histogram bucket that `seconds` falls in (bounds are inclusive)."""
    return next((repr(float(le)) for le in JOB_BUCKETS if seconds <= le), INF)


def jobs_finished(session: Session, jobs: Iterable[Job]) -> None:
    """Count finished jobs by kind and status, with their queue and run times where known."""
    adds: dict[tuple[str, str, str], float] = defaultdict(float)
    for job in jobs:
        adds[FINISHED, job.kind, job.status] += 1
        if job.started_at is None:
            continue
        for metric, earlier, later in ((QUEUE, job.submitted_at, job.started_at),
                                       (RUN, job.started_at, job.finished_at)):
            if later is not None:
                seconds = (later - earlier).total_seconds()
                adds[metric, job.kind, bucket(seconds)] += 1
                adds[f"{metric}_sum", job.kind, ""] += seconds
    add(session, adds)


def webhook_attempt(session: Session, succeeded: bool) -> None:
    add(session, {(WEBHOOK_ATTEMPTS, "", "succeeded" if succeeded else "failed"): 1})


def add(session: Session, adds: dict[tuple[str, str, str], float]) -> None:
    """Add to the totals, in one shard, in the session's transaction."""
    if not adds:
        return
    shard = SHARD.randrange(SHARDS)
    insert = (postgresql.insert(Counter) if session.get_bind().dialect.name == "postgresql"
              else sqlite.insert(Counter))
    session.execute(insert.values([
        {"metric": metric, "kind": kind, "label": label, "shard": shard, "value": value}
        for (metric, kind, label), value in sorted(adds.items())
    ]).on_conflict_do_update(index_elements=["metric", "kind", "label", "shard"],
                             set_={"value": Counter.value + insert.excluded.value}))


def totals(connection: Connection) -> list[Total]:
    """Every total, and the jobs queued or running now by kind and status, in one statement:
    one snapshot, in which each job is either unfinished or counted as finished."""
    counted = select(Counter.metric, Counter.kind, Counter.label, func.sum(Counter.value))
    unfinished = (select(literal(UNFINISHED_NOW), Job.kind, Job.status,
                         cast(func.count(), Double))
                  .where(UNFINISHED).group_by(Job.kind, Job.status))
    rows = connection.execute(union_all(
        counted.group_by(Counter.metric, Counter.kind, Counter.label), unfinished))
    return [Total(*row) for row in rows]
