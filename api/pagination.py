"""Keyset pagination with opaque cursors: `{<plural>: [...], next}`, every page bounded.

A page stops at `limit` items or about PAGE_BYTES of JSON, whichever comes first (SPEC §3), and
holds at least one item. Items are written one at a time as they are read, and reading stops
once the page is full, so a page too big for its bound is never built whole.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import Response
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.jsonio import encode as to_json
from api.schemas import EARLIEST, LATEST
from workers.errors import Invalid

T = TypeVar("T")
K = TypeVar("K")

PAGE_BYTES = 1 << 20
FETCH = 100  # rows read at a time: a page cut short by its bytes is not read whole


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


def bounded(items: Iterable[tuple[K, Any]], limit: int) -> tuple[list[bytes], K | None]:
    """The page's items as JSON, from `(key, item)` pairs in order: up to `limit` of them or
    about PAGE_BYTES, at least one; and the key of the last one taken when more follow."""
    taken: list[bytes] = []
    size, last = 0, None
    for key, item in items:
        if len(taken) == limit:
            return taken, last
        written = to_json(item)
        size += len(written) + 1
        if taken and size > PAGE_BYTES:
            return taken, last
        taken.append(written)
        last = key
    return taken, None


def answer(name: str, items: list[bytes], nxt: str | None) -> Response:
    """`{<name>: [...], next}` around items already written as JSON."""
    return Response(b"".join((b'{"', name.encode(), b'":[', b",".join(items), b'],"next":',
                              to_json(nxt), b"}")), mimetype="application/json")


def each(render: Callable[[T], Any]) -> Callable[[Sequence[T]], list[Any]]:
    """A renderer of one row as a renderer of a batch of rows."""
    return lambda rows: [render(row) for row in rows]


def page(session: Session, stmt: Select[T], *, order: InstrumentedAttribute[datetime],
         ident: InstrumentedAttribute[uuid.UUID], limit: int, cursor: str | None,
         render: Callable[[Sequence[T]], list[Any]], fetch: int = FETCH,
         ) -> tuple[list[bytes], str | None]:
    """One bounded page ordered by (order, id), rows read `fetch` at a time and rendered a
    batch at a time; `next` is None on the last page."""
    if cursor is not None:
        stmt = stmt.where(tuple_(order, ident) > tuple_(*decode(cursor)))
    result = session.scalars(stmt.order_by(order, ident).limit(limit + 1)
                             .execution_options(yield_per=fetch))

    def keyed() -> Iterator[tuple[tuple[datetime, uuid.UUID], Any]]:
        for rows in result.partitions():
            for row, item in zip(rows, render(rows), strict=True):
                yield (getattr(row, order.key), getattr(row, ident.key)), item

    try:
        items, last = bounded(keyed(), limit)
    finally:
        result.close()
    return items, None if last is None else encode(list(last))
