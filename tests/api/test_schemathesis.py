"""Every documented operation, fuzzed by schemathesis against /openapi.json in process.

A fixed seed and budget keep CI repeatable and bounded. No answer may be a 5xx, and every answer
must match what the document says: its status, its content type and its schema. Half of the
schema-valid cases name resources that exist, so the 200s are checked too, not only the 404s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import WAIT, Api, book, publish, span

SEED = 20261128
MAX_EXAMPLES = 20  # per operation and generation mode (schema-valid, then schema-invalid)
# Not `positive_data_acceptance` ("a schema-valid request was rejected"): JSON Schema cannot say
# the rules that depend on the clock and the calendar (hours on the hour and in the future, a
# window at most 366 days, people that exist), so a schema-valid request may rightly answer 422.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _existing(admin: Api) -> dict[str, str]:
    """One resource of each kind, by the name of the path parameter that names it."""
    webhook = admin.post("/v1/webhooks", {"url": "http://127.0.0.1:9/hook",
                                          "events": ["job.succeeded"]}).json
    interviewer, candidate = admin.person("interviewer"), admin.person("candidate")
    publish(admin, interviewer, span(0, 4))
    publish(admin, candidate, span(0, 4))
    interview = book(admin, candidate, [interviewer], 1).json
    job = admin.post(f"/v1/people/{interviewer['id']}/availability", {"ranges": [span(5, 6)]},
                     headers=WAIT).json
    deliveries = admin.get(f"/v1/webhooks/{webhook['id']}/deliveries").json["deliveries"]
    return {"person_id": interviewer["id"], "interview_id": interview["id"], "job_id": job["id"],
            "webhook_id": webhook["id"], "delivery_id": deliveries[0]["id"]}


def _fuzz(operation: Any, mode: GenerationMode, known: dict[str, str],
          auth: dict[str, str]) -> int:
    """Run one operation's cases in one generation mode; the number of requests sent."""
    sent = 0

    @seed(SEED)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), existing=st.booleans())
    def fuzz(case: Any, existing: bool) -> None:
        nonlocal sent
        if existing and mode is GenerationMode.POSITIVE:
            case.path_parameters.update({k: known[k] for k in case.path_parameters or {}
                                         if k in known})
        sent += 1
        case.call_and_validate(headers=auth, checks=CHECKS)

    fuzz()
    return sent


def test_no_operation_answers_5xx_or_breaks_its_documented_schema(
        admin: Api, figures: Callable[[str], None]) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", admin.client.application)
    auth = {"Authorization": f"Bearer {admin.key}"}
    known = _existing(admin)
    # Deletes last, so that the other operations still find the resources.
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda op: (op.method.upper() == "DELETE", op.label))
    sent = sum(_fuzz(operation, mode, known, auth) for operation in operations
               for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

    figures(f"schemathesis: {len(operations)} operations, {sent} requests, 0 failures "
            f"(seed {SEED}, at most {MAX_EXAMPLES} per operation and mode)")
