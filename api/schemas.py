"""Request and response schemas. Every string, list and range has a bound."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    model_validator,
)

from scheduling.hours import HOUR, Range, merge_ranges, range_problem, to_utc

MAX_RANGES = 10_000
MAX_IMPORT_ENTRIES = 100_000
MAX_IMPORT_HOURS = 2_000_000
MAX_WINDOW = timedelta(days=366)


def _instant(value: Any, info: ValidationInfo) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("must be an ISO 8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    try:
        return to_utc(parsed, info.context["tz"])
    except (OverflowError, ValueError):
        raise ValueError(f"{value!r} is out of range") from None


def _utc_z(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


Instant = Annotated[
    datetime,
    PlainValidator(_instant, json_schema_input_type=str),
    PlainSerializer(_utc_z, return_type=str),
    Field(json_schema_extra={"format": "date-time"}),
]
Id = Annotated[str, Field(min_length=1, max_length=64, description="an opaque id")]
Limit = Annotated[int, Field(ge=1, le=1000)]
Cursor = Annotated[str, Field(max_length=512)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RangeIn(Input):
    start: Instant
    end: Instant

    @model_validator(mode="after")
    def publishable(self, info: ValidationInfo) -> RangeIn:
        reason = range_problem(Range(self.start, self.end), now=info.context["now"],
                               tz=info.context["tz"])
        if reason:
            raise ValueError(f"range {_utc_z(self.start)} – {_utc_z(self.end)}: {reason}")
        return self

    def as_range(self) -> Range:
        return Range(self.start, self.end)


class AvailabilityIn(Input):
    ranges: list[RangeIn] = Field(min_length=1, max_length=MAX_RANGES)

    def merged(self) -> list[Range]:
        return merge_ranges(r.as_range() for r in self.ranges)


class ImportEntry(AvailabilityIn):
    person: Id


class ImportIn(Input):
    entries: list[ImportEntry] = Field(min_length=1, max_length=MAX_IMPORT_ENTRIES)

    @model_validator(mode="after")
    def bounded(self) -> ImportIn:
        hours = sum((r.end - r.start) // HOUR for e in self.entries for r in e.merged())
        if hours > MAX_IMPORT_HOURS:
            raise ValueError(f"{hours} hours in one import; at most {MAX_IMPORT_HOURS}")
        return self


def _email(value: str) -> str:
    """Check the address's syntax but keep it as written (the unique key is its lower case)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return value


class PersonIn(Input):
    name: str = Field(min_length=1, max_length=200)
    email: Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_email)]
    role: Literal["interviewer", "candidate"]


class Query(BaseModel):
    """Query strings ignore parameters they do not know, as clients add cache-busters."""

    model_config = ConfigDict(str_strip_whitespace=True)


class Page(Query):
    limit: Limit = 100
    cursor: Cursor | None = None


class PeopleQuery(Page):
    role: Literal["interviewer", "candidate"] | None = None


class JobsQuery(Page):
    status: Literal["queued", "running", "succeeded", "failed"] | None = None
    kind: str | None = Field(default=None, max_length=40)


class WindowQuery(Query):
    model_config = ConfigDict(populate_by_name=True)
    from_: Instant | None = Field(default=None, alias="from")
    to: Instant | None = None


class Person(BaseModel):
    id: str
    name: str
    email: str
    role: str


class PersonCreated(Person):
    api_key: str = Field(description="shown only in this response")


class People(BaseModel):
    people: list[Person]
    next: str | None


class Job(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    submitted_at: Instant
    started_at: Instant | None
    finished_at: Instant | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


class Jobs(BaseModel):
    jobs: list[Job]
    next: str | None


class RangeOut(BaseModel):
    start: Instant
    end: Instant


class Availability(BaseModel):
    ranges: list[RangeOut]
    booked: list[RangeOut]


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


def parse_id(value: str) -> uuid.UUID | None:
    """Ids are opaque to clients; one we never issued names nothing."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
