"""Why there is no slot (SPEC §5): a candidate's and interviewers' hours of a window, each
with the part of the rule of "free" that keeps it (`workers/free_hours.py`), explained."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from scheduling.explanations import Explanation, explain
from scheduling.hours import starts_in
from workers import people
from workers.callers import Caller
from workers.errors import Problem
from workers.free_hours import offered_with_reasons
from workers.slots import asked_candidate


def why_no_slot(session: Session, caller: Caller, candidate: str | None,
                interviewers: list[str], start: datetime, end: datetime,
                tz: tzinfo) -> Explanation:
    """The explanation for the candidate and the interviewers, as sent, in [start, end): the
    candidate first, then the interviewers in the order named (once each). The same checks as
    a slot request (403 for another candidate's key, 404, 422), and both kinds of people are
    required. One query reads every person's offered hours of the window (at most 366 days of
    hours each, for at most 51 people)."""
    candidate = asked_candidate(caller, candidate)
    if candidate is None or not interviewers:
        raise _missing(candidate=candidate, interviewer=interviewers)
    wanted = [(raw, role, role) for raw, role in (
        (candidate, "candidate"), *((i, "interviewer") for i in dict.fromkeys(interviewers)))]
    ids = list(dict.fromkeys(people.of_roles(session, wanted, caller)))
    reasons = offered_with_reasons(session, ids, start, end)
    return explain(starts_in(start, end, tz), {str(ident): reasons[ident] for ident in ids})


def _missing(**given: object) -> Problem:
    """422 naming each parameter not given."""
    errors = [{"field": name, "message": "required: name the candidate and at least one "
               "interviewer"} for name, value in given.items() if not value]
    return Problem(422, "; ".join(f"{e['field']}: {e['message']}" for e in errors),
                   errors=errors)
