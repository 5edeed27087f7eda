"""Log lines carry the request id and job id they belong to; production writes JSON."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from workers import logs


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)


def _configure(stream: io.StringIO, json_lines: bool) -> None:
    logs.configure(json_lines)
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]


def test_json_lines_carry_the_job_and_request_ids(captured: io.StringIO) -> None:
    _configure(captured, json_lines=True)
    job, request = logs.job_id.set("job-1"), logs.request_id.set("req-1")
    try:
        logging.getLogger("t").info("claimed %s", "it")
    finally:
        logs.job_id.reset(job)
        logs.request_id.reset(request)
    line = json.loads(captured.getvalue())
    assert line["message"] == "claimed it" and line["level"] == "INFO"
    assert line["job_id"] == "job-1" and line["request_id"] == "req-1"


def test_an_explicit_job_id_wins_and_text_lines_show_both(captured: io.StringIO) -> None:
    _configure(captured, json_lines=False)
    logging.getLogger("t").warning("lost", extra={"job_id": "job-2"})
    assert "[req=None job=job-2] lost" in captured.getvalue()
