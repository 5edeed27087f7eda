"""The consistency checks run after the load: each returns what is wrong, nothing when all
is well."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tests.load.conftest import DONE, HOUR, Seeded, Stack
from tests.load.journal import Journal
from tests.load.state import InterviewRow, State, status
from tests.stack import z

# Every answer each kind of request may get; any other (5xx, 429, a timeout) fails the run.
# 409 is a booking's answer when someone was taken meanwhile; 200 an add's under Prefer: wait.
EXPECTED = {"slots": {200}, "add": {200, 202}, "remove": {202}, "job": {200},
            "book": {201, 409}, "cancel": {204}, "match": {202}}
# Jobs that may fail, and how: a remove of a booked hour; a match outpaced by bookings.
MAY_FAIL = {"availability.remove": 409, "match": 409}


def double_bookings(interviews: list[tuple[str, str, list[str]]]) -> list[str]:
    """(start, candidate, interviewers) of each interview → who sits in two at one hour."""
    seats = Counter((person, start) for start, candidate, panel in interviews
                    for person in [candidate, *panel])
    return [f"{person} is in {n} interviews at {start}" for (person, start), n in seats.items()
            if n > 1]


def no_double_booking(state: State) -> list[str]:
    """Counted from the participant rows, whatever the unique constraint promises."""
    return double_bookings([(z(i.start), i.candidate, [p for p in i.people if p != i.candidate])
                            for i in state.interviews.values()])


def interviews_well_formed(state: State, seeded: Seeded) -> list[str]:
    """One candidate, one or more interviewers, one hour on the hour, everyone at that hour."""
    role = {p.id: p.role for p in seeded.people}
    wrong = []
    for ident, i in state.interviews.items():
        panel = [p for p in i.people if p != i.candidate]
        if (i.candidate not in i.people or role[i.candidate] != "candidate" or not panel
                or any(role[p] != "interviewer" for p in panel)
                or set(i.people.values()) != {i.start} or i.end - i.start != HOUR
                or i.start.minute or i.start.second):
            wrong.append(f"interview {ident}: {i}")
    return wrong


def hours_within_availability(state: State) -> list[str]:
    """Counted from the rows, whatever the foreign key promises."""
    return [f"{person} sits in {ident} at {z(start)} outside their availability"
            for ident, i in state.interviews.items() for person, start in i.people.items()
            if start not in state.hours.get(person, set())]


def every_job_finished(journal: Journal, state: State) -> list[str]:
    """Every job accepted was run to an end, failed only as it may, and none appeared unasked."""
    wrong = [f"job {ident} answered 202 is not in the database"
             for ident in journal.jobs() - state.jobs.keys()]
    extra = state.jobs.keys() - journal.jobs()
    if [state.jobs[i].kind for i in extra] != ["availability.import"]:  # the seeding's own
        wrong.append(f"jobs nobody submitted: {sorted(extra)}")
    for ident, job in state.jobs.items():
        if job.status not in DONE:
            wrong.append(f"job {ident} ({job.kind}) is {job.status}")
        elif job.status == "failed" and (job.error or {}).get("status") != MAY_FAIL.get(job.kind):
            wrong.append(f"job {ident} ({job.kind}) failed: {job.error}")
    return wrong


def writes_applied_once(journal: Journal, state: State) -> list[str]:
    """Each add counted exactly the hours sent as added; each remove that succeeded removed
    exactly them."""
    wrong = []
    for w in journal.writes:
        job = state.jobs.get(w.job)
        counts = ({"added": w.hours, "already_present": 0} if w.kind == "add"
                  else {"removed": w.hours, "not_present": 0})
        if job is not None and job.status == "succeeded" and job.result != counts:
            wrong.append(f"{w.kind} of {w.hours} h for {w.person} at {z(w.start)}: "
                         f"{job.result}, expected {counts}")
    return wrong


def removes_refused_only_when_booked(journal: Journal, state: State) -> list[str]:
    """A remove fails only for a booked hour: of an interview still there, or since cancelled."""
    booked = {(person, start) for i in state.interviews.values()
              for person, start in i.people.items()}
    for ident in journal.cancelled:
        b = journal.bookings[ident]
        booked |= {(person, datetime.fromisoformat(b["start"]))
                   for person in [b["candidate"], *b["interviewers"]]}
    return [f"the remove of {w.hours} h for {w.person} at {z(w.start)} failed; none was booked"
            for w in journal.writes if w.kind == "remove" and status(state, w.job) == "failed"
            and not any((w.person, hour) in booked for hour in w.hour_set())]


def expected_hours(journal: Journal, state: State, seeded: Seeded) -> dict[str, set[datetime]]:
    """The seeded hours, plus every block added, minus those whose remove succeeded."""
    hours = {person: set(found) for person, found in seeded.hours.items()}
    removed = {(w.person, w.start) for w in journal.writes
               if w.kind == "remove" and status(state, w.job) == "succeeded"}
    for w in journal.writes:
        if w.kind == "add" and (w.person, w.start) not in removed:
            hours[w.person] |= w.hour_set()
    return hours


def availability_as_written(journal: Journal, state: State, seeded: Seeded) -> list[str]:
    """Every person's hours are exactly what was written: nothing lost, nothing extra."""
    expected = expected_hours(journal, state, seeded)
    wrong = []
    for person in expected.keys() | state.hours.keys():
        want, got = expected.get(person, set()), state.hours.get(person, set())
        if want != got:
            wrong.append(f"{person}: missing {sorted(map(z, want - got))}, "
                         f"extra {sorted(map(z, got - want))}")
    return wrong


