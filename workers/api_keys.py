"""API keys: 256-bit random secrets, stored only as SHA-256 hashes, revocable.

Why the lookup by hash equality in SQL leaks nothing worth having: the database compares the
SHA-256 of what the caller sent with the stored hashes, so its timing can tell at most how many
leading bytes of SHA-256(guess) agree with some stored hash. That is information about hashes,
not keys: a caller who learnt a stored hash entirely would still need a SHA-256 preimage of a
256-bit random key to use it, and cannot steer the hash of a guess byte by byte towards it
without that preimage. So the comparison that could leak the secret, the secret's own, never
happens; there is nothing left for `hmac.compare_digest` to protect, and keys of any format
(`ADMIN_API_KEY` is the operator's choice) keep working with one unique index.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models import ApiKey
from workers.callers import Caller
from workers.errors import Conflict
from workers.lookup import get_or_404

PREFIX = "ic_"


def generate() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    """A fast hash suffices: the key is random, so there is nothing to brute-force."""
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, role: str, now: datetime, *, person_id: uuid.UUID | None = None,
           label: str = "", key: str | None = None) -> tuple[ApiKey, str]:
    """Store a key (a new random one unless given); return its row and the key in clear."""
    key = key or generate()
    row = ApiKey(id=uuid.uuid4(), key_hash=digest(key), role=role, person_id=person_id,
                 label=label, created_at=now)
    session.add(row)
    return row, key


def issue(session: Session, role: str, now: datetime, *, person_id: uuid.UUID | None = None,
          label: str = "", key: str | None = None) -> str:
    """Store a key (a new random one unless given) and return it in clear, once."""
    return create(session, role, now, person_id=person_id, label=label, key=key)[1]


# Built once and run on the session's connection (Core, not the ORM): every request asks.
_LIVE = select(ApiKey.id, ApiKey.role, ApiKey.person_id).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))


def lookup(session: Session, key: str) -> Caller | None:
    """The caller a live bearer key stands for (see the module docstring on timing)."""
    row = session.connection().execute(_LIVE, {"key_hash": digest(key)}).one_or_none()
    return None if row is None else Caller(row.id, row.role, row.person_id)


def visible(session: Session, raw_id: str, caller: Caller) -> ApiKey:
    """The key, locked for a change, if it is the caller's own or the caller is an admin."""
    return get_or_404(session, ApiKey, raw_id, "API key", with_for_update=True,
                      visible=lambda row: caller.is_admin or (
                          row.person_id is not None and row.person_id == caller.person_id))


def revoke(session: Session, row: ApiKey, now: datetime) -> None:
    """Revoke once (revoking a revoked key changes nothing); 409 for the last admin key."""
    if row.revoked_at is not None:
        return
    if row.role == "admin" and _live_admin_keys(session) <= 1:
        raise Conflict("this is the last admin key; issue another before revoking it")
    row.revoked_at = now


def _live_admin_keys(session: Session) -> int:
    """How many admin keys work, locking them so two revocations cannot both take the last."""
    return len(session.scalars(select(ApiKey.id).where(
        ApiKey.role == "admin", ApiKey.revoked_at.is_(None)).with_for_update()).all())


def ensure_admin(session: Session, configured: str | None, now: datetime) -> str | None:
    """Bootstrap: register ADMIN_API_KEY, or create a key when no admin key exists.

    A revoked ADMIN_API_KEY stays revoked. Returns a newly generated key (to print once),
    else None.
    """
    if configured:
        if session.scalar(select(ApiKey.id).where(ApiKey.key_hash == digest(configured))) is None:
            issue(session, "admin", now, label="ADMIN_API_KEY", key=configured)
        return None
    if session.scalar(select(ApiKey.id).where(ApiKey.role == "admin").limit(1)) is None:
        return issue(session, "admin", now, label="generated at first start")
    return None
