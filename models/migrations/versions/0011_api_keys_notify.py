"""api_keys: a statement-level trigger that NOTIFYs api_keys_changed on any change of a key

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

PostgreSQL only: each serving process caches the callers of live keys (workers/principals.py)
and LISTENs on this channel; any notification clears its cache, so a revocation reaches every
process, whichever path made it (the revoke endpoint, a person's deletion cascading to their
keys, an operator's own SQL). Every UPDATE, not only of revoked_at: a role or person changed
by hand must not be served stale either. TRUNCATE too (it fires no DELETE trigger). The
channel's name is written here, not imported: a migration must not change with the code.
SQLite (embedded, one process) caches nothing and gets no trigger.
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('api_keys_changed', '');
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER api_keys_changed
        AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys
        FOR EACH STATEMENT EXECUTE FUNCTION api_keys_changed()""")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER api_keys_changed ON api_keys")
    op.execute("DROP FUNCTION api_keys_changed()")
