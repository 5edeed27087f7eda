"""capped periods: the days and weeks an interviewer's bookings fill up to a load cap

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "capped_periods",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("start", INSTANT, nullable=False),
        sa.Column("cap", sa.String(length=32), nullable=False),
        sa.Column("end", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_capped_periods_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "start", "cap", name=op.f("pk_capped_periods")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("capped_periods")
