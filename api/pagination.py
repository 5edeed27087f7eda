"""Keyset pagination with opaque cursors: `{<plural>: [...], next}`."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.schemas import EARLIEST, LATEST
from workers.errors import Invalid

T = TypeVar("T")
R = TypeVar("R")


def encode(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _unpack(cursor: str, *parsers: Callable[[str], Any]) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if len(values) != len(parsers):
            raise ValueError(cursor)
        return [parse(value) for parse, value in zip(parsers, values, strict=True)]
    except (ValueError, TypeError):
        raise Invalid("cursor", "is not a cursor this service issued") from None


def _instant(value: str) -> datetime:
    """An instant this service could have issued: with an offset, and in the schemas' range."""
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None or not EARLIEST <= stamp < LATEST:
        raise ValueError(value)
    return stamp


def decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    stamp, ident = _unpack(cursor, _instant, uuid.UUID)
    return stamp, ident


def encode_instant(value: datetime) -> str:
    return encode([value])


def decode_instant(cursor: str) -> datetime:
    (stamp,) = _unpack(cursor, _instant)
    return stamp  # type: ignore[no-any-return]


def page(session: Session, stmt: Select[T], *, order: InstrumentedAttribute[datetime],
         ident: InstrumentedAttribute[uuid.UUID], limit: int, cursor: str | None,
         render: Callable[[T], R]) -> tuple[list[R], str | None]:
    """One page ordered by (order, id); `next` is None on the last page."""
    if cursor is not None:
        stmt = stmt.where(tuple_(order, ident) > tuple_(*decode(cursor)))
    rows = list(session.scalars(stmt.order_by(order, ident).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return [render(r) for r in rows], (
        encode([getattr(last, order.key), getattr(last, ident.key)]) if last else None)
