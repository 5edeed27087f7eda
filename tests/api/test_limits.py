"""Abuse limits: writes and match submissions (429 with Retry-After), where the counts live,
match size. Per person, reads and failed authentication: test_limits_per_person.py."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
import redis
from flask import Flask
from sqlalchemy import func, select

from api.counts import storage_url
from models import Job
from tests.api.conftest import (
    Api,
    AppFactory,
    assert_too_many,
    hours_from_now,
    key_for,
    publish,
    span,
)
from tests.network import Proxy, through
from workers.queue.runtime import Runtime
from workers.settings import Settings, SettingsError

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/15"

def new_person(api: Api) -> int:
    email = f"pat.{uuid.uuid4().hex[:12]}@example.com"
    return api.post("/v1/people", {"name": "Pat", "email": email, "role": "candidate"}).status_code


def test_the_write_past_the_limit_answers_429_with_retry_after(
        limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="3/minute")
    admin = key_for(app)
    assert [new_person(admin) for _ in range(3)] == [201, 201, 201]
    r = admin.post("/v1/people", {"name": "Pat", "email": "late@example.com",
                                  "role": "candidate"})
    assert_too_many(r)
    assert admin.get("/v1/people?limit=1").status_code == 200  # reads have a budget of their own
    people = admin.get("/v1/people?limit=1000").json["people"]
    assert "late@example.com" not in [p["email"] for p in people]  # nothing was created


def test_each_admin_key_has_its_own_budget_and_each_app_its_own_counters(
        limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="2/minute")
    first, second = key_for(app), key_for(app)
    assert [new_person(first) for _ in range(3)] == [201, 201, 429]
    assert [new_person(second) for _ in range(2)] == [201, 201]
    other_app = limited_app(rate_limit_writes="2/minute")
    assert new_person(Api(other_app.test_client(), first.key)) == 201


def test_a_refused_key_is_rejected_by_auth_and_never_counted(limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="1/minute")
    stranger = Api(app.test_client(), "ic_not_a_key")
    assert [new_person(stranger) for _ in range(3)] == [401, 401, 401]
    assert new_person(key_for(app)) == 201


def test_every_request_that_reaches_its_operation_counts_once_whatever_it_answers(
        limited_app: AppFactory) -> None:
    """A 403 and a 422 spend the person's budget too, and each request spends it once."""
    app = limited_app(rate_limit_writes="3/minute")
    pat = key_for(app).person("interviewer")
    own = Api(app.test_client(), pat["api_key"])
    assert new_person(own) == 403  # only admins add people
    hours = f"/v1/people/{pat['id']}/availability"
    assert own.post(hours, {"ranges": "every day"}).status_code == 422
    assert own.post(hours, {"ranges": [span(1, 2)]}).status_code == 202
    assert_too_many(own.post(hours, {"ranges": [span(3, 4)]}))


def test_a_request_sent_after_its_retry_after_is_served(limited_app: AppFactory) -> None:
    """Retry-After is the time until the moving window lets one more in, within its period."""
    app = limited_app(rate_limit_reads="2 per 2 seconds")
    admin = key_for(app)
    assert [admin.get("/v1/people?limit=1").status_code for _ in range(2)] == [200, 200]
    r = admin.get("/v1/people?limit=1")
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 2
    time.sleep(int(r.headers["Retry-After"]))
    assert admin.get("/v1/people?limit=1").status_code == 200


def test_match_submissions_have_a_stricter_limit_of_their_own(limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_matches="2/minute")
    admin = key_for(app)
    body = {"from": hours_from_now(0), "to": hours_from_now(2)}
    assert [admin.post("/v1/matches", body).status_code for _ in range(2)] == [202, 202]
    assert_too_many(admin.post("/v1/matches", body))
    assert new_person(admin) == 201  # other writes still go through


