"""The per-process cache of authenticated principals: it saves the key's query, and a
revocation made anywhere reaches every process's cache (PostgreSQL NOTIFY), at once on SQLite.

Two apps with two runtimes on one database stand for two API processes: A revokes, B had
the key cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event, text

from models import ApiKey
from tests.api.conftest import Api, AppFactory, Embedded
from workers import api_keys
from workers.principals import APPLICATION_NAME, RECONNECT_SECONDS
from workers.queue.runtime import Runtime

DELIVERY_SECONDS = 2.0  # far above the milliseconds a notification takes, far below the TTL


def runtime_of(app: Flask) -> Runtime:
    rt: Runtime = app.extensions["interview_calendar"]
    return rt


def refused_within(api: Api, seconds: float = DELIVERY_SECONDS) -> bool:
    """Whether `api`'s key answers 401 within `seconds` (asked every 20 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if api.get("/v1/me").status_code == 401:
            return True
        time.sleep(0.02)
    return False


def cached_in(b: Flask, admin: Api) -> tuple[dict[str, Any], Api]:
    """A new interviewer, and their key used once in B (so B has it cached)."""
    person = admin.person("interviewer")
    in_b = Api(b.test_client(), person["api_key"])
    assert in_b.get("/v1/me").status_code == 200
    return person, in_b


def key_id(admin: Api, person: dict[str, Any]) -> str:
    r = admin.get(f"/v1/people/{person['id']}/api-keys")
    assert r.status_code == 200, r.json
    ident: str = r.json["api_keys"][0]["id"]
    return ident


def key_queries(engine: Any) -> Callable[[], int]:
    """Counts the statements on `engine` that read api_keys from now on."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "api_keys" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return lambda: len(seen)


def test_a_second_request_with_the_same_key_does_not_query_it(
        admin: Api, limited_app: AppFactory) -> None:
    b = limited_app()
    person = admin.person("interviewer")
    in_b = Api(b.test_client(), person["api_key"])
    queries = key_queries(runtime_of(b).engine)
    assert in_b.get("/v1/me").status_code == 200
    assert queries() == 1
    assert in_b.get("/v1/me").status_code == 200
    assert queries() == 1


def test_a_key_revoked_through_one_process_answers_401_in_another(
        admin: Api, limited_app: AppFactory) -> None:
    person, in_b = cached_in(limited_app(), admin)
    assert admin.delete(f"/v1/api-keys/{key_id(admin, person)}").status_code == 204
    assert refused_within(in_b)


def test_a_deleted_persons_keys_answer_401_in_another_process(
        admin: Api, limited_app: AppFactory) -> None:
    person, in_b = cached_in(limited_app(), admin)
    assert admin.delete(f"/v1/people/{person['id']}").status_code == 204
    assert refused_within(in_b)


def test_a_key_revoked_by_plain_sql_answers_401_in_every_process(
        admin: Api, runtime: Runtime, limited_app: AppFactory) -> None:
    person, in_b = cached_in(limited_app(), admin)
    in_a = admin.as_key(person["api_key"])
    assert in_a.get("/v1/me").status_code == 200
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE api_keys SET revoked_at = now() WHERE person_id = :p"),
                     {"p": person["id"]})
    assert refused_within(in_b) and refused_within(in_a)


def listeners(runtime: Runtime) -> set[int]:
    """The pids of the principals' listeners on this runtime's database."""
    with runtime.engine.connect() as conn:
        return set(conn.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
            "AND datname = current_database()"), {"name": APPLICATION_NAME}))


def test_a_terminated_listener_stops_the_cache_until_it_is_back(
        admin: Api, runtime: Runtime, limited_app: AppFactory) -> None:
    b = limited_app()
    person, in_b = cached_in(b, admin)
    killed = listeners(runtime)
    assert killed
    with runtime.engine.connect() as conn:
        for pid in killed:
            conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        # No listener hears this: only the lost connection tells B its cache is stale.
        conn.execute(text("UPDATE api_keys SET revoked_at = now() WHERE person_id = :p"),
                     {"p": person["id"]})
        conn.commit()
    assert in_b.get("/v1/me").status_code == 401

    other = admin.person("interviewer")
    in_b = Api(b.test_client(), other["api_key"])
    queries = key_queries(runtime_of(b).engine)
    deadline = time.monotonic() + 3 * RECONNECT_SECONDS
    cached = False
    while not cached and time.monotonic() < deadline:
        before = queries()
        assert in_b.get("/v1/me").status_code == 200
        assert in_b.get("/v1/me").status_code == 200
        cached = queries() - before < 2
        time.sleep(0.05)
    assert cached, "B's listener did not come back"
    assert listeners(runtime) - killed


def test_on_sqlite_nothing_is_cached_and_a_revoked_key_is_refused_at_once(
        embedded: Embedded) -> None:
    assert embedded.runtime.principals is None
    rt = embedded.runtime
    with rt.sessions.begin() as session:
        row, key = api_keys.create(session, "admin", rt.clock.now(), label="second")
    second = Api(embedded.client, key)
    assert second.get("/v1/people").status_code == 200
    with rt.sessions.begin() as session:
        session.get_one(ApiKey, row.id).revoked_at = rt.clock.now()
    assert second.get("/v1/people").status_code == 401
