"""What the OpenAPI document says of errors: what the API really serves.

Every error is answered as RFC 9457 problem details (``application/problem+json``, see
``api/errors.py``). flask-smorest would declare its error responses as ``application/json``; here
they are declared with the media type served, and each operation lists the errors it can give:
401 for every route that needs a token, 403 and 409 for writes, 404 where the path names a
record, 503 (with ``Retry-After``) where ``min_position`` may not be reached yet. A lookup by NIK
(a POST that only reads, ``x-lookup`` in its operation: ``api/lookups.py``) declares neither 403
nor 409; the GETs that took a NIK in their URL declare the 400 that now answers it.
"""

from __future__ import annotations

import http
from typing import Any

from apispec import APISpec, BasePlugin

from api.errors import PROBLEM_JSON
from api.lookups import LOOKUP_DOC, MOVED

#: Error components every operation may refer to, by status, with the problem schema.
RETRY_AFTER = {"description": "seconds to wait before asking again",
               "schema": {"type": "integer", "minimum": 0}}


def problem_response(description: str, schema: Any) -> dict[str, Any]:
    """An error response: problem details, in the media type they are served with."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


def register_problem_responses(spec: APISpec, schema: Any, default_name: str) -> None:
    """The error components (one per HTTP status, and the default), as problem details.

    Registered lazily, as flask-smorest does, so only those referred to appear."""
    for status in http.HTTPStatus:
        if status < 400:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 200 and status not in (204, 304):
                response["content"] = {"application/json": {"schema": schema}}
        else:
            response = problem_response(status.phrase, schema)
        if status == http.HTTPStatus.SERVICE_UNAVAILABLE:
            response["headers"] = {"Retry-After": RETRY_AFTER}
        if status == http.HTTPStatus.METHOD_NOT_ALLOWED:
            response["headers"] = {"Allow": {"description": "the methods the path allows",
                                             "schema": {"type": "string"}}}
        spec.components.response(status.name, response, lazy=True)
    spec.components.response(default_name, problem_response("Default error response", schema),
                             lazy=True)


class ProblemResponses(BasePlugin):
    """Adds to each operation the errors it can answer with (see the module's docstring)."""

    def operation_helper(self, path: str | None = None,
                         operations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            responses: dict[Any, Any] = operation.setdefault("responses", {})
            declared = {str(code) for code in responses}

            def declare(status: http.HTTPStatus, declared: set[str] = declared,
                        responses: dict[Any, Any] = responses) -> None:
                if str(status.value) not in declared:
                    responses[str(status.value)] = status.name

            reads = all(operation.get(k) == v for k, v in LOOKUP_DOC.items())
            if operation.get("security"):
                declare(http.HTTPStatus.UNAUTHORIZED)
                if method.lower() != "get" and not reads:
                    declare(http.HTTPStatus.FORBIDDEN)
            if method.lower() == "post" and not reads:
                # A domain conflict, or an Idempotency-Key reused for another body.
                declare(http.HTTPStatus.CONFLICT)
            if path and "{" in path:
                declare(http.HTTPStatus.NOT_FOUND)
            if method.lower() == "get" and path in MOVED:
                declare(http.HTTPStatus.BAD_REQUEST)  # a NIK in its URL, as it once took
            if any(isinstance(p, dict) and p.get("name") == "min_position"
                   for p in operation.get("parameters", [])):
                declare(http.HTTPStatus.SERVICE_UNAVAILABLE)
