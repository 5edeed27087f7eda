"""People: interviewers and candidates, each created with an API key of their own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import CAPS, InterviewParticipant, Job, Person, PersonTag
from workers import api_keys, calendars, caps, outbox, person_fields, weekly_hours
from workers.callers import Caller
from workers.errors import Conflict, Invalid, NotFound
from workers.lookup import get_or_404, parse_id
from workers.settings import Settings

# Built once: slot requests ask on every call.
ROLES = select(Person.id, Person.role).where(Person.id.in_(bindparam("ids", expanding=True)))
Wanted = tuple[str, str, str]  # (id as sent, the role it must have, the field that named it)


def visible(session: Session, raw_id: str, caller: Caller) -> Person:
    """The person, if the caller may see them (404 otherwise)."""
    return get_or_404(session, Person, raw_id, "person",
                      visible=lambda person: caller.may_see(person.id, person.role))


def writable(session: Session, raw_id: str, caller: Caller, refusal: str) -> Person:
    """The person whose things the caller changes: admins anyone's, others their own only
    (403 with `refusal`, whether or not the person exists), else 404."""
    caller.require_acting_for(parse_id(raw_id), refusal)
    return get_or_404(session, Person, raw_id, "person")


def submit_for(session: Session, raw_id: str, caller: Caller, refusal: str, kind: str,
               payload: Callable[[uuid.UUID], dict[str, Any]], **job: Any) -> Job:
    """A job on a person whose things the caller changes (403 with `refusal` as `writable`),
    queued in the statement that finds them: a 404 inserts nothing, and the request makes one
    round trip instead of two."""
    ident = parse_id(raw_id)
    caller.require_acting_for(ident, refusal)
    queued = None if ident is None else outbox.submit_if(
        session, exists().where(Person.id == ident), kind, payload(ident), **job)
    if queued is None:
        raise NotFound("person", raw_id)
    return queued


def create(session: Session, name: str, email: str, role: str, now: datetime,
           fields: Mapping[str, Any]) -> tuple[Person, str]:
    """A person with their optional `fields` (time_zone, tags, caps), and their first API key
    (in clear, to show once); 409 on a known email, 422 for tags or caps on a candidate."""
    person_fields.require_fits_role(role, fields)
    person = Person(id=uuid.uuid4(), name=name, email=email, email_key=email.lower(), role=role,
                    created_at=now)
    with _unique_email(session, email):
        session.add(person)
    _apply(session, person, fields)
    return person, api_keys.issue(session, role, now, person_id=person.id, label=email)


def patchable(session: Session, raw_id: str, caller: Caller, fields: Sequence[str]) -> Person:
    """The person a merge patch of `fields` may change: 403 for another person's, or for what
    a person may not change of their own, before any value is looked at; else 404."""
    person = writable(session, raw_id, caller, "a person may change only their own details")
    person_fields.require_changeable(caller, fields)
    return person


def update(session: Session, person: Person, changes: Mapping[str, Any], settings: Settings,
           now: datetime) -> None:
    """Apply a merge patch's valid `changes` (a null clears: no zone, no tags, no cap); 409 on
    another person's email, 422 for tags or caps on a candidate. A new zone makes the person's
    weekly hours again in it, and with a new email, has their calendars read again soon (floating
    times, all-day events and declines depend on them); with new caps, their capped days and
    weeks are counted again."""
    _apply(session, person, changes)
    if "time_zone" in changes:
        weekly_hours.rezone(session, person, settings, now)
    if {"time_zone", *CAPS} & changes.keys():
        caps.refresh(session, [person.id], settings.tz, now)
    if {"time_zone", "email"} & changes.keys():
        calendars.read_soon(session, person.id, now)


def _apply(session: Session, person: Person, changes: Mapping[str, Any]) -> None:
    person_fields.require_fits_role(person.role, changes)
    for field, value in changes.items():
        if field == "tags":
            _retag(session, person.id, value or [])
        elif field == "email":
            with _unique_email(session, value):
                person.email, person.email_key = value, value.lower()
        else:
            setattr(person, field, value)


@contextmanager
def _unique_email(session: Session, email: str) -> Iterator[None]:
    """Write the change made in the block at once: 409 when `email` is another person's."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError:
        raise Conflict(f"a person with the email {email} already exists") from None


def _retag(session: Session, person_id: uuid.UUID, tags: list[str]) -> None:
    session.execute(delete(PersonTag).where(PersonTag.person_id == person_id))
    if tags:
        session.execute(insert(PersonTag), [{"person_id": person_id, "tag": t} for t in tags])


def tags_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each person's tags, sorted, with one query for them all (a person without: absent)."""
    out: dict[uuid.UUID, list[str]] = {}
    if ids:
        rows = session.execute(select(PersonTag.person_id, PersonTag.tag)
                               .where(PersonTag.person_id.in_(ids))
                               .order_by(PersonTag.person_id, PersonTag.tag))
        for person_id, tag in rows:
            out.setdefault(person_id, []).append(tag)
    return out


def remove(session: Session, person: Person, now: datetime) -> None:
    """Delete a person with all they own; 409 while they have interviews ahead."""
    upcoming = session.scalar(select(exists().where(
        InterviewParticipant.person_id == person.id, InterviewParticipant.start >= now)))
    if upcoming:
        raise Conflict(f"person {person.id} has booked interviews ahead; cancel them first")
    session.execute(delete(Person).where(Person.id == person.id))


def listing(role: str | None, tags: Sequence[str], caller: Caller) -> Select[Person]:
    """Everyone of `role` (or of both) carrying every one of the distinct `tags` whom the
    caller may see."""
    stmt = select(Person)
    if role:
        stmt = stmt.where(Person.role == role)
    if tags:  # read from the index on (tag, person_id) alone
        stmt = stmt.where(Person.id.in_(
            select(PersonTag.person_id).where(PersonTag.tag.in_(tags))
            .group_by(PersonTag.person_id).having(func.count() == len(tags))))
    if caller.role == "candidate":
        stmt = stmt.where((Person.role == "interviewer") | (Person.id == caller.person_id))
    return stmt


def parsed(wanted: list[Wanted]) -> dict[str, uuid.UUID | None]:
    """Each id as sent, parsed (None for one that names nobody)."""
    return {raw: parse_id(raw) for raw, _, _ in wanted}


def of_roles(session: Session, wanted: list[Wanted], caller: Caller) -> list[uuid.UUID]:
    """The ids of existing people of the given roles, with one query for all of them: 404 for
    one unknown (or another candidate, to a candidate), 422 for one of the other role."""
    ids = parsed(wanted)
    known = list({ident for ident in ids.values() if ident})
    found = dict(session.connection().execute(ROLES, {"ids": known}).all()) if known else {}
    return checked(wanted, ids, found, caller)


def checked(wanted: list[Wanted], ids: dict[str, uuid.UUID | None],
            found: dict[uuid.UUID, str], caller: Caller) -> list[uuid.UUID]:
    """`wanted`'s ids, in order, once each is found with its role in `found`."""
    out = []
    for raw, role, field in wanted:
        ident = ids[raw]
        actual = found.get(ident) if ident else None
        if ident is None or actual is None or not caller.may_see(ident, actual):
            raise NotFound("person", raw)
        if actual != role:
            raise Invalid(field, f"person {raw} is not a {role}")
        out.append(ident)
    return out
