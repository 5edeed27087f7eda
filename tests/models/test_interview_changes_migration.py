"""Migration 0010 gives the interviews already booked no title, SEQUENCE 0 and no change time,
on both databases, keeping them and their seats; and 0009 takes the columns away again."""

from __future__ import annotations

import uuid
from datetime import datetime

from alembic import command
from sqlalchemy import func, select, text

from models import Interview, InterviewParticipant, make_engine
from models import make_session_factory as sessions_of
from models.migrate import alembic_config, upgrade

BOOKED = datetime(2026, 12, 1)
START = datetime(2031, 3, 3, 9)


def test_booked_interviews_keep_their_seats_and_start_at_sequence_zero(url: str) -> None:
    upgrade(url, "0009")
    engine = make_engine(url)
    sqlite = url.startswith("sqlite")
    person, interview = uuid.uuid4(), uuid.uuid4()
    ids = {"person": person.hex if sqlite else person,
           "interview": interview.hex if sqlite else interview}
    with engine.begin() as conn:  # the tables as 0009 left them
        conn.execute(text("INSERT INTO people (id, name, email, email_key, role, created_at) "
                          "VALUES (:person, 'Cam', 'cam@example.com', 'cam@example.com', "
                          "'candidate', :now)"), {**ids, "now": BOOKED})
        conn.execute(text("INSERT INTO availability_hours (person_id, start, role) "
                          "VALUES (:person, :start, 'candidate')"), {**ids, "start": START})
        conn.execute(text('INSERT INTO interviews (id, candidate_id, start, "end", created_at) '
                          "VALUES (:interview, :person, :start, :start, :now)"),
                     {**ids, "start": START, "now": BOOKED})
        conn.execute(text("INSERT INTO interview_participants (interview_id, person_id, start) "
                          "VALUES (:interview, :person, :start)"), {**ids, "start": START})
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    with sessions_of(engine)() as session:
        row = session.get_one(Interview, interview)
        assert (row.title, row.sequence, row.modified_at) == (None, 0, None)
        assert session.scalar(select(func.count()).select_from(InterviewParticipant)) == 1
    engine.dispose()

    command.downgrade(alembic_config(url), "0009")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM interviews")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM interview_participants")).scalar() == 1
    engine.dispose()
