"""Embedded mode's SQLite takes one writer at a time: a request must not wait for itself."""

from __future__ import annotations

import time

from tests.api.conftest import Embedded


def test_a_write_with_an_idempotency_key_answers_at_once_on_sqlite(embedded: Embedded) -> None:
    client, key = embedded.client, embedded.key
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "once"}
    body = {"name": "Ada", "email": "ada@example.com", "role": "interviewer"}
    began = time.monotonic()
    first = client.post("/v1/people", json=body, headers=headers)
    took = time.monotonic() - began
    again = client.post("/v1/people", json=body, headers=headers)

    assert first.status_code == 201, first.get_json()
    assert took < 5, f"the request waited {took:.1f} s for its own lock"
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