def held_as_answered(row: InterviewRow | None, answered: dict[str, Any]) -> bool:
    """The interview is in the database at the hour, and with the people, it was answered with."""
    return row is not None and (z(row.start), set(row.people)) == (
        answered["start"], {answered["candidate"], *answered["interviewers"]})


def bookings_kept(journal: Journal, state: State) -> list[str]:
    """Every 201 is there as answered, unless cancelled (204), and then it is gone."""
    wrong = []
    for ident, booked in journal.bookings.items():
        row = state.interviews.get(ident)
        if ident in journal.cancelled:
            if row is not None:
                wrong.append(f"interview {ident} was cancelled but is still there")
        elif not held_as_answered(row, booked):
            wrong.append(f"interview {ident} answered 201 as {booked}, found {row}")
    return wrong


def match_interviews(journal: Journal, state: State) -> dict[str, dict[str, Any]]:
    """The interviews that the succeeded matches booked, by id."""
    return {i.get("id", "?"): i for ident in journal.matches
            if status(state, ident) == "succeeded"
            for i in (state.jobs[ident].result or {}).get("interviews", [])}


def matches_booked(journal: Journal, state: State) -> list[str]:
    """Every interview that a succeeded match booked is there, as the match's result says."""
    wrong = []
    for ident, booked in match_interviews(journal, state).items():
        row = state.interviews.get(ident)
        if not held_as_answered(row, booked):
            wrong.append(f"match interview {booked} is not in the database as booked: {row}")
    return wrong


def every_interview_accounted_for(journal: Journal, state: State) -> list[str]:
    """No interview that neither a booking nor a match made."""
    made = (journal.bookings.keys() - journal.cancelled) | match_interviews(journal, state).keys()
    return [f"interview {ident} was never booked by anyone: {state.interviews[ident]}"
            for ident in state.interviews.keys() - made]


def retries_replayed(journal: Journal) -> list[str]:
    """A POST sent again with its Idempotency-Key gets the first answer back, marked replayed."""
    return [f"a retry of the POST that made {first} answered {again} (replayed: {replayed})"
            for first, again, replayed in journal.replays if (again, replayed) != (first, True)]


def answers_as_expected(journal: Journal) -> list[str]:
    """No request got an answer its kind may not get: a 5xx, a 429, a timeout."""
    unexpected = Counter((a.kind, a.status) for a in journal.answers
                         if a.status not in EXPECTED[a.kind])
    return [f"{n} × {kind} answered {status}" for (kind, status), n in unexpected.items()]


# --- the same calendar, through the API ------------------------------------------------------

def api_interviews(stack: Stack) -> list[dict[str, Any]]:
    """Every interview GET /v1/interviews lists, page after page."""
    found: list[dict[str, Any]] = []
    query: dict[str, str] = {"limit": "1000"}
    while True:
        r = stack.call("GET", "/v1/interviews?" + urlencode(query))
        assert r.status_code == 200, r.text
        found += r.json()["interviews"]
        if r.json()["next"] is None:
            return found
        query["cursor"] = r.json()["next"]


def hours_of(ranges: list[dict[str, str]]) -> set[datetime]:
    """The hours the API's ranges cover, to compare with the rows hour by hour."""
    out = set()
    for r in ranges:
        start, end = datetime.fromisoformat(r["start"]), datetime.fromisoformat(r["end"])
        out |= {start + k * HOUR for k in range((end - start) // HOUR)}
    return out


def api_agrees(stack: Stack, state: State, seeded: Seeded) -> list[str]:
    """The interviews listed, and each person's hours and booked hours, are the database's;
    and the listed interviews double-book no one."""
    listed = api_interviews(stack)
    wrong = double_bookings([(i["start"], i["candidate"], i["interviewers"]) for i in listed])
    if {i["id"] for i in listed} != state.interviews.keys():
        wrong.append(f"GET /v1/interviews lists {len(listed)}, the database holds "
                     f"{len(state.interviews)}")
    last = max(h for hours in state.hours.values() for h in hours) + HOUR
    booked: dict[str, set[datetime]] = defaultdict(set)
    for i in state.interviews.values():
        for person, start in i.people.items():
            booked[person].add(start)
    for p in seeded.people:
        window = urlencode({"from": z(seeded.seeded), "to": z(last)})
        r = stack.call("GET", f"/v1/people/{p.id}/availability?{window}")
        got = r.json() if r.status_code == 200 else {"ranges": [], "booked": []}
        if (hours_of(got["ranges"]), hours_of(got["booked"])) != (
                state.hours.get(p.id, set()), booked[p.id]):
            wrong.append(f"GET availability of {p.id} answered {r.status_code} {got}")
    return wrong
