"""POST /api/expressions/check and GET /api/expressions/functions."""

from __future__ import annotations

import pytest

from jimu.engines.expr.functions import REGISTRY

FIELDS = [
    {"key": "amount", "type": "number", "label": {"zh": "合同金额", "en": "Amount"}},
    {"key": "stage", "type": "text"},
    {"key": "sign_date", "type": "date"},
    {
        "key": "lines",
        "type": "subform",
        "fields": [{"key": "subtotal", "type": "number"}, {"key": "product", "type": "text"}],
    },
    {"key": "customer", "type": "relation", "fields": [{"key": "industry", "type": "text"}]},
]


def _check(client, expression: str, **extra):
    response = client.post(
        "/api/expressions/check", json={"expression": expression, "fields": FIELDS, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_valid_formula_reports_type_fields_and_browser_form(admin_client) -> None:
    result = _check(admin_client, 'IF([合同金额] > 100000, "VP", "Manager")')
    assert result["valid"] is True
    assert result["type"] == "text"
    assert result["fields"] == ["amount"]
    assert result["normalized"] == 'IF(amount > 100000, "VP", "Manager")'
    assert result["sql_capable"] is True
    assert result["browser_capable"] is True
    assert "j.IF" in result["jsonlogic"]


def test_aggregates_over_sub_forms_and_relations(admin_client) -> None:
    result = _check(admin_client, "SUM(lines.subtotal) + LEN(customer.industry)")
    assert result["valid"] is True
    assert result["fields"] == [
        "customer",
        "customer.industry",
        "lines",
        "lines.subtotal",
    ]


@pytest.mark.parametrize(
    ("expression", "code", "column"),
    [
        ("amount +", "syntax", 9),
        ("amout * 2", "unknown_field", 1),
        ("SUMM(amount)", "unknown_function", 1),
        ('ROUND("a", 2)', "type", 7),
        ("IF(amount)", "arity", 1),
        ("lines.subtotal", "list_result", 1),
    ],
)
def test_problems_come_back_with_position(admin_client, expression, code, column) -> None:
    result = _check(admin_client, expression)
    assert result["valid"] is False
    (problem,) = result["errors"]
    assert problem["code"] == code
    assert problem["line"] == 1
    assert problem["column"] == column
    assert problem["excerpt"].splitlines()[1].endswith("^")


def test_problem_messages_follow_the_language(admin_client) -> None:
    response = admin_client.post(
        "/api/expressions/check",
        json={"expression": "amout", "fields": FIELDS},
        headers={"Accept-Language": "zh-CN"},
    )
    message = response.json()["errors"][0]["message"]
    assert "没有字段" in message
    assert "amount" in message  # the suggestion


def test_expected_result_type_is_enforced(admin_client) -> None:
    result = _check(admin_client, "amount * 2", expect="bool")
    assert result["valid"] is False
    assert result["errors"][0]["code"] == "type"


def test_server_only_functions_are_flagged(admin_client) -> None:
    result = _check(admin_client, 'RMB_UPPER(amount) & TEXT(amount, "#,##0.00")')
    assert result["valid"] is True
    assert result["sql_capable"] is False
    assert result["browser_capable"] is True
    assert _check(admin_client, 'TEXT(amount, "#,##0.00")')["sql_capable"] is True


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"expression": 5},
        {"expression": "1", "fields": [{"key": "1bad", "type": "number"}]},
        {"expression": "1", "fields": [{"key": "a", "type": "blob"}]},
        {"expression": "1", "extra": True},
        {"expression": "x" * 20_001},
    ],
)
def test_malformed_requests_are_422(admin_client, body) -> None:
    response = admin_client.post("/api/expressions/check", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_needs_a_signed_in_user(client) -> None:
    response = client.post("/api/expressions/check", json={"expression": "1"})
    assert response.status_code == 401


def test_function_list_covers_the_registry_in_both_languages(admin_client) -> None:
    english = admin_client.get("/api/expressions/functions").json()
    chinese = admin_client.get(
        "/api/expressions/functions", headers={"Accept-Language": "zh-CN"}
    ).json()
    assert {f["name"] for f in english} == set(REGISTRY)
    by_name = {f["name"]: f for f in chinese}
    assert by_name["SUM"]["category_label"] == "数学与汇总函数"
    assert by_name["RMB_UPPER"]["description"] == "人民币大写金额。"
