"""`@endpoint`: validates a view's query and body with pydantic and records the view as an
OpenAPI operation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from itertools import accumulate
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

from api.db import runtime
from api.errors import ApiError
from api.plain_text import refuse_in_body

MAX_DEPTH = 64
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
STEPS = [1 if bytes([b]) in b"[{" else -1 for b in range(256)]  # read for brackets only
MERGE_PATCH = ("application/merge-patch+json", "application/json")  # a PATCH's media types
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | str | None] = field(default_factory=dict)
    """status → response model; a media type for a body that is not JSON; None for no body"""
    multi: tuple[str, ...] = ()
    public: bool = False
    media_types: tuple[str, ...] = ()
    """the body's media types, enforced (415 for another); empty: JSON, as sent"""
    raw_body: bool = False
    """the view gets the JSON object as sent and validates it with `validated` itself"""
    uploads: tuple[str, ...] = ()
    """media types of a body the view takes as bytes (an upload) instead of JSON"""


def validation_context() -> dict[str, Any]:
    """What the schemas' rules read: the calendar's zone, the time, and the webhook address
    policy with the resolver it asks."""
    rt = runtime()
    return {"tz": rt.settings.tz, "now": rt.clock.now(), "resolver": rt.resolver,
            "allow_private": rt.settings.webhook_allow_private_networks}


def _depth_ok(raw: bytes) -> bool:
    """Reject absurd nesting before the JSON parser recurses into it. Brackets inside strings
    count too, which errs on the safe side. The brackets are picked out in C first: a 9 MB
    import has some 240,000 of them, and a loop over every byte took half a second."""
    brackets = raw.translate(None, NOT_BRACKETS)
    return max(accumulate(STEPS[b] for b in brackets), default=0) <= MAX_DEPTH


def json_body() -> Any:
    raw = request.get_data(cache=True)
    if not _depth_ok(raw):
        raise ApiError(400, f"the JSON body is nested deeper than {MAX_DEPTH} levels")
    try:
        text = raw.decode("utf-8-sig")  # strictly: no lone surrogates either (RFC 8259: UTF-8)
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"the body is not valid UTF-8: {exc.reason} at byte {exc.start}"
                       ) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}") from None
    refuse_in_body(text, data)
    return data


def validated(model: type[M], data: dict[str, Any]) -> M:
    """`data` checked by `model`'s rules, with the context every body is checked with."""
    return model.model_validate(data, context=validation_context())


def _require_media_type(accepted: tuple[str, ...]) -> None:
    if accepted and request.mimetype not in accepted:
        raise ApiError(415, f"send the body as {' or '.join(accepted)}, not "
                       f"{request.mimetype or 'without a Content-Type'}")


def query_args(multi: tuple[str, ...]) -> dict[str, Any]:
    return {k: (request.args.getlist(k) if k in multi else request.args.get(k))
            for k in request.args}


def endpoint(summary: str, *, tag: str, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None,
              responses: Mapping[int, type[BaseModel] | str | None] | None = None,
              multi: tuple[str, ...] = (), public: bool = False,
              media_types: tuple[str, ...] = (), raw_body: bool = False,
              uploads: tuple[str, ...] = (),
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    spec = Operation(summary, tag, body, query, dict(responses or {}), multi, public,
                     media_types, raw_body, uploads)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            context = validation_context()
            if query is not None:
                kwargs["query"] = query.model_validate(query_args(multi), context=context)
            if request.mimetype in uploads:
                kwargs["body"] = request.get_data(cache=True)
            elif body is not None:
                _require_media_type(media_types)
                data = json_body()
                if not isinstance(data, dict):
                    raise ApiError(422, "the body must be a JSON object",
                                   errors=[{"field": "body", "message": "must be an object"}])
                kwargs["body"] = data if raw_body else body.model_validate(data, context=context)
            return view(*args, **kwargs)

        wrapper.operation = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate
