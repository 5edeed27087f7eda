"""A read-only transaction sees the database as of one moment, on both databases: a request
that reads a delivery and then its attempts never shows an attempt beside a status from before
it (which a busy machine did show, as a delivery still `pending` with its final attempt)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, update

from models import Person, make_engine, make_session_factory, read_only
from models.migrate import upgrade


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_a_read_only_transaction_does_not_see_a_commit_made_during_it(engine: Engine) -> None:
    writers, readers = make_session_factory(engine), make_session_factory(read_only(engine))
    with writers.begin() as writing:
        writing.add(Person(name="Before", email="p@example.com", email_key="p@example.com",
                           role="candidate"))
    with readers() as reading:
        assert reading.scalar(select(Person.name)) == "Before"
        with writers.begin() as writing:
            writing.execute(update(Person).values(name="After"))
        assert reading.scalar(select(Person.name).where(Person.email_key == "p@example.com")
                              ) == "Before"
    with readers() as reading:
        assert reading.scalar(select(Person.name)) == "After"
