"""Finding a row by the id a caller sent: ids are opaque, so one we never issued names nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from workers.errors import NotFound

T = TypeVar("T")


def parse_id(value: str) -> uuid.UUID | None:
    """The id, or None for a string that cannot be one we issued."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def get_or_404(session: Session, model: type[T], raw_id: str, what: str, *,
               visible: Callable[[T], bool] = lambda _: True, **options: Any) -> T:
    """The row of `model` with that id, or NotFound naming `what` and the id as sent. A row
    the caller may not see (`visible` false) is not found either: its existence is not told."""
    ident = parse_id(raw_id)
    row = session.get(model, ident, **options) if ident else None
    if row is None or not visible(row):
        raise NotFound(what, raw_id)
    return row
