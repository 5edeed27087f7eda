"""Attacks on the abuse limits: minting keys to get more writes, reading without end, guessing
keys. The limits hold per person (not per key), reads have one too, and failed authentication
is limited per client address, on one process and across processes sharing a Redis."""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

import redis
from flask import Flask

from tests.api.conftest import Api, AppFactory, assert_too_many, key_for, span

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379") + "/15"


def person(admin: Api, role: str = "interviewer") -> tuple[dict[str, Any], Api]:
    """A new person, and a client acting with their first key."""
    created = admin.person(role)
    return created, admin.as_key(created["api_key"])


def add_an_hour(api: Api, who: dict[str, Any], hour: int) -> int:
    r = api.post(f"/v1/people/{who['id']}/availability", {"ranges": [span(hour, hour + 1)]})
    return r.status_code


def test_a_person_who_mints_more_keys_gets_no_more_writes(limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="6/minute")
    pat, first = person(key_for(app))
    minted = [first.post(f"/v1/people/{pat['id']}/api-keys", {"label": f"extra {n}"})
              for n in range(4)]
    assert [r.status_code for r in minted] == [201] * 4  # four of the person's six writes
    keys = [first, *(first.as_key(r.json["api_key"]) for r in minted)]
    answers = [add_an_hour(key, pat, 2 * n + i) for n, key in enumerate(keys) for i in range(2)]
    assert answers.count(202) == 2 and answers.count(429) == 8, answers
    assert_too_many(keys[-1].post(f"/v1/people/{pat['id']}/api-keys", {}))


def test_two_people_do_not_share_a_budget(limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="2/minute")
    admin = key_for(app)
    (ada, ada_api), (bob, bob_api) = person(admin), person(admin)
    assert [add_an_hour(ada_api, ada, n) for n in range(3)] == [202, 202, 429]
    assert [add_an_hour(bob_api, bob, n) for n in range(2)] == [202, 202]


def test_a_person_s_reads_past_the_limit_answer_429_with_retry_after(
        limited_app: AppFactory) -> None:
    """RATE_LIMIT_READS, whichever of the person's keys sends them."""
    app = limited_app(rate_limit_reads="60/minute")
    pat, first = person(key_for(app), "candidate")
    second = first.as_key(first.post(f"/v1/people/{pat['id']}/api-keys", {}).json["api_key"])
    paths = ["/v1/jobs?limit=1", f"/v1/people/{pat['id']}", "/v1/interviews?limit=1"]
    answers = [(first, second)[n % 2].get(paths[n % 3]).status_code for n in range(60)]
    assert answers == [200] * 60
    r = second.get(f"/v1/slots?candidate={pat['id']}")
    assert_too_many(r)
    assert "(reads) for this person" in r.json["detail"]
    assert add_an_hour(second, pat, 1) == 202  # writes have a budget of their own
    other, other_api = person(key_for(app), "candidate")
    assert other_api.get(f"/v1/people/{other['id']}").status_code == 200


def test_an_admin_key_reads_within_its_own_budget(limited_app: AppFactory) -> None:
    """Admin keys name no administrator: each is its own principal."""
    app = limited_app(rate_limit_reads="2/minute")
    first, second = key_for(app), key_for(app)
    assert [first.get("/v1/people").status_code for _ in range(3)] == [200, 200, 429]
    assert "(reads) for this admin key" in first.get("/v1/people").json["detail"]
    assert second.get("/v1/people").status_code == 200


def address() -> str:
    """A client address of its own for each test, as counts in Redis outlive a test."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def from_address(api: Api, path: str, where: str, **kw: Any) -> Any:
    return api.get(path, environ_base={"REMOTE_ADDR": where}, **kw)


def guess(app: Flask, where: str, **kw: Any) -> int:
    wrong = Api(app.test_client(), "ic_" + secrets.token_urlsafe(32))
    return int(from_address(wrong, "/v1/people", where, **kw).status_code)


def test_the_101st_wrong_key_from_one_address_answers_429(limited_app: AppFactory) -> None:
    app = limited_app()
    guesser, other = address(), address()
    assert [guess(app, guesser) for _ in range(100)] == [401] * 100
    r = from_address(Api(app.test_client(), "ic_wrong"), "/v1/people", guesser)
    assert_too_many(r)
    assert "failed authentications from this address" in r.json["detail"]
    assert_too_many(from_address(Api(app.test_client(), None), "/v1/people", guesser))
    assert guess(app, other) == 401


def test_a_guesser_does_not_lock_out_a_right_key_from_the_same_address(
        limited_app: AppFactory) -> None:
    """Everyone behind one NAT shares its address: one of them guessing costs only itself."""
    app = limited_app(rate_limit_failed_auth="3/minute")
    admin, office = key_for(app), address()
    assert [guess(app, office) for _ in range(4)] == [401, 401, 401, 429]
    assert from_address(admin, "/v1/people", office).status_code == 200


def test_a_limited_address_gets_401s_again_once_the_window_has_passed(
        limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_failed_auth="3 per 3 seconds")
    where = address()
    assert [guess(app, where) for _ in range(4)] == [401, 401, 401, 429]
    r = from_address(Api(app.test_client(), "ic_wrong"), "/v1/people", where)
    assert_too_many(r)
    time.sleep(int(r.headers["Retry-After"]) + 0.5)
    assert guess(app, where) == 401


def test_a_forged_x_forwarded_for_does_not_make_a_new_client(limited_app: AppFactory) -> None:
    app, where = limited_app(rate_limit_failed_auth="30/minute"), address()
    forged = [guess(app, where, headers={"X-Forwarded-For": address()}) for _ in range(31)]
    assert forged == [401] * 30 + [429]


def test_behind_a_trusted_proxy_the_client_is_the_one_x_forwarded_for_names(
        limited_app: AppFactory) -> None:
    proxied = limited_app(rate_limit_failed_auth="3/minute", trusted_proxies=1)
    admin, proxy, guesser = key_for(proxied), address(), address()
    behind = {"X-Forwarded-For": guesser}
    assert [guess(proxied, proxy, headers=behind) for _ in range(4)] == [401, 401, 401, 429]
    r = from_address(admin, "/v1/people", proxy, headers={"X-Forwarded-For": address()})
    assert r.status_code == 200  # another client behind the same proxy


def test_failed_authentication_is_counted_across_processes_sharing_redis(
        limited_app: AppFactory) -> None:
    redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    shared = {"rate_limit_storage_url": REDIS_URL, "rate_limit_failed_auth": "30/minute"}
    first, second = limited_app(**shared), limited_app(**shared)
    where = address()
    assert [guess(app, where) for app in (first, second) for _ in range(15)] == [401] * 30
    assert guess(first, where) == 429
    assert guess(second, where) == 429


def test_an_unreachable_redis_leaves_failed_authentication_limited_in_memory(
        limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_storage_url="redis://127.0.0.1:1/0",
                      rate_limit_failed_auth="3/minute")
    where = address()
    assert [guess(app, where) for _ in range(4)] == [401, 401, 401, 429]  # never a 500
    assert from_address(key_for(app), "/v1/people", where).status_code == 200
