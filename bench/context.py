"""What every measurement works with: the stack, the dataset, the people's ids, a connection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg2.extensions

from bench.client import Call
from bench.dataset import Dataset
from bench.stack import Stack
from scheduling.hours import Range
from workers.resources import z


@dataclass
class Bench:
    stack: Stack
    data: Dataset
    conn: psycopg2.extensions.connection
    ids: list[str] = field(default_factory=list)  # person ids, in the dataset's order

    @property
    def key(self) -> str:
        return self.stack.admin_key


def post(path: str, body: Any) -> Call:
    return Call("POST", path, json.dumps(body).encode())


def ranges_body(ranges: Sequence[Range]) -> list[dict[str, str]]:
    return [{"start": z(r.start), "end": z(r.end)} for r in ranges]
