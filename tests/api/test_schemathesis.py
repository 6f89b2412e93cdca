"""Property-based: schemathesis drives every operation of the live OpenAPI document.

It must find no 5xx, no response that breaks the schema the document gives for it, and no
response whose media type (problem details for errors) or headers the document does not declare.
Bounded: a fixed number of examples per operation, on the embedded store (a few dozen seconds).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from api.app import create_app
from storage.settings import StoreSettings

EXAMPLES = 80


def not_a_server_error(ctx: Any, response: Any, case: Any) -> None:
    """No 5xx, except the 503 a projection read gives when min_position is not reached yet
    (the answer the read-your-writes contract promises): in the query, or in the JSON body of
    a lookup by NIK (``POST /members/lookup``, ``/coverage/lookup``)."""
    if response.status_code < 500:
        return
    body = response.json() if response.status_code == 503 else {}
    sent = case.body if isinstance(case.body, dict) else {}
    asked = "min_position" in dict(case.query or {}) or "min_position" in sent
    waited = (response.status_code == 503 and asked
              and body.get("rule") == "projections-behind")
    assert waited, f"{case.method} {case.formatted_path} answered {response.status_code}"


def _role(method: str, path: str) -> str:
    """The role whose token makes the request get past authorisation."""
    if path.startswith(("/api/v1/tokens", "/api/v1/people")):
        return "admin"
    if method == "GET":
        return "auditor"
    if path.startswith("/api/v1/programs"):
        return "admin"
    if path.startswith("/api/v1/contributions") or "disbursements" in path:
        return "finance"
    if path.endswith("/approve") or path.endswith("/reject"):
        return "approver"
    return "clerk"


def test_no_operation_answers_5xx_or_breaks_its_own_schema(
    sqlite_settings: StoreSettings,
) -> None:
    app = create_app(sqlite_settings)
    ledger = app.extensions["claims_ledger"]
    tokens = {role: ledger.issue_token(role, role, actor="test")[0]
              for role in ("clerk", "approver", "finance", "auditor", "admin")}
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) >= 20
    try:
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def exercise(case: Any) -> None:
                token = tokens[_role(case.method.upper(), case.path)]
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                                       checks=[not_a_server_error, response_schema_conformance,
                                               content_type_conformance,
                                               response_headers_conformance])

            exercise()
    finally:
        ledger.close()
