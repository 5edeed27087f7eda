"""people: time_zone, load caps, and tags in a table of their own

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14

The columns are added with plain ALTER TABLE, their checks as column constraints, on both
databases: on SQLite a batch operation would copy `people` and drop the old table, and dropping
it with foreign keys on deletes, by their ON DELETE CASCADE, every person's keys and hours.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAPS = (("max_interviews_per_day", 24), ("max_interviews_per_week", 168))


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER TABLE people ADD COLUMN time_zone VARCHAR(64)")
    for column, most in CAPS:
        op.execute(f"ALTER TABLE people ADD COLUMN {column} SMALLINT CONSTRAINT "
                   f"ck_people_{column} CHECK ({column} BETWEEN 1 AND {most})")
    op.create_table(
        "person_tags",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE",
                                name=op.f("fk_person_tags_person_id_people")),
        sa.PrimaryKeyConstraint("person_id", "tag", name=op.f("pk_person_tags")),
    )
    op.create_index("ix_person_tags_tag", "person_tags", ["tag", "person_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema (a column constraint goes with its column, on SQLite too)."""
    op.drop_index("ix_person_tags_tag", table_name="person_tags")
    op.drop_table("person_tags")
    for column in ("max_interviews_per_week", "max_interviews_per_day", "time_zone"):
        op.execute(f"ALTER TABLE people DROP COLUMN {column}")
