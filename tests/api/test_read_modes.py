"""Which GET reads as of one moment and which statement by statement: a slot search needs no
agreement between its statements and saves the BEGIN and ROLLBACK round trips; any other GET
(a delivery and its attempts, say) reads one snapshot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from tests.api.conftest import Api, hours_from_now
from workers.queue.runtime import Runtime


@pytest.fixture
def autocommit_seen(runtime: Runtime) -> Iterator[list[bool]]:
    """Whether each statement the test's requests run goes out in the driver's autocommit (the
    embedded worker's thread, on the same engine, is not asked)."""
    seen: list[bool] = []
    requests = threading.get_ident()

    def record(conn: Any, *_: Any) -> None:
        if threading.get_ident() == requests:
            seen.append(conn.connection.dbapi_connection.autocommit)

    event.listen(runtime.engine, "before_cursor_execute", record)
    yield seen
    event.remove(runtime.engine, "before_cursor_execute", record)


def test_a_slot_search_reads_statement_by_statement(admin: Api,
                                                    autocommit_seen: list[bool]) -> None:
    candidate = admin.person("candidate")
    autocommit_seen.clear()
    r = admin.get(f"/v1/slots?candidate={candidate['id']}&to={hours_from_now(48)}")
    assert r.status_code == 200, r.json
    assert autocommit_seen and all(autocommit_seen)


def test_other_reads_share_one_snapshot(admin: Api, autocommit_seen: list[bool]) -> None:
    autocommit_seen.clear()
    assert admin.get("/v1/jobs").status_code == 200
    assert autocommit_seen and not any(autocommit_seen)