def test_limits_are_counted_in_redis_when_it_is_configured(limited_app: AppFactory) -> None:
    """Two apps (two API processes) on one Redis share the budget of a key."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    client.ping()
    first = limited_app(rate_limit_writes="2/minute", rate_limit_storage_url=REDIS_URL)
    second = limited_app(rate_limit_writes="2/minute", rate_limit_storage_url=REDIS_URL)
    admin = key_for(first)
    assert new_person(admin) == 201
    assert new_person(Api(second.test_client(), admin.key)) == 201
    assert_too_many(admin.post("/v1/people", {"name": "Pat", "email": "x@example.com",
                                              "role": "candidate"}))
    stored = [k.decode() for k in client.scan_iter("*interview-calendar*")]
    assert stored and not any(admin.key in k for k in stored)  # the key's id, never the key


def test_the_storage_follows_the_settings() -> None:
    base = Settings.from_env({})
    assert storage_url(base) == "memory://"
    assert storage_url(replace(base, broker_url="redis://r:6379/0")) == "redis://r:6379/0"
    assert storage_url(replace(base, broker_url="amqp://guest@mq//")) == "memory://"
    assert storage_url(replace(base, broker_url="amqp://guest@mq//",
                               rate_limit_storage_url="redis://r/3")) == "redis://r/3"


def test_the_limits_are_read_from_the_environment_and_checked() -> None:
    env = {"RATE_LIMIT_READS": "50/second", "RATE_LIMIT_FAILED_AUTH": "5/minute;20/hour",
           "TRUSTED_PROXIES": "1"}
    read = Settings.from_env(env)
    assert (read.rate_limit_reads, read.rate_limit_failed_auth, read.trusted_proxies) == (
        "50/second", "5/minute;20/hour", 1)
    defaults = Settings.from_env({})
    assert (defaults.rate_limit_reads, defaults.rate_limit_failed_auth,
            defaults.trusted_proxies) == ("3000/minute", "100/minute", 0)
    for name, value in (("RATE_LIMIT_READS", "lots"), ("RATE_LIMIT_FAILED_AUTH", "30"),
                        ("TRUSTED_PROXIES", "-1")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})


def jobs(app: Flask) -> int:
    rt: Runtime = app.extensions["interview_calendar"]
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def test_a_match_too_large_answers_422_naming_the_numbers_and_queues_nothing(
        limited_app: AppFactory, admin: Api) -> None:
    app = limited_app(match_max_cells=40)
    api = Api(app.test_client(), admin.key)
    candidates = [admin.person("candidate") for _ in range(2)]
    interviewers = [admin.person("interviewer") for _ in range(3)]
    before = jobs(app)
    body = {"candidates": [c["id"] for c in candidates],
            "interviewers": [i["id"] for i in interviewers],
            "from": hours_from_now(0), "to": hours_from_now(7)}
    r = api.post("/v1/matches", body)
    assert r.status_code == 422, r.json
    assert r.mimetype == "application/problem+json"
    assert "2 candidates x 3 interviewers x 7 hours = 42 cells" in r.json["detail"]
    assert "40" in r.json["detail"]
    assert jobs(app) == before
    r = api.post("/v1/matches", {**body, "to": hours_from_now(6)})  # 36 cells
    assert r.status_code == 202, r.json


def test_omitted_people_are_counted_as_those_with_hours_in_the_window(
        limited_app: AppFactory, admin: Api) -> None:
    app = limited_app(match_max_cells=10)
    api = Api(app.test_client(), admin.key)
    free = [admin.person("candidate") for _ in range(2)]
    admin.person("candidate")  # no hours: not counted
    interviewer = admin.person("interviewer")
    for person in (*free, interviewer):
        publish(admin, person, span(0, 3))
    publish(admin, admin.person("candidate"), span(30, 31))  # hours outside the window
    body = {"from": hours_from_now(0), "to": hours_from_now(5)}
    assert api.post("/v1/matches", body).status_code == 202  # 2 x 1 x 5 = 10
    r = api.post("/v1/matches", {**body, "to": hours_from_now(6)})
    assert r.status_code == 422, r.json
    assert "2 candidates x 1 interviewers x 6 hours = 12 cells" in r.json["detail"]


def test_an_unreachable_redis_does_not_stop_writes(limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="2/minute", rate_limit_storage_url="redis://127.0.0.1:1/0")
    admin = key_for(app)
    assert [new_person(admin) for _ in range(3)] == [201, 201, 429]  # counted in memory meanwhile


def test_a_hung_redis_costs_one_timeout_then_counts_go_on_in_memory_until_it_is_back(
        limited_app: AppFactory) -> None:
    proxy = Proxy(urlsplit(REDIS_URL).port or 6379)
    try:
        app = limited_app(rate_limit_writes="2/minute",
                          rate_limit_storage_url=through(proxy, REDIS_URL))
        admin = key_for(app)
        assert new_person(admin) == 201  # counted in Redis
        proxy.frozen.set()
        started = time.monotonic()
        assert new_person(admin) == 201  # given up on after 0.3 s, counted in memory
        assert 0.3 <= time.monotonic() - started < 5
        started = time.monotonic()
        assert [new_person(admin) for _ in range(2)] == [201, 429]  # 2 in memory, no wait
        assert time.monotonic() - started < 0.5
        proxy.down()  # Redis restarts: the write it was sent while hung never happened
        proxy.frozen.clear()
        proxy.up()
        time.sleep(1.1)  # the first try of the storage set aside
        assert [new_person(admin) for _ in range(2)] == [201, 429]  # Redis's count of 1 again
    finally:
        proxy.close()
