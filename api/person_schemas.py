"""People's request and response schemas; the fields' rules are workers.person_fields'."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, RootModel, field_validator

from api.schemas import Input, Name, Output, Page, not_cleared
from workers import person_fields
from workers.person_fields import CAPS, MAX_TAGS, TAG

MAX_TAG_ITEMS = 10 * MAX_TAGS  # as sent, before duplicates count once


def _email(value: str) -> str:
    """Check the address's syntax but keep it as written (the unique key is its lower case)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return value


Email = Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_email)]
TimeZone = Annotated[str, Field(min_length=1, max_length=64,
                                description="an IANA time zone, e.g. Europe/Berlin"),
                     AfterValidator(person_fields.zone)]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=TAG.pattern)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAG_ITEMS,
                                  description=f"at most {MAX_TAGS} distinct; answered sorted"),
                 AfterValidator(person_fields.tags)]
DayCap = Annotated[int, Field(strict=True, ge=1, le=CAPS["max_interviews_per_day"])]
WeekCap = Annotated[int, Field(strict=True, ge=1, le=CAPS["max_interviews_per_week"])]


class PersonIn(Input):
    name: Name
    email: Email
    role: Literal["interviewer", "candidate"]
    time_zone: TimeZone | None = Field(default=None, description="null: CALENDAR_TZ")
    tags: Tags | None = Field(default=None, description="interviewers only")
    max_interviews_per_day: DayCap | None = Field(default=None, description="interviewers only")
    max_interviews_per_week: WeekCap | None = Field(default=None,
                                                    description="interviewers only")

    def fields(self) -> dict[str, Any]:
        """The optional fields, as `workers.people.create` takes them."""
        return self.model_dump(exclude={"name", "email", "role"})


class PersonPatch(Input):
    """A JSON merge patch (RFC 7396): a field left out is kept, a field set to null cleared
    (name and email cannot be)."""

    name: Name | None = None
    email: Email | None = None
    time_zone: TimeZone | None = Field(default=None, description="null: back to CALENDAR_TZ")
    tags: Tags | None = Field(default=None, description="null: no tags")
    max_interviews_per_day: DayCap | None = Field(default=None, description="null: no cap")
    max_interviews_per_week: WeekCap | None = Field(default=None, description="null: no cap")

    kept = field_validator("name", "email", mode="before")(not_cleared)

    def changes(self) -> dict[str, Any]:
        """The fields the patch names, with their new values."""
        return self.model_dump(exclude_unset=True)


class PeopleQuery(Page):
    role: Literal["interviewer", "candidate"] | None = None
    tag: Annotated[list[Tag], Field(max_length=MAX_TAGS, description="every one given"),
                   AfterValidator(person_fields.tags)] = Field(default_factory=list)


class Person(Output):
    id: str
    name: str
    email: str
    role: str
    time_zone: str = Field(description="the person's, else CALENDAR_TZ")
    tags: list[str]
    max_interviews_per_day: int | None
    max_interviews_per_week: int | None


class AdminCaller(Output):
    role: Literal["admin"]
    id: None = Field(description="an admin key names no person")


class Me(RootModel[Person | AdminCaller]):
    """The caller: their person, or the admin role for an admin key."""


class PersonCreated(Person):
    api_key: str = Field(description="shown only in this response")


class People(Output):
    people: list[Person]
    next: str | None
