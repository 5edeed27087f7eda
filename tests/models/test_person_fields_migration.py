"""Migration 0005 adds the person fields to a calendar already in use, on both databases, and
keeps every person with what they own (a rebuilt `people` table on SQLite would have cascaded
the deletion of their keys)."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from models import ApiKey, Person, PersonTag, make_engine
from models import make_session_factory as sessions_of
from models.migrate import upgrade


def test_people_and_their_keys_survive_and_the_new_fields_are_checked(url: str) -> None:
    upgrade(url, "0004")
    engine = make_engine(url)
    ident = uuid.uuid4()
    with engine.begin() as conn:  # the tables as 0004 left them, without the new columns
        conn.execute(text("INSERT INTO people (id, name, email, email_key, role, created_at) "
                          "VALUES (:id, 'Ann', 'ann@example.com', 'ann@example.com', "
                          "'interviewer', :now)"),
                     {"id": ident.hex if url.startswith("sqlite") else ident,
                      "now": datetime(2026, 12, 1)})
        conn.execute(text("INSERT INTO api_keys (id, key_hash, role, person_id, label, "
                          "created_at) VALUES (:id, 'hash', 'interviewer', :person, '', :now)"),
                     {"id": uuid.uuid4().hex, "person": ident.hex if url.startswith("sqlite")
                      else ident, "now": datetime(2026, 12, 1)})
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    sessions = sessions_of(engine)
    with sessions.begin() as session:
        ann = session.get(Person, ident)
        assert ann is not None and session.scalar(select(func.count()).select_from(ApiKey)) == 1
        assert (ann.time_zone, ann.max_interviews_per_day, ann.max_interviews_per_week) == (
            None, None, None)
        session.add(PersonTag(person_id=ident, tag="backend"))
    for column, value in (("max_interviews_per_day", 25), ("max_interviews_per_week", 0)):
        with pytest.raises(IntegrityError), sessions.begin() as session:
            session.execute(text(f"UPDATE people SET {column} = {value}"))
    with sessions.begin() as session:
        session.execute(text("DELETE FROM people"))
        assert session.scalar(select(func.count()).select_from(PersonTag)) == 0
    engine.dispose()
