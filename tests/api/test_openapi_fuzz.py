"""Schemathesis fuzzes every operation of the OpenAPI, as a platform admin: no 5xx, ever.

Each operation gets its own hypothesis run (schemathesis' pytest plugin does not support
this pytest version, so the loop is explicit).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_no_server_errors_anywhere(app: FastAPI, admin: dict[str, Any], token_for: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token_for(admin['id'])}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @EXAMPLES
        def fuzz(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
            if response.status_code >= 400:
                content_type = response.headers["content-type"]
                if isinstance(content_type, list):
                    content_type = content_type[0]
                assert content_type.startswith("application/problem+json"), response.text

        try:
            fuzz()
        except Exception as exc:
            exc.add_note(f"operation: {operation.method.upper()} {operation.path}")
            raise


def test_openapi_and_docs_are_served(client: Any) -> None:
    document = client.get("/openapi.json").json()
    assert "/api/expressions/check" in document["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui-bundle.js" in docs.text
