"""Logging: every line carries the request id or job id it belongs to; JSON in production."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("job_id", default=None)


class ContextFilter(logging.Filter):
    """Copy the current request and job ids onto each record (an explicit `extra` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("request_id", request_id), ("job_id", job_id)):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "job_id": getattr(record, "job_id", None),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps({k: v for k, v in entry.items() if v is not None})


TEXT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s job=%(job_id)s] %(message)s"


def configure(json_lines: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
