"""API keys: 256-bit random secrets, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiKey

PREFIX = "ic_"


def generate() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    """A fast hash suffices: the key is random, so there is nothing to brute-force."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue(session: Session, role: str, *, person_id: uuid.UUID | None = None,
          label: str = "", key: str | None = None) -> str:
    """Store a key (a new random one unless given) and return it in clear, once."""
    key = key or generate()
    session.add(ApiKey(key_hash=digest(key), role=role, person_id=person_id, label=label))
    return key


def lookup(session: Session, key: str) -> ApiKey | None:
    return session.scalar(
        select(ApiKey).where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None)))


def ensure_admin(session: Session, configured: str | None) -> str | None:
    """Bootstrap: register ADMIN_API_KEY, or create a key when no admin key exists.

    Returns a newly generated key (to print once), else None.
    """
    if configured:
        if session.scalar(select(ApiKey.id).where(ApiKey.key_hash == digest(configured))) is None:
            issue(session, "admin", label="ADMIN_API_KEY", key=configured)
        return None
    if session.scalar(select(ApiKey.id).where(ApiKey.role == "admin").limit(1)) is None:
        return issue(session, "admin", label="generated at first start")
    return None
