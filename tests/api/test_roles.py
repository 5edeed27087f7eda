"""Who may do what: every operation of /openapi.json against every kind of caller.

A world (a candidate "me", another candidate, an interviewer who is not on me's panel, a
panelist, me's interview, a job me submitted, a webhook with a delivery, a spare key of me's)
serves every operation, except those in FRESH, which delete what the others need and get a
world of their own. Each operation is called by each caller in the order of ROLES, the admin
last, so a write that succeeds comes after the callers that must be refused.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.test import TestResponse

from tests.api.conftest import WAIT, Api, book, hours_from_now, publish, span

ROLES = ("anonymous", "wrong key", "revoked key", "candidate", "other candidate", "interviewer",
         "admin")

# Expected status per caller, in the order of ROLES. "candidate" is "me": the person, interview,
# job and key in the path are me's (DELETE /v1/people/{id} deletes the other candidate).
TABLE: dict[str, str] = {
    # operation                                                  anon wrong revok me  othr intv admn
    "GET /v1/people":                                            "401 401 401 200 200 200 200",
    "POST /v1/people":                                           "401 401 401 403 403 403 201",
    "GET /v1/people/{person_id}":                                "401 401 401 200 404 200 200",
    "GET /v1/me":                                                "401 401 401 200 200 200 200",
    "PATCH /v1/people/{person_id}":                              "401 401 401 200 403 403 200",
    "DELETE /v1/people/{person_id}":                             "401 401 401 403 403 403 204",
    "GET /v1/people/{person_id}/availability":                   "401 401 401 200 404 200 200",
    "POST /v1/people/{person_id}/availability":                  "401 401 401 202 403 403 202",
    "DELETE /v1/people/{person_id}/availability":                "401 401 401 202 403 403 202",
    "POST /v1/people/{person_id}/availability:remove":           "401 401 401 202 403 403 202",
    "GET /v1/people/{person_id}/weekly-hours":                   "401 401 401 200 404 200 200",
    "PUT /v1/people/{person_id}/weekly-hours":                   "401 401 401 200 403 403 200",
    "DELETE /v1/people/{person_id}/weekly-hours":                "401 401 401 204 403 403 204",
    "GET /v1/people/{person_id}/calendars":                      "401 401 401 200 404 200 200",
    "POST /v1/people/{person_id}/calendars":                     "401 401 401 202 403 403 202",
    "GET /v1/people/{person_id}/calendars/{calendar_id}":        "401 401 401 200 404 200 200",
    "POST /v1/people/{person_id}/calendars/{calendar_id}/sync":  "401 401 401 202 403 403 202",
    # me deletes it; the admin, last, finds it gone
    "DELETE /v1/people/{person_id}/calendars/{calendar_id}":     "401 401 401 204 403 403 404",
    "GET /v1/people/{person_id}/interviews.ics":                 "401 401 401 200 404 403 200",
    "GET /v1/people/{person_id}/api-keys":                       "401 401 401 200 404 403 200",
    "POST /v1/people/{person_id}/api-keys":                      "401 401 401 201 403 403 201",
    "GET /v1/api-keys":                                          "401 401 401 403 403 403 200",
    "POST /v1/api-keys":                                         "401 401 401 403 403 403 201",
    "DELETE /v1/api-keys/{key_id}":                              "401 401 401 204 404 404 204",
    "POST /v1/availability/imports":                             "401 401 401 403 403 403 202",
    "GET /v1/slots":                                             "401 401 401 200 403 200 200",
    "GET /v1/slots/explain":                                     "401 401 401 200 403 200 200",
    "POST /v1/matches":                                          "401 401 401 403 403 403 202",
    "POST /v1/interviews":                                       "401 401 401 403 403 403 201",
    "GET /v1/interviews":                                        "401 401 401 200 200 200 200",
    "GET /v1/interviews/{interview_id}":                         "401 401 401 200 404 404 200",
    "PATCH /v1/interviews/{interview_id}":                       "401 401 401 403 403 403 200",
    "DELETE /v1/interviews/{interview_id}":                      "401 401 401 403 403 403 204",
    "GET /v1/jobs":                                              "401 401 401 200 200 200 200",
    "GET /v1/jobs/{job_id}":                                     "401 401 401 200 404 404 200",
    "POST /v1/webhooks":                                         "401 401 401 403 403 403 201",
    "GET /v1/webhooks":                                          "401 401 401 403 403 403 200",
    "GET /v1/webhooks/{webhook_id}":                             "401 401 401 403 403 403 200",
    "DELETE /v1/webhooks/{webhook_id}":                          "401 401 401 403 403 403 204",
    "GET /v1/webhooks/{webhook_id}/deliveries":                  "401 401 401 403 403 403 200",
    "GET /v1/webhooks/{webhook_id}/deliveries/{delivery_id}":    "401 401 401 403 403 403 200",
    "POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry":
                                                                 "401 401 401 403 403 403 202",
}

FRESH = {"DELETE /v1/people/{person_id}", "DELETE /v1/interviews/{interview_id}",
         "DELETE /v1/webhooks/{webhook_id}",
         "DELETE /v1/people/{person_id}/calendars/{calendar_id}"}
HOOK = "http://127.0.0.1:9/hook"  # nothing listens: deliveries fail and wait for a retry
FEED = "http://127.0.0.1:9/me.ics"  # nor here: reads fail, the calendar stays


@dataclass
class World:
    keys: dict[str, str | None]
    me: dict[str, Any]
    other: dict[str, Any]
    interviewer: dict[str, Any]
    panelist: dict[str, Any]
    interview_id: str
    job_id: str
    webhook_id: str
    delivery_id: str
    key_id: str
    calendar_id: str


def build(admin: Api) -> World:
    """The data every operation's cells need, made through the API itself."""
    webhook = admin.post("/v1/webhooks", {"url": HOOK, "events": ["interview.booked"]})
    assert webhook.status_code == 201, webhook.json
    me, other = admin.person("candidate", "Me"), admin.person("candidate", "Other")
    interviewer, panelist = admin.person("interviewer", "Ivy"), admin.person("interviewer", "Pam")
    job = admin.as_key(me["api_key"]).post(f"/v1/people/{me['id']}/availability",
                                           {"ranges": [span(2, 5)]}, headers=WAIT)
    assert job.status_code == 200 and job.json["status"] == "succeeded", job.json
    publish(admin, panelist, span(2, 5))
    interview = book(admin, me, [panelist], 2)
    assert interview.status_code == 201, interview.json
    deliveries = admin.get(f"/v1/webhooks/{webhook.json['id']}/deliveries").json["deliveries"]
    spare = admin.post(f"/v1/people/{me['id']}/api-keys", {"label": "spare"})
    calendar = admin.post(f"/v1/people/{me['id']}/calendars", {"url": FEED})
    assert calendar.status_code == 202, calendar.json
    revoked = admin.post("/v1/api-keys", {"label": "revoked"})
    assert admin.delete(f"/v1/api-keys/{revoked.json['id']}").status_code == 204
    return World(
        keys={"anonymous": None, "wrong key": "ic_" + secrets.token_urlsafe(32),
              "revoked key": revoked.json["api_key"], "candidate": me["api_key"],
              "other candidate": other["api_key"], "interviewer": interviewer["api_key"],
              "admin": admin.key},
        me=me, other=other, interviewer=interviewer, panelist=panelist,
        interview_id=interview.json["id"], job_id=job.json["id"],
        webhook_id=webhook.json["id"], delivery_id=deliveries[0]["id"], key_id=spare.json["id"],
        calendar_id=admin.get(f"/v1/people/{me['id']}/calendars").json["calendars"][0]["id"])


