"""Embedded mode's SQLite: readers never wait for the one writer."""

import time
from pathlib import Path

from sqlalchemy import select

from models import Person, make_engine, make_session_factory, read_only
from models.migrate import upgrade


def test_a_reader_is_not_blocked_by_a_long_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    writers, readers = make_session_factory(engine), make_session_factory(read_only(engine))
    with writers.begin() as writing:
        writing.add(Person(name="W", email="w@example.com", email_key="w@example.com",
                           role="candidate"))
        writing.flush()
        started = time.monotonic()
        with readers() as reading:
            assert reading.scalars(select(Person)).all() == []  # the uncommitted row is unseen
        assert time.monotonic() - started < 1
    with readers() as reading:
        assert [p.name for p in reading.scalars(select(Person))] == ["W"]
    engine.dispose()

