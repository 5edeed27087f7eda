"""Request and response schemas. Every string, list and range has a bound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scheduling.hours import HOUR, Range, merge_ranges, next_full_hour, range_problem, to_utc
from workers.addresses import Refused, target

MAX_RANGES = 10_000
MAX_IMPORT_ENTRIES = 100_000
MAX_IMPORT_HOURS = 2_000_000
MAX_WINDOW = timedelta(days=366)
DEFAULT_WINDOW = timedelta(days=28)
MAX_PANEL = 50
MAX_MATCH_PEOPLE = 20_000
# Far enough inside datetime's range that no offset, hour or window added to an instant overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _context(info: ValidationInfo) -> dict[str, Any]:
    """The validation context that api.endpoint passes: zone, time, address policy."""
    context: dict[str, Any] = info.context or {}
    return context


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
        instant = to_utc(parsed, _context(info)["tz"])
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise ValueError(f"{value!r} is out of range (from {EARLIEST.year} to {LATEST.year})")
    return instant


def _utc_z(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


Instant = Annotated[
    datetime,
    PlainValidator(_instant, json_schema_input_type=str),
    PlainSerializer(_utc_z, return_type=str),
    Field(json_schema_extra={"format": "date-time"}),
]
Id = Annotated[str, Field(min_length=1, max_length=64, description="an opaque id")]
# A person's name, an interview's title: one line of text (api.plain_text refuses control
# characters in every string of a body).
Name = Annotated[str, Field(min_length=1, max_length=200)]
Limit = Annotated[int, Field(ge=1, le=1000)]
Cursor = Annotated[str, Field(max_length=512)]


def _target(value: str, info: ValidationInfo) -> str:
    """An http(s) URL whose host resolves only to addresses that webhooks may be sent to (the
    resolver and the policy come in the validation context)."""
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ValueError("must not contain spaces or control characters")
    try:
        target(value, _context(info)["allow_private"], _context(info)["resolver"])
    except Refused as exc:
        raise ValueError(str(exc)) from None
    return value


TargetUrl = Annotated[str, Field(min_length=1, max_length=2048,
                                 json_schema_extra={"format": "uri"}), AfterValidator(_target)]
EventType = Literal["job.succeeded", "job.failed", "interview.booked", "interview.rescheduled",
                    "interview.cancelled"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RangeIn(Input):
    start: Instant
    end: Instant

    @model_validator(mode="after")
    def publishable(self, info: ValidationInfo) -> RangeIn:
        reason = range_problem(Range(self.start, self.end), now=_context(info)["now"],
                               tz=_context(info)["tz"])
        if reason:
            raise ValueError(f"range {_utc_z(self.start)} – {_utc_z(self.end)}: {reason}")
        return self

    def as_range(self) -> Range:
        return Range(self.start, self.end)


class AvailabilityIn(Input):
    ranges: list[RangeIn] = Field(min_length=1, max_length=MAX_RANGES)

    def merged(self) -> list[Range]:
        return merge_ranges(r.as_range() for r in self.ranges)


class AvailabilityChange(AvailabilityIn):
    callback_url: TargetUrl | None = None


class ImportEntry(AvailabilityIn):
    person: Id


class ImportIn(Input):
    entries: list[ImportEntry] = Field(min_length=1, max_length=MAX_IMPORT_ENTRIES)
    callback_url: TargetUrl | None = None

    @model_validator(mode="after")
    def bounded(self) -> ImportIn:
        hours = sum((r.end - r.start) // HOUR for e in self.entries for r in e.merged())
        if hours > MAX_IMPORT_HOURS:
            raise ValueError(f"{hours} hours in one import; at most {MAX_IMPORT_HOURS}")
        return self


class Query(BaseModel):
    """Query strings ignore parameters they do not know, as clients add cache-busters."""

    model_config = ConfigDict(str_strip_whitespace=True)


class Page(Query):
    limit: Limit = 100
    cursor: Cursor | None = None


class JobsQuery(Page):
    status: Literal["queued", "running", "succeeded", "failed"] | None = None
    kind: str | None = Field(default=None, max_length=40)


class WindowQuery(Query):
    from_: Instant | None = Field(default=None, alias="from")
    to: Instant | None = None

    def window(self, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
        """[from, to): from defaults to the next full hour, to to 28 days later."""
        start = self.from_ or next_full_hour(now, tz)
        end = self.to or start + DEFAULT_WINDOW
        if end <= start:
            raise window_error("to must be after from")
        if end - start > MAX_WINDOW:
            raise window_error(f"the window is at most {MAX_WINDOW.days} days")
        return start, end


def window_error(message: str) -> ValidationError:
    return ValidationError.from_exception_data("window", [
        {"type": "value_error", "loc": ("to",), "input": None, "ctx": {"error": message}}])


class SlotPeopleQuery(WindowQuery):
    """Who a slot question names, and its window; alone, the question of /v1/slots/explain."""

    candidate: Id | None = None
    interviewer: list[Id] = Field(default_factory=list, max_length=MAX_PANEL)


class SlotsQuery(SlotPeopleQuery, Page):
    view: Literal["full", "times"] = Field(
        default="full", description="`times`: each slot as `{start, end}` only")


class InterviewsQuery(WindowQuery, Page):
    person: Id | None = None


class InterviewIn(Input):
    candidate: Id
    interviewers: list[Id] = Field(min_length=1, max_length=MAX_PANEL)
    start: Instant
    title: Name | None = Field(default=None, description="the .ics SUMMARY when given")
    override_caps: bool = Field(default=False, strict=True,
                                description="book past the interviewers' load caps")


def not_cleared(cls: type, value: Any) -> Any:
    """A merge patch's field that null may not clear."""
    if value is None:
        raise ValueError("cannot be cleared")
    return value


