"""Interviews: book one (201 or 409), list, get, cancel, and each person's iCalendar feed."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, jsonify
from icalendar import Calendar, Event, vText
from sqlalchemy import Select, select

from api import schemas
from api.auth import principal, roles
from api.db import db
from api.errors import ApiError, invalid, not_found
from api.operations import operation, validation_context
from api.pagination import page
from api.people import visible_person
from api.slots import people_of_roles
from api.writes import write
from models import Interview, InterviewParticipant, Person
from scheduling.hours import is_on_the_hour, next_full_hour
from workers import resources
from workers.calendar import NotFree, book, cancel

bp = Blueprint("interviews", __name__)


def _mine() -> Select[tuple[uuid.UUID]]:
    return select(InterviewParticipant.interview_id).where(
        InterviewParticipant.person_id == principal().person_id)


def _visible(interview_id: str) -> Interview:
    ident = schemas.parse_id(interview_id)
    interview = db().get(Interview, ident) if ident else None
    if interview is not None and not principal().is_admin:
        interview = interview if db().scalar(_mine().where(
            InterviewParticipant.interview_id == interview.id)) else None
    if interview is None:
        raise not_found("interview", interview_id)
    return interview


@bp.post("/interviews")
@roles("admin")
@write
@operation("Book an interview (409 when anyone is not free then)", tag="interviews",
           body=schemas.InterviewIn, responses={201: schemas.Interview})
def create_interview(body: schemas.InterviewIn) -> Response:
    session = db()
    context = validation_context()
    if not is_on_the_hour(body.start, context["tz"]):
        raise invalid("start", "is not on the hour")
    if body.start < next_full_hour(context["now"], context["tz"]):
        raise invalid("start", "is in the past (the earliest is the next full hour)")
    candidate, *panel = people_of_roles(session, [
        (body.candidate, "candidate", "candidate"),
        *((raw, "interviewer", f"interviewers[{n}]") for n, raw in enumerate(body.interviewers))])
    if len(set(panel)) != len(panel):
        raise invalid("interviewers", "lists someone twice")
    try:
        interview = book(session, candidate, panel, body.start)
    except NotFree as exc:
        raise ApiError(409, str(exc)) from None
    response = jsonify(resources.interviews(session, [interview])[0])
    response.status_code = 201
    response.headers["Location"] = f"/v1/interviews/{interview.id}"
    return response


@bp.get("/interviews")
@operation("List interviews (admins: anyone's; others: their own)", tag="interviews",
           query=schemas.InterviewsQuery, responses={200: schemas.Interviews})
def list_interviews(query: schemas.InterviewsQuery) -> Response:
    session, me = db(), principal()
    stmt = select(Interview)
    if query.person is not None:
        person = visible_person(query.person)
        if not me.may_act_for(person.id):
            raise ApiError(403, "you may list only your own interviews")
        stmt = stmt.where(Interview.id.in_(select(InterviewParticipant.interview_id).where(
            InterviewParticipant.person_id == person.id)))
    elif not me.is_admin:
        stmt = stmt.where(Interview.id.in_(_mine()))
    if query.from_ is not None:
        stmt = stmt.where(Interview.start >= query.from_)
    if query.to is not None:
        stmt = stmt.where(Interview.start < query.to)
    found, nxt = page(session, stmt, order=Interview.start, ident=Interview.id,
                      limit=query.limit, cursor=query.cursor, render=lambda i: i)
    return jsonify({"interviews": resources.interviews(session, found), "next": nxt})


@bp.get("/interviews/<interview_id>")
@operation("Get an interview", tag="interviews", responses={200: schemas.Interview})
def get_interview(interview_id: str) -> Response:
    return jsonify(resources.interviews(db(), [_visible(interview_id)])[0])


@bp.delete("/interviews/<interview_id>")
@roles("admin")
@write
@operation("Cancel an interview; its hours become free again", tag="interviews",
           responses={204: None})
def delete_interview(interview_id: str) -> Response:
    cancel(db(), _visible(interview_id))
    return Response(status=204)


@bp.get("/people/<person_id>/interviews.ics")
@operation("A person's interviews as an iCalendar feed (RFC 5545)", tag="interviews",
           responses={200: "text/calendar"})
def calendar_feed(person_id: str) -> Response:
    person = visible_person(person_id)
    if not principal().may_act_for(person.id):
        raise ApiError(403, "you may read only your own calendar")
    session = db()
    interviews = list(session.scalars(
        select(Interview).where(Interview.id.in_(select(InterviewParticipant.interview_id).where(
            InterviewParticipant.person_id == person.id))).order_by(Interview.start)))
    panels = resources.panels(session, interviews)
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(
        {i.candidate_id for i in interviews} | {uuid.UUID(p) for ps in panels.values()
                                                for p in ps}))).all())
    feed = Calendar()
    feed.add("prodid", "-//Interview Calendar//EN")
    feed.add("version", "2.0")
    # A text value, escaped: an unknown property's plain string would be written as it is,
    # and a name may hold line breaks.
    feed.add("x-wr-calname", vText(f"Interviews: {person.name}"))
    for interview in interviews:
        event = Event()
        event.add("uid", f"{interview.id}@interview-calendar")
        event.add("dtstamp", interview.created_at)
        event.add("dtstart", interview.start)
        event.add("dtend", interview.end)
        panel = ", ".join(names.get(uuid.UUID(p), p) for p in sorted(panels[interview.id]))
        event.add("summary", f"Interview: {names.get(interview.candidate_id, '')}"
                  if person.role == "interviewer" else "Interview")
        event.add("description", f"Panel: {panel}")
        feed.add_component(event)
    return Response(feed.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{person.id}.ics"'})
