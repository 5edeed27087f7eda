"""Request and response bodies of weekly hours (SPEC §5 "Weekly hours")."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from api.schemas import Input, Output
from scheduling.weekly import DAYS, Template, template

MAX_INTERVALS = 24  # a day: more cannot be disjoint
HourOfDay = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-4]):00$",
                                 description="HH:00, from 00:00 to 24:00",
                                 examples=["09:00", "24:00"])]
Intervals = Annotated[list["IntervalIn"], Field(default_factory=list, max_length=MAX_INTERVALS)]


def _hour(text: str) -> int:
    return int(text[:2])


class IntervalIn(Input):
    start: HourOfDay
    end: HourOfDay

    @model_validator(mode="after")
    def ordered(self) -> IntervalIn:
        if _hour(self.end) <= _hour(self.start):
            raise ValueError(f"interval {self.start}–{self.end}: end must be after start")
        return self


class DaysIn(Input):
    """Local hours per weekday, in the person's time zone; an omitted day has none."""

    mon: Intervals
    tue: Intervals
    wed: Intervals
    thu: Intervals
    fri: Intervals
    sat: Intervals
    sun: Intervals


class WeeklyHoursIn(Input):
    days: DaysIn

    def template(self) -> Template:
        return template({day: [(_hour(i.start), _hour(i.end)) for i in getattr(self.days, day)]
                         for day in DAYS})


class IntervalOut(Output):
    start: HourOfDay
    end: HourOfDay


class WeeklyHours(Output):
    days: dict[str, list[IntervalOut]] = Field(
        description="the days that have hours, each day's intervals merged and sorted")


def render(tmpl: Template) -> dict[str, dict[str, list[dict[str, str]]]]:
    """A template as the API answers it."""
    return {"days": {day: [{"start": f"{start:02d}:00", "end": f"{end:02d}:00"}
                           for start, end in found] for day, found in tmpl.as_dict().items()}}
