"""The body of POST /v1/matches: who, when, the panels' size and requirements."""

from __future__ import annotations

from pydantic import Field, StrictInt, model_validator

from api.person_schemas import Tag
from api.schemas import MAX_MATCH_PEOPLE, MAX_PANEL, MAX_WINDOW, Id, Input, Instant, TargetUrl
from scheduling.requirements import MAX_REQUIREMENTS
from workers.person_fields import MAX_TAGS


class RequirementIn(Input):
    """Every panel holds `count` distinct interviewers carrying all of `tags`."""

    tags: list[Tag] = Field(min_length=1, max_length=MAX_TAGS)
    count: StrictInt = Field(ge=1, le=MAX_PANEL)


class MatchIn(Input):
    candidates: list[Id] | None = Field(default=None, max_length=MAX_MATCH_PEOPLE)
    interviewers: list[Id] | None = Field(default=None, max_length=MAX_MATCH_PEOPLE)
    from_: Instant = Field(alias="from")
    to: Instant
    max_panel_size: int | None = Field(default=None, ge=1, le=MAX_PANEL)
    requirements: list[RequirementIn] = Field(default_factory=list,
                                              max_length=MAX_REQUIREMENTS)
    book: bool = False
    callback_url: TargetUrl | None = None

    @model_validator(mode="after")
    def bounded_window(self) -> MatchIn:
        if self.to <= self.from_:
            raise ValueError("to must be after from")
        if self.to - self.from_ > MAX_WINDOW:
            raise ValueError(f"the window is at most {MAX_WINDOW.days} days")
        places, most = sum(r.count for r in self.requirements), self.max_panel_size or MAX_PANEL
        if places > most:
            raise ValueError(f"the requirements need {places} interviewers on every panel, "
                             f"more than the {most} a panel may have")
        return self
