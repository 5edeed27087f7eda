"""interviews: a title, and the SEQUENCE and time of their last change for the .ics feeds

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08

Plain ADD COLUMNs on both databases (no batch copy of the table on SQLite; see 0005): a title
that may be null, the change counter 0 for every interview booked so far, and no change time
(their feeds keep the booking time).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("interviews", sa.Column("title", sa.String(length=200), nullable=True))
    op.add_column("interviews", sa.Column("sequence", sa.Integer(), server_default="0",
                                          nullable=False))
    op.add_column("interviews", sa.Column("modified_at", sa.DateTime(timezone=True),
                                          nullable=True))


def downgrade() -> None:
    """Downgrade schema (plain DROP COLUMNs: SQLite has them since 3.35)."""
    for column in ("modified_at", "sequence", "title"):
        op.execute(f"ALTER TABLE interviews DROP COLUMN {column}")
