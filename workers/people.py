"""People: interviewers and candidates, each created with an API key of their own."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, bindparam, delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import InterviewParticipant, Person
from workers import api_keys
from workers.callers import Caller
from workers.errors import Conflict, Invalid, NotFound
from workers.lookup import get_or_404, parse_id

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


def create(session: Session, name: str, email: str, role: str,
           now: datetime) -> tuple[Person, str]:
    """A person and their first API key (in clear, to show once); 409 on a known email."""
    person = Person(id=uuid.uuid4(), name=name, email=email, email_key=email.lower(), role=role,
                    created_at=now)
    try:
        with session.begin_nested():
            session.add(person)
    except IntegrityError:
        raise Conflict(f"a person with the email {email} already exists") from None
    return person, api_keys.issue(session, role, now, person_id=person.id, label=email)


def remove(session: Session, person: Person, now: datetime) -> None:
    """Delete a person with all they own; 409 while they have interviews ahead."""
    upcoming = session.scalar(select(exists().where(
        InterviewParticipant.person_id == person.id, InterviewParticipant.start >= now)))
    if upcoming:
        raise Conflict(f"person {person.id} has booked interviews ahead; cancel them first")
    session.execute(delete(Person).where(Person.id == person.id))


def listing(role: str | None, caller: Caller) -> Select[Person]:
    """Everyone of `role` (or of both) the caller may see."""
    stmt = select(Person)
    if role:
        stmt = stmt.where(Person.role == role)
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
