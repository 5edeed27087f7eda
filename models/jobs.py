"""Jobs: the record of accepted work, and the outbox that the sweep re-publishes from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_id, utcnow

STATUSES = ("queued", "running", "succeeded", "failed")
# Written out, not bound: SQLite uses a partial index only for a query with the same constants.
UNFINISHED = text("status IN ('queued', 'running')")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')", name="status"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    payload: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any] | None]
    error: Mapped[dict[str, Any] | None]
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    lease_expires_at: Mapped[datetime | None]
    callback_url: Mapped[str | None] = mapped_column(Text)
    callback_secret: Mapped[str | None] = mapped_column(String(100))


Index("ix_jobs_status_published_at", Job.status, Job.published_at)
Index("ix_jobs_submitted_by_submitted_at", Job.submitted_by, Job.submitted_at)
Index("ix_jobs_submitted_at", Job.submitted_at)
Index("ix_jobs_finished_at", Job.finished_at)  # what retention prunes, oldest first
# The few jobs queued or running, by kind: what /metrics counts, whatever the jobs ever run.
Index("ix_jobs_unfinished", Job.kind, Job.status, postgresql_where=UNFINISHED,
      sqlite_where=UNFINISHED)
