"""counters for /metrics, filled from the jobs and attempts so far; indexes for retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = sa.text("status IN ('queued', 'running')")
# The histograms' bounds when this was written (workers/counters.py), as their labels.
BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
FINISHED = "status IN ('succeeded', 'failed')"


def _seconds(earlier: str, later: str) -> str:
    if op.get_bind().dialect.name == "sqlite":  # datetimes are text there
        return f"(julianday({later}) - julianday({earlier})) * 86400.0"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


def _count_what_is_there() -> None:
    """The totals of the jobs finished and the webhook attempts made before this migration."""
    insert = "INSERT INTO counters (metric, kind, label, shard, value) "
    op.execute(insert + "SELECT 'jobs_finished', kind, status, 0, count(*) FROM jobs "
               f"WHERE {FINISHED} GROUP BY kind, status")
    label = " ".join(f"WHEN s <= {le} THEN '{float(le)!r}'" for le in BUCKETS)
    for metric, earlier, later in (("job_queue_seconds", "submitted_at", "started_at"),
                                   ("job_run_seconds", "started_at", "finished_at")):
        timed = (f"(SELECT kind, {_seconds(earlier, later)} AS s FROM jobs WHERE {FINISHED} "
                 f"AND {earlier} IS NOT NULL AND {later} IS NOT NULL) AS timed")
        op.execute(insert + f"SELECT '{metric}', kind, CASE {label} ELSE '+Inf' END, 0, "
                   f"count(*) FROM {timed} GROUP BY 2, 3")
        op.execute(insert + f"SELECT '{metric}_sum', kind, '', 0, sum(s) FROM {timed} "
                   "GROUP BY 2")
    op.execute(insert + "SELECT 'webhook_attempts', '', CASE WHEN status_code BETWEEN 200 "
               "AND 299 THEN 'succeeded' ELSE 'failed' END, 0, count(*) FROM webhook_attempts "
               "GROUP BY 3")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "counters",
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("metric", "kind", "label", "shard", name=op.f("pk_counters")),
    )
    _count_what_is_there()
    op.create_index(op.f("ix_interviews_job_id"), "interviews", ["job_id"], unique=False)
    op.create_index("ix_jobs_finished_at", "jobs", ["finished_at"], unique=False)
    op.create_index("ix_jobs_unfinished", "jobs", ["kind", "status"], unique=False,
                    postgresql_where=UNFINISHED, sqlite_where=UNFINISHED)
    op.create_index("ix_webhook_deliveries_created_at", "webhook_deliveries", ["created_at"],
                    unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_webhook_deliveries_created_at", table_name="webhook_deliveries")
    op.drop_index("ix_jobs_unfinished", table_name="jobs", postgresql_where=UNFINISHED,
                  sqlite_where=UNFINISHED)
    op.drop_index("ix_jobs_finished_at", table_name="jobs")
    op.drop_index(op.f("ix_interviews_job_id"), table_name="interviews")
    op.drop_table("counters")