class InterviewPatch(Input):
    """A merge patch of an interview: a field left out is kept, `title: null` clears the title
    (`start` and `interviewers` cannot be cleared)."""

    start: Instant | None = None
    interviewers: list[Id] | None = Field(default=None, min_length=1, max_length=MAX_PANEL)
    title: Name | None = None
    override_caps: bool = Field(default=False, strict=True,
                                description="book past the interviewers' load caps")

    kept = field_validator("start", "interviewers", mode="before")(not_cleared)

    @model_validator(mode="after")
    def changes_something(self) -> InterviewPatch:
        if not self.model_fields_set - {"override_caps"}:
            raise ValueError("give at least one of start, interviewers, title")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the patch names, with their new values."""
        return {name: getattr(self, name) for name in ("start", "interviewers", "title")
                if name in self.model_fields_set}


class Output(BaseModel):
    """A response body: the document says it has these fields and no others."""

    model_config = ConfigDict(extra="forbid")


class Job(Output):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    submitted_at: Instant
    started_at: Instant | None
    finished_at: Instant | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


class JobAccepted(Job):
    callback_secret: str | None = Field(
        default=None, description="signs this job's events at callback_url; shown only here")


class Jobs(Output):
    jobs: list[Job]
    next: str | None


class WebhookIn(Input):
    url: TargetUrl
    events: list[EventType] = Field(min_length=1, max_length=len(get_args(EventType)))

    @model_validator(mode="after")
    def distinct(self) -> WebhookIn:
        self.events = list(dict.fromkeys(self.events))
        return self


class Webhook(Output):
    id: str
    url: str
    events: list[str]
    status: Literal["active", "disabled"]
    created_at: Instant
    disabled_at: Instant | None
    disabled_reason: str | None


class WebhookCreated(Webhook):
    secret: str = Field(description="whsec_<base64>, signs the deliveries; shown only here")


class Webhooks(Output):
    webhooks: list[Webhook]
    next: str | None


class DeliveriesQuery(Page):
    status: Literal["pending", "succeeded", "failed"] | None = None


class DeliveryAttempt(Output):
    at: Instant
    status_code: int | None
    latency_ms: int
    error: str | None


class Delivery(Output):
    id: str = Field(description="also the webhook-id header of every attempt")
    type: str
    status: Literal["pending", "succeeded", "failed"]
    created_at: Instant
    next_attempt_at: Instant | None
    attempts: list[DeliveryAttempt]


class Deliveries(Output):
    deliveries: list[Delivery]
    next: str | None


class RangeOut(Output):
    start: Instant
    end: Instant


class Availability(Output):
    ranges: list[RangeOut]
    booked: list[RangeOut]
    busy: list[RangeOut]


class Panel(Output):
    candidate: str
    interviewers: list[str]


class Slot(Output):
    start: Instant
    end: Instant
    candidates: list[str]
    interviewers: list[str]
    panels: list[Panel]


class SlotTimes(Output):
    """A slot with `view=times`."""

    start: Instant
    end: Instant


class Slots(Output):
    slots: list[Slot] | list[SlotTimes]
    next: str | None


class Interview(Output):
    id: str
    candidate: str
    interviewers: list[str]
    start: Instant
    end: Instant
    title: str | None


class Interviews(Output):
    interviews: list[Interview]
    next: str | None


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None

