"""Interviews: booking (201/409/422), concurrency, cancelling, listing, and the .ics feed."""

from concurrent.futures import ThreadPoolExecutor

from icalendar import Calendar

from tests.api.conftest import Api, book, hours_from_now, publish, span


def _trio(admin: Api) -> tuple[dict, dict, dict]:
    cand, i1, i2 = admin.person("candidate"), admin.person("interviewer"), admin.person(
        "interviewer")
    for person in (cand, i1, i2):
        publish(admin, person, span(0, 3))
    return cand, i1, i2


def test_booking_returns_the_interview(admin: Api) -> None:
    cand, i1, i2 = _trio(admin)
    r = book(admin, cand, [i1, i2], 1)
    assert r.status_code == 201, r.json
    assert r.json == {"id": r.json["id"], "candidate": cand["id"],
                      "interviewers": sorted([i1["id"], i2["id"]]),
                      "start": hours_from_now(1), "end": hours_from_now(2), "title": None}
    assert admin.get(f"/v1/interviews/{r.json['id']}").json == r.json
    got = admin.get(f"/v1/people/{i1['id']}/availability").json
    assert got["booked"] == [span(1, 2)]


def test_booking_someone_not_free_is_409(admin: Api) -> None:
    cand, i1, i2 = _trio(admin)
    other = admin.person("candidate")
    publish(admin, other, span(0, 3))
    assert book(admin, cand, [i1], 0).status_code == 201
    r = book(admin, other, [i1, i2], 0)
    assert r.status_code == 409
    assert i1["id"] in r.json["detail"]
    assert book(admin, cand, [i2], 0).status_code == 409  # the candidate is booked then
    assert book(admin, other, [i2], 5).status_code == 409  # outside availability


def test_booking_breaks_no_rule(admin: Api) -> None:
    cand, i1, _ = _trio(admin)
    assert book(admin, i1, [cand], 0).status_code == 422
    assert book(admin, cand, [i1, i1], 0).status_code == 422
    assert book(admin, cand, [], 0).status_code == 422
    half = admin.post("/v1/interviews", {"candidate": cand["id"], "interviewers": [i1["id"]],
                                         "start": hours_from_now(0).replace(":00:00Z", ":30:00Z")})
    assert half.status_code == 422
    assert book(admin, cand, [i1], -1).status_code == 422
    r = admin.post("/v1/interviews", {"candidate": "nobody", "interviewers": [i1["id"]],
                                      "start": hours_from_now(0)})
    assert r.status_code == 404 and "nobody" in r.json["detail"]
    assert book(admin.as_key(i1["api_key"]), cand, [i1], 0).status_code == 403


def test_concurrent_bookings_of_one_interviewer_leave_exactly_one_winner(admin: Api) -> None:
    interviewer = admin.person("interviewer")
    cands = [admin.person("candidate") for _ in range(12)]
    for person in (interviewer, *cands):
        publish(admin, person, span(0, 1))

    def attempt(cand: dict) -> int:
        return book(Api(admin.client.application.test_client(), admin.key), cand,
                    [interviewer], 0).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(attempt, cands))
    assert statuses == [201] + [409] * 11
    listed = admin.get("/v1/interviews", query_string={"person": interviewer["id"]}).json
    assert len(listed["interviews"]) == 1


def test_cancelling_frees_the_hours(admin: Api) -> None:
    cand, i1, _ = _trio(admin)
    interview = book(admin, cand, [i1], 0).json
    assert admin.delete(f"/v1/interviews/{interview['id']}").status_code == 204
    assert admin.get(f"/v1/interviews/{interview['id']}").status_code == 404
    assert admin.get(f"/v1/people/{i1['id']}/availability").json["booked"] == []
    assert book(admin, cand, [i1], 0).status_code == 201


def test_people_see_only_their_own_interviews(admin: Api) -> None:
    cand, i1, i2 = _trio(admin)
    mine = book(admin, cand, [i1], 0).json
    as_i2 = admin.as_key(i2["api_key"])
    assert as_i2.get(f"/v1/interviews/{mine['id']}").status_code == 404
    assert as_i2.get("/v1/interviews").json["interviews"] == []
    assert as_i2.get("/v1/interviews", query_string={"person": i1["id"]}).status_code == 403
    as_cand = admin.as_key(cand["api_key"])
    assert [i["id"] for i in as_cand.get("/v1/interviews").json["interviews"]] == [mine["id"]]


def test_interviews_are_listed_by_window(admin: Api) -> None:
    cand, i1, _ = _trio(admin)
    other = admin.person("candidate")
    publish(admin, other, span(0, 3))
    first = book(admin, cand, [i1], 0).json
    second = book(admin, other, [i1], 2).json
    everything = admin.get("/v1/interviews").json["interviews"]
    assert [i["id"] for i in everything] == [first["id"], second["id"]]
    later = admin.get("/v1/interviews", query_string={"from": hours_from_now(1)}).json
    assert [i["id"] for i in later["interviews"]] == [second["id"]]


def test_the_ics_feed_is_valid_icalendar(admin: Api) -> None:
    cand, i1, _ = _trio(admin)
    interview = book(admin, cand, [i1], 1).json
    r = admin.as_key(i1["api_key"]).get(f"/v1/people/{i1['id']}/interviews.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    feed = Calendar.from_ical(r.data)
    events = feed.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["uid"]).startswith(interview["id"])
    assert events[0].decoded("dtstart").isoformat().replace("+00:00", "Z") == hours_from_now(1)
    assert admin.as_key(cand["api_key"]).get(
        f"/v1/people/{i1['id']}/interviews.ics").status_code == 403
