"""Interviews: book one (201 or 409), list, get, change, cancel, and each person's iCalendar
feed."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api import schemas
from api.answers import created
from api.auth import caller, roles
from api.db import db, runtime
from api.endpoint import MERGE_PATCH, endpoint, validation_context
from api.pagination import answer, page
from api.writes import write
from models import Interview
from workers import ical, interviews, people, rescheduling, resources

bp = Blueprint("interviews", __name__)


@bp.post("/interviews")
@roles("admin")
@write
@endpoint("Book an interview (409 when anyone is not free then, or a load cap would pass)",
          tag="interviews", body=schemas.InterviewIn, responses={201: schemas.Interview})
def create_interview(body: schemas.InterviewIn) -> Response:
    context = validation_context()
    interview = interviews.book_requested(db(), caller(), body.candidate, body.interviewers,
                                          body.start, now=context["now"], tz=context["tz"],
                                          title=body.title, override_caps=body.override_caps)
    return created(resources.interviews(db(), [interview])[0],
                   f"/v1/interviews/{interview.id}")


@bp.get("/interviews")
@endpoint("List interviews (admins: anyone's; others: their own)", tag="interviews",
          query=schemas.InterviewsQuery, responses={200: schemas.Interviews})
def list_interviews(query: schemas.InterviewsQuery) -> Response:
    person = people.visible(db(), query.person, caller()).id if query.person else None
    stmt = interviews.listing(caller(), person, query.from_, query.to)
    return answer("interviews", *page(db(), stmt, order=Interview.start, ident=Interview.id,
                                      limit=query.limit, cursor=query.cursor,
                                      render=lambda rows: resources.interviews(db(), rows)))


@bp.get("/interviews/<interview_id>")
@endpoint("Get an interview", tag="interviews", responses={200: schemas.Interview})
def get_interview(interview_id: str) -> Response:
    return jsonify(resources.interviews(db(), [interviews.visible(db(), interview_id,
                                                                  caller())])[0])


@bp.patch("/interviews/<interview_id>")
@roles("admin")
@write
@endpoint("Move an interview, change its panel or its title (409 when anyone new to the hour "
          "is not free then)", tag="interviews", body=schemas.InterviewPatch,
          media_types=MERGE_PATCH, responses={200: schemas.Interview})
def patch_interview(interview_id: str, body: schemas.InterviewPatch) -> Response:
    context = validation_context()
    interview = rescheduling.reschedule_requested(
        db(), caller(), interview_id, body.changes(), now=context["now"], tz=context["tz"],
        override_caps=body.override_caps)
    return jsonify(resources.interviews(db(), [interview])[0])


@bp.delete("/interviews/<interview_id>")
@roles("admin")
@write
@endpoint("Cancel an interview; its hours become free again", tag="interviews",
          responses={204: None})
def delete_interview(interview_id: str) -> Response:
    interviews.cancel(db(), interviews.visible(db(), interview_id, caller()),
                      runtime().clock.now(), runtime().settings.tz)
    return Response(status=204)


@bp.get("/people/<person_id>/interviews.ics")
@endpoint("A person's interviews as an iCalendar feed (RFC 5545)", tag="interviews",
          responses={200: "text/calendar"})
def calendar_feed(person_id: str) -> Response:
    person = people.visible(db(), person_id, caller())
    caller().require_acting_for(person.id, "you may read only your own calendar")
    return Response(ical.feed(db(), person), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{person.id}.ics"'})