def hours(first: int, last: int) -> dict[str, Any]:
    return {"ranges": [span(first, last)]}


# Request bodies (and query strings) that are valid, so that only the caller decides the answer.
BODIES: dict[str, Callable[[World], Any]] = {
    "POST /v1/people": lambda w: {"name": "New", "email": f"new.{uuid.uuid4().hex}@example.com",
                                  "role": "candidate"},
    "PATCH /v1/people/{person_id}": lambda w: {"name": "Renamed", "time_zone": "Europe/Oslo"},
    "POST /v1/people/{person_id}/availability": lambda w: hours(10, 11),
    "DELETE /v1/people/{person_id}/availability": lambda w: hours(10, 11),
    "POST /v1/people/{person_id}/availability:remove": lambda w: hours(10, 11),
    "PUT /v1/people/{person_id}/weekly-hours":
        lambda w: {"days": {"mon": [{"start": "09:00", "end": "17:00"}]}},
    "POST /v1/people/{person_id}/api-keys": lambda w: {"label": "roles"},
    "POST /v1/api-keys": lambda w: {"label": "roles"},
    "POST /v1/availability/imports": lambda w: {"entries": [{"person": w.me["id"],
                                                             **hours(10, 11)}]},
    "POST /v1/matches": lambda w: {"from": hours_from_now(0), "to": hours_from_now(24)},
    "POST /v1/interviews": lambda w: {"candidate": w.me["id"], "interviewers": [w.panelist["id"]],
                                      "start": hours_from_now(3)},
    "PATCH /v1/interviews/{interview_id}": lambda w: {"start": hours_from_now(4),
                                                      "title": "Moved"},
    "POST /v1/webhooks": lambda w: {"url": HOOK, "events": ["job.failed"]},
    "POST /v1/people/{person_id}/calendars": lambda w: {"url": FEED},
}
QUERIES: dict[str, Callable[[World], str]] = {
    "GET /v1/slots": lambda w: f"?candidate={w.me['id']}",
    "GET /v1/slots/explain": lambda w: f"?candidate={w.me['id']}&interviewer={w.panelist['id']}",
}


