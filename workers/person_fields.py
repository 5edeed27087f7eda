"""The rules of a person's fields (SPEC §5): zone, tags, load caps, and who may change which."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from workers.callers import Caller
from workers.errors import Forbidden, Invalid

MAX_TAGS = 50
TAG = re.compile(r"^[a-z0-9_.:-]{1,64}$")  # anchored for JSON Schema; fullmatch here
TAG_RULE = "1 to 64 characters from a-z 0-9 - _ . :"
CAPS = {"max_interviews_per_day": 24, "max_interviews_per_week": 168}
INTERVIEWER_ONLY = ("tags", *CAPS)
SELF_CHANGEABLE = frozenset({"name", "time_zone"})


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name known here (read once: it walks the zone database)."""
    return frozenset(available_timezones())


def zone(name: str) -> str:
    """`name` if it is an IANA time zone, else ValueError."""
    if name not in zone_names():
        raise ValueError(f"{name!r} is not an IANA time zone (such as Europe/Berlin)")
    return name


def tag(value: str) -> str:
    """`value` if it has a tag's syntax, else ValueError."""
    if not TAG.fullmatch(value):
        raise ValueError(f"{value!r} is not a tag: {TAG_RULE}")
    return value


def tags(values: Iterable[str]) -> list[str]:
    """The distinct tags, sorted (as every answer gives them); ValueError past MAX_TAGS."""
    distinct = sorted({tag(value) for value in values})
    if len(distinct) > MAX_TAGS:
        raise ValueError(f"{len(distinct)} distinct tags; at most {MAX_TAGS}")
    return distinct


def require_changeable(caller: Caller, fields: Iterable[str]) -> None:
    """403 for a person changing anything but their own name and time zone: checked before the
    fields' own rules, so the answer does not depend on what the values are. 422 for `role`,
    which nobody changes (a person of the other role is another person)."""
    if caller.is_admin:
        if "role" in fields:
            raise Invalid("role", "a person's role cannot be changed")
        return
    refused = sorted(set(fields) - SELF_CHANGEABLE)
    if refused:
        raise Forbidden(f"a person may change only their own name and time_zone, not "
                        f"{', '.join(refused)}")


def require_fits_role(role: str, values: Mapping[str, Any]) -> None:
    """422 for tags or a cap on a candidate (an empty list or a null sets nothing)."""
    if role == "interviewer":
        return
    for field in INTERVIEWER_ONLY:
        if values.get(field):
            raise Invalid(field, "only interviewers have tags and load caps")
