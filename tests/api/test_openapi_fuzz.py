"""Schemathesis fuzzes every operation of the OpenAPI as a platform admin: no 5xx, ever.

Each operation is its own test with a bounded number of examples (plus schemathesis'
boundary-value "coverage" cases, except for the huge form-spec bodies), run against a
database seeded with an app, a published form and a record. Path keys are drawn half of
the time from the seeded keys so the fuzzer gets past "404 app not found".

The schema is read once at import from a throwaway app over ASGI (the OpenAPI does not
depend on the database); every case is sent to the test's own ``app`` fixture.
``schemathesis.pytest.from_fixture`` would read it from a fixture instead, but its lazy
runner does not work with this pytest version.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from jimu.platform.app import create_app
from jimu.platform.db import make_engine
from jimu.platform.errors import PROBLEM_JSON
from jimu.platform.settings import Settings
from tests.conftest import JimuClient

APP_KEY = "crm"
FORM_KEY = "contract"
FORM_SPEC_BODIES = r"^/api/apps/\{app\}/forms(/\{form\})?$"  # POST and PUT take a whole FormSpec

CONFIG = SchemathesisConfig.from_dict(
    {
        "dictionaries": {
            "apps": {"values": [APP_KEY]},
            "forms": {"values": [FORM_KEY]},
            "ids": {"values": [1, 2]},
            "file_fields": {"values": ["files", "pics", "sign"]},
        },
        "parameters": {
            "path.app": {"dictionary": "apps", "probability": 0.8},
            "path.form": {"dictionary": "forms", "probability": 0.8},
            "query.field": {"dictionary": "file_fields", "probability": 0.8},
            **{
                f"path.{name}": {"dictionary": "ids", "probability": 0.5}
                for name in ("user_id", "department_id", "role_id", "token_id", "record_id")
            },
        },
        "operations": [
            {
                "include-path-regex": FORM_SPEC_BODIES,
                "include-method": ["POST", "PUT"],
                "phases": {"coverage": {"enabled": False}},
            }
        ],
    }
)


def _load_schema() -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        throwaway = create_app(
            Settings(data_dir=Path(tmp), database_url="sqlite://", secret_key="schema-only"),
            make_engine("sqlite://"),
        )
        return schemathesis.openapi.from_asgi("/openapi.json", throwaway, config=CONFIG)


schema = _load_schema()


def _field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


@pytest.fixture
def admin_headers(
    app: FastAPI,
    admin: dict[str, Any],
    make_user: Callable[..., dict[str, Any]],
    token_for: Callable[[int], str],
) -> dict[str, str]:
    """A platform admin's Bearer header, after seeding what the path ids and keys point at.

    Token 1 is a spare (the fuzzer may revoke it), the admin uses token 2; user 2 is a
    member; departments 1 and 2, app ``crm`` with a published form and records 1 and 2.
    """
    make_user("member")
    token_for(admin["id"])
    headers = {"Authorization": f"Bearer {token_for(admin['id'])}"}
    spec = {
        "key": FORM_KEY,
        "name": {"zh": "合同", "en": "Contract"},
        "fields": [
            _field("title", required=True, max_length=50),
            _field("amount", "amount", min=0),
            _field("sign_date", "date"),
            _field(
                "stage",
                "select",
                options=[
                    {"key": "won", "label": {"en": "Won"}},
                    {"key": "open", "label": {"zh": "进行中"}},
                ],
            ),
            _field("handler", "member"),
            _field("total", "formula", formula="amount * 1.13"),
            _field("lines", "subform", fields=[_field("qty", "number", decimals=0)]),
            _field("files", "attachment"),
            _field("pics", "image"),
            _field("sign", "signature"),
        ],
    }
    records = f"/api/apps/{APP_KEY}/forms/{FORM_KEY}/records"
    with JimuClient(app, headers=headers) as c:
        steps = [
            c.post("/api/departments", json={"name": "总部"}),
            c.post("/api/departments", json={"name": "Sales", "parent_id": 1}),
            c.post("/api/apps", json={"key": APP_KEY, "name": {"zh": "客户", "en": "CRM"}}),
            c.post(f"/api/apps/{APP_KEY}/forms", json=spec),
            c.post(f"/api/apps/{APP_KEY}/forms/{FORM_KEY}/publish"),
            c.post(records, json={"values": {"title": "a", "amount": "12.50", "handler": 2}}),
            c.post(records, json={"values": {"title": "b", "lines": [{"qty": 2}]}}),
        ]
    for response in steps:
        assert response.status_code < 300, response.text
    return headers


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # the seeded database is shared by the examples
    ],
)
@schema.parametrize()
def test_no_operation_answers_with_a_server_error(
    case: Any, app: FastAPI, admin_headers: dict[str, str]
) -> None:
    response = case.call_and_validate(app=app, headers=admin_headers, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = response.headers.get("content-type")
        if isinstance(content_type, list):
            content_type = content_type[0]
        assert content_type == PROBLEM_JSON, response.text


def test_openapi_document_loads(client: Any) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Jimu API"
    for path in ("/api/auth/login", "/api/me", "/api/auth/tokens", "/api/apps", "/api/apps/{app}"):
        assert path in document["paths"], path
    assert "/docs" not in document["paths"]
    assert len(list(schema.get_all_operations())) >= 40


def test_docs_serve_html_from_local_static_files(client: Any) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text
    assert "/static/vendor/swagger-ui-bundle.js" in response.text
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