def url(operation: str, w: World) -> str:
    path = operation.split(" ", 1)[1].format(
        person_id=w.other["id"] if operation == "DELETE /v1/people/{person_id}" else w.me["id"],
        interview_id=w.interview_id, job_id=w.job_id, webhook_id=w.webhook_id,
        delivery_id=w.delivery_id, key_id=w.key_id, calendar_id=w.calendar_id)
    return path + QUERIES.get(operation, lambda _: "")(w)


def call(api: Api, operation: str, w: World, where: str = "127.0.0.1") -> TestResponse:
    """The operation from the client address `where`."""
    method = operation.split(" ", 1)[0]
    body = BODIES[operation](w) if operation in BODIES else None
    client = {"environ_base": {"REMOTE_ADDR": where}}
    if method == "GET":
        return api.get(url(operation, w), **client)
    if method == "POST":
        return api.post(url(operation, w), body, **client)
    if method == "PATCH":
        return api.patch(url(operation, w), body, **client)
    if method == "PUT":
        return api.put(url(operation, w), body, **client)
    return api.delete(url(operation, w), body, **client)


def operations(anon: Api) -> set[str]:
    paths = anon.get("/openapi.json").json["paths"]
    return {f"{method.upper()} {path}" for path, ops in paths.items()
            for method, spec in ops.items() if spec.get("security") != []}


def test_the_table_has_a_row_for_every_operation_and_no_other(anon: Api) -> None:
    found = operations(anon)
    assert sorted(found - TABLE.keys()) == [], "add these operations to TABLE in test_roles.py"
    assert sorted(TABLE.keys() - found) == [], "these rows name no operation"


def test_every_operation_answers_every_caller_as_the_table_says(
        admin: Api, anon: Api, figures: Callable[[str], None]) -> None:
    got: dict[str, list[str]] = {}
    wrong: list[str] = []
    shared = build(admin)
    ordered = sorted(operations(anon) & TABLE.keys(), key=lambda o: o in FRESH)
    for n, operation in enumerate(ordered):
        world = build(admin) if operation in FRESH else shared
        expected = TABLE[operation].split()
        got[operation] = []
        for role, want in zip(ROLES, expected, strict=True):
            # Each operation's callers from an address of their own: far from the limit of
            # failed authentications per address, which tests/api/test_limits_per_person.py tests.
            r = call(admin.as_key(world.keys[role]), operation, world, f"10.0.0.{n + 1}")
            got[operation].append(str(r.status_code))
            if str(r.status_code) != want:
                wrong.append(f"{operation} as {role}: {r.status_code}, expected {want}: "
                             f"{r.get_data(as_text=True)[:200]}")
            if r.status_code >= 400:
                assert r.content_type == "application/problem+json", (operation, role)
    show(figures, got)
    assert wrong == []


def show(figures: Callable[[str], None], got: dict[str, list[str]]) -> None:
    """Operation × caller → status for the summary of figures, mismatches as got!=want."""
    width = max(map(len, TABLE))
    figures(f"who may do what: {len(got)} operations × {len(ROLES)} callers")
    figures(f"{'operation':{width}}  " + " ".join(f"{r[:11]:>11}" for r in ROLES))
    for operation in TABLE:
        if operation in got:
            marks = [s if s == e else f"{s}!={e}"
                     for s, e in zip(got[operation], TABLE[operation].split(), strict=True)]
            figures(f"{operation:{width}}  " + " ".join(f"{m:>11}" for m in marks))


def test_a_candidate_never_sees_another_candidate(admin: Api) -> None:
    """Every read path a candidate has: the other candidate's id, name and email never appear,
    and naming them answers as if they did not exist (404), or 403 where SPEC says so."""
    w = build(admin)
    other = admin.as_key(w.other["api_key"])
    r = other.post(f"/v1/people/{w.other['id']}/availability", hours(2, 6), headers=WAIT)
    assert r.status_code == 200 and r.json["status"] == "succeeded", r.json
    other_job = r.json["id"]
    other_interview = book(admin, w.other, [w.panelist], 3).json["id"]
    me = admin.as_key(w.me["api_key"])
    me_id, panelist = w.me["id"], w.panelist["id"]
    reads = [
        "/v1/people", "/v1/people?role=candidate", f"/v1/people/{me_id}",
        f"/v1/people/{panelist}", f"/v1/people/{me_id}/availability",
        f"/v1/people/{panelist}/availability", "/v1/slots", f"/v1/slots?interviewer={panelist}",
        f"/v1/slots?candidate={me_id}&interviewer={panelist}",
        f"/v1/slots/explain?interviewer={panelist}", "/v1/interviews",
        f"/v1/interviews?person={me_id}", f"/v1/interviews/{w.interview_id}", "/v1/jobs",
        f"/v1/jobs/{w.job_id}", f"/v1/people/{me_id}/interviews.ics",
        f"/v1/people/{me_id}/api-keys",
    ]
    secrets_of_other = (w.other["id"], w.other["email"], other_interview, other_job)
    for path in reads:
        r = me.get(path)
        assert r.status_code == 200, (path, r.json)
        text = r.get_data(as_text=True)
        assert not [s for s in secrets_of_other if s in text], path
    assert [p["id"] for p in me.get("/v1/people?role=candidate").json["people"]] == [me_id]
    assert me.get(f"/v1/interviews/{w.interview_id}").json["candidate"] == me_id
    for path in (f"/v1/people/{w.other['id']}", f"/v1/people/{w.other['id']}/availability",
                 f"/v1/people/{w.other['id']}/interviews.ics",
                 f"/v1/people/{w.other['id']}/api-keys", f"/v1/interviews?person={w.other['id']}",
                 f"/v1/interviews/{other_interview}", f"/v1/jobs/{other_job}",
                 f"/v1/slots?interviewer={w.other['id']}",
                 f"/v1/slots/explain?interviewer={w.other['id']}"):
        assert me.get(path).status_code == 404, path
    assert me.get(f"/v1/slots?candidate={w.other['id']}").status_code == 403
    assert me.get(f"/v1/slots/explain?candidate={w.other['id']}&interviewer={panelist}"
                  ).status_code == 403


def test_naming_another_candidate_answers_like_naming_nobody(admin: Api) -> None:
    """No status tells a candidate that an id belongs to another candidate."""
    w = build(admin)
    me = admin.as_key(w.me["api_key"])
    nobody = str(uuid.uuid4())
    for template in ("/v1/people/{}", "/v1/people/{}/availability", "/v1/interviews/{}",
                     "/v1/people/{}/interviews.ics", "/v1/people/{}/api-keys",
                     "/v1/interviews?person={}", "/v1/slots?interviewer={}",
                     "/v1/slots?candidate={}", "/v1/slots/explain?interviewer={}",
                     "/v1/slots/explain?candidate={}"):
        assert (me.get(template.format(w.other["id"])).status_code
                == me.get(template.format(nobody)).status_code), template
    for template, body in (("/v1/people/{}/availability", hours(10, 11)),
                           ("/v1/people/{}/api-keys", {})):
        assert (me.post(template.format(w.other["id"]), body).status_code
                == me.post(template.format(nobody), body).status_code == 403), template
