"""The OpenAPI 3.1 document, built from the routes' `@endpoint` records, and /docs."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api import schemas, web
from api.endpoint import Operation

bp = Blueprint("openapi", __name__, static_folder="static", static_url_path="/docs/static")

REF = "#/components/schemas/{model}"
ERRORS = {400: "Malformed request", 401: "Missing or invalid API key", 403: "Role not allowed",
          404: "Not found", 409: "Conflict with the calendar's state",
          413: "Body too large", 422: "Validation failed", 429: "Rate limit exceeded",
          503: "Service unavailable"}
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Interview Calendar API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui/swagger-ui.css">
<link rel="icon" href="/calendar/static/favicon.svg" type="image/svg+xml"></head>
<body><div id="ui"></div><script src="/docs/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/docs/static/docs.js"></script></body></html>"""
# Nothing inline but styles (Swagger UI sets some as it renders), nothing from another origin,
# no framing: the page that holds a pasted API key in "Authorize" cannot be clickjacked.
DOCS_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "connect-src 'self'", "form-action 'none'", "base-uri 'none'",
    "frame-ancestors 'none'",
])


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _parameters(rule_args: set[str], spec: Operation, defs: dict[Any, Any],
                components: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in sorted(rule_args)
    ]
    if spec.query is not None:
        schema = components[defs[(spec.query, "validation")]["$ref"].rsplit("/", 1)[1]]
        for name, field_schema in schema.get("properties", {}).items():
            if name in spec.multi and field_schema.get("type") != "array":
                field_schema = {"type": "array", "items": field_schema}
            params.append({"name": name, "in": "query", "schema": field_schema,
                           "required": name in schema.get("required", []),
                           **({"style": "form", "explode": True} if name in spec.multi else {})})
    return params


def _responses(spec: Operation, defs: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, model in spec.responses.items():
        entry: dict[str, Any] = {"description": "OK" if status < 300 else ERRORS.get(status, "")}
        if isinstance(model, str):
            entry["content"] = {model: {"schema": {"type": "string"}}}
        elif model is not None:
            entry["content"] = {"application/json": {"schema": defs[(model, "serialization")]}}
        out[str(status)] = entry
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    if spec.media_types:
        out["415"] = {"description": "Unsupported media type", "content": problem}
    for status, text in ERRORS.items():
        if not spec.public:
            out.setdefault(str(status), {"description": text, "content": problem})
    return out


def build(app: Flask) -> dict[str, Any]:
    """Walk the URL map; every view with an `@endpoint` record becomes one operation."""
    found = []
    for rule in app.url_map.iter_rules():
        spec: Operation | None = getattr(app.view_functions[rule.endpoint], "operation", None)
        if spec is not None:
            found.append((rule, spec))
    models: set[tuple[type[BaseModel], JsonSchemaMode]] = {(schemas.Problem, "serialization")}
    for _, spec in found:
        models.update((m, "validation") for m in (spec.body, spec.query) if m is not None)
        models.update((m, "serialization") for m in spec.responses.values()
                      if m is not None and not isinstance(m, str))
    defs, components = models_json_schema(sorted(models, key=lambda m: m[0].__name__),
                                          ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for rule, spec in found:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint.replace('.', '_')}_{method.lower()}",
                "summary": spec.summary, "tags": [spec.tag],
                "parameters": _parameters(set(rule.arguments), spec, defs,
                                          components.get("$defs", {})),
                "responses": _responses(spec, defs),
            }
            if spec.public:
                op["security"] = []
            if spec.body is not None:
                body = {"schema": defs[(spec.body, "validation")]}
                op["requestBody"] = {"required": True, "content": {
                    **{media: body for media in spec.media_types or ("application/json",)},
                    **{media: {"schema": {"type": "string"}} for media in spec.uploads}}}
            paths.setdefault(_path(rule.rule), {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Interview Calendar", "version": "1.0.0",
                 "description": "Publish availability, find interview slots, schedule candidates."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build(current_app)
    return jsonify(current_app.extensions["openapi"])


@bp.get("/docs")
def docs() -> Response:
    return Response(DOCS_PAGE, mimetype="text/html")


@bp.after_request
def harden(response: Response) -> Response:
    """/docs, its scripts and the document: a CSP, no sniffing, no framing, no referrer."""
    return web.harden(response, DOCS_POLICY)
