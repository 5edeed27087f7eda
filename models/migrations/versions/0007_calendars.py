"""calendars: people's own iCalendar feeds and uploads, and the busy hours read from them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "calendars",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("last_synced_at", INSTANT, nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("ics", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.String(length=1000), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("read_as", sa.Text(), nullable=True),
        sa.Column("busy_until", INSTANT, nullable=True),
        sa.Column("next_sync_at", INSTANT, nullable=False),
        sa.Column("published_at", INSTANT, nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_calendars_person_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendars")),
    )
    op.create_index(op.f("ix_calendars_person_id"), "calendars", ["person_id"], unique=False)
    op.create_index(op.f("ix_calendars_next_sync_at"), "calendars", ["next_sync_at"],
                    unique=False)
    op.create_table(
        "busy_hours",
        sa.Column("calendar_id", sa.Uuid(), nullable=False),
        sa.Column("start", INSTANT, nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["calendars.id"],
                                name=op.f("fk_busy_hours_calendar_id_calendars"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_busy_hours_person_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("calendar_id", "start", name=op.f("pk_busy_hours")),
    )
    op.create_index("ix_busy_hours_person_id_start", "busy_hours", ["person_id", "start"],
                    unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_busy_hours_person_id_start", table_name="busy_hours")
    op.drop_table("busy_hours")
    op.drop_index(op.f("ix_calendars_next_sync_at"), table_name="calendars")
    op.drop_index(op.f("ix_calendars_person_id"), table_name="calendars")
    op.drop_table("calendars")
