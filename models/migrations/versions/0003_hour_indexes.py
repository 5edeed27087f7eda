"""availability hours: the person's role, (start, person_id) and interviewer-only indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERVIEWERS_ONLY = sa.text("role = 'interviewer'")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("availability_hours") as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=True))
    op.execute("UPDATE availability_hours SET role = "
               "(SELECT people.role FROM people WHERE people.id = availability_hours.person_id)")
    with op.batch_alter_table("availability_hours") as batch_op:
        batch_op.alter_column("role", existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_index("ix_availability_hours_start")
        batch_op.create_index("ix_availability_hours_start_person_id", ["start", "person_id"],
                              unique=False)
        batch_op.create_index("ix_availability_hours_interviewers", ["start", "person_id"],
                              unique=False, postgresql_where=INTERVIEWERS_ONLY,
                              sqlite_where=INTERVIEWERS_ONLY)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("availability_hours") as batch_op:
        batch_op.drop_index("ix_availability_hours_interviewers")
        batch_op.drop_index("ix_availability_hours_start_person_id")
        batch_op.create_index("ix_availability_hours_start", ["start"], unique=False)
        batch_op.drop_column("role")
