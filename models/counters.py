"""Totals that only grow (jobs finished, webhook attempts), kept apart from the rows they count
so that pruning those rows changes no total."""

from __future__ import annotations

from sqlalchemy import Double, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Counter(Base):
    """One shard of one total: `metric` with its `kind` and `label` ('' when it has none).

    A total is the sum of its shards; writers add to a shard of their choosing, so that two
    transactions adding to the same total at once seldom wait for each other.
    """

    __tablename__ = "counters"

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[float] = mapped_column(Double)
