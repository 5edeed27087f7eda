"""weekly hours: the template per person, its exceptions, and why an availability hour is there

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Existing hours were all added by someone: `added` defaults to true, `weekly` to false.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "availability_exceptions",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("start", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_availability_exceptions_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "start", name=op.f("pk_availability_exceptions")),
    )
    op.create_table(
        "weekly_hours",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("days", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                 "postgresql"), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("materialized_until", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_weekly_hours_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_weekly_hours")),
    )
    op.create_index(op.f("ix_weekly_hours_materialized_until"), "weekly_hours",
                    ["materialized_until"], unique=False)
    with op.batch_alter_table("availability_hours") as batch:
        batch.add_column(sa.Column("added", sa.Boolean(), server_default=sa.true(),
                                   nullable=False))
        batch.add_column(sa.Column("weekly", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("availability_hours") as batch:
        batch.drop_column("weekly")
        batch.drop_column("added")
    op.drop_index(op.f("ix_weekly_hours_materialized_until"), table_name="weekly_hours")
    op.drop_table("weekly_hours")
    op.drop_table("availability_exceptions")
