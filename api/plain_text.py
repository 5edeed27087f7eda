"""Control characters are refused wherever a string enters: the path, the query, the stored
headers and every string of a JSON body, before any of it reaches a parser or a database.

PostgreSQL cannot store a NUL in text (a 500 if it got that far), and a date parser may stop at
one and read what came before it; an ESC or a BEL stored as sent is waiting for the terminal or
the log that shows it. No field of the API takes multi-line text, so tab and newline are refused
too. Checked once at the edge rather than in each field's rule, so a new field cannot forget it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import request

from api.errors import ApiError

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode's Cc: C0, DEL and C1
# A body can hold a control character only as a JSON escape or as a raw DEL or C1 character;
# a body without any of these needs no walk through its strings.
MAYBE_CONTROL = re.compile(r"\\u00[0189]|\\u007f|\\[bfnrt]|[\x7f-\x9f]", re.IGNORECASE)
STORED_HEADERS = ("Idempotency-Key",)
MESSAGE = "must not contain control characters"


def refuse_in_request() -> None:
    """before_request hook: the path's variables, the query string and the stored headers."""
    fields = [*((name, value) for name, value in (request.view_args or {}).items()),
              *((name, value) for name, value in request.args.items(multi=True)),
              *(("query", name) for name in request.args),  # a parameter's name
              *((name, request.headers[name]) for name in STORED_HEADERS
                if name in request.headers)]
    _refuse(sorted({field for field, value in fields
                    if isinstance(value, str) and CONTROL.search(value)}))


def refuse_in_body(raw: str, data: Any) -> None:
    """Every string of a parsed JSON body, keys included (`raw`, its text, spares the walk)."""
    if MAYBE_CONTROL.search(raw):
        _refuse(list(_with_control(data, "")))


def _with_control(value: Any, path: str) -> Iterator[str]:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if CONTROL.search(item):
                yield where or "body"
        elif isinstance(item, dict):
            for key, child in item.items():
                if CONTROL.search(key):  # the name of a field: the object holding it
                    yield where or "body"
                stack.append((child, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))


def _refuse(fields: list[str]) -> None:
    if fields:
        shown = sorted(set(fields))[:100]
        raise ApiError(422, f"{', '.join(shown[:5])}: {MESSAGE}",
                       errors=[{"field": field, "message": MESSAGE} for field in shown])
