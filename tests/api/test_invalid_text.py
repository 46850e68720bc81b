"""A lone UTF-16 surrogate (JSON ``"\\ud800"``) is not text: every endpoint answers 422
problem+json, never 500, and record values name their field.

httpx's ``json=`` cannot encode such a string, so bodies are sent as raw JSON bytes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import JimuClient

LONE = "\ud800x"
RECORDS = "/api/apps/crm/forms/note/records"


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


NOTE = {
    "key": "note",
    "name": {"en": "Note"},
    "title_field": "title",
    "fields": [
        field("title"),
        field("body", "textarea"),
        field("rich", "richtext"),
        field("phone", "phone"),
        field("spot", "location"),
        field("addr", "address"),
        field("lines", "subform", fields=[field("remark")]),
    ],
}


def send(client: JimuClient, method: str, url: str, body: Any, **headers: str) -> Any:
    """Sends ``body`` as JSON bytes with lone surrogates escaped as ``\\udxxx``."""
    raw = json.dumps(body, ensure_ascii=True).encode()
    headers["content-type"] = "application/json"
    return client.request(method, url, content=raw, headers=headers)


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


@pytest.fixture
def note(admin_client: JimuClient) -> dict[str, Any]:
    """App ``crm`` with the published form ``note`` and one record."""
    assert admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).is_success
    assert admin_client.post("/api/apps/crm/forms", json=NOTE).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/note/publish").status_code == 200
    created = admin_client.post(RECORDS, json={"values": {"title": "first"}})
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize(
    ("values", "field_path"),
    [
        ({"title": LONE}, "title"),
        ({"body": LONE}, "body"),
        ({"rich": f"<p>{LONE}</p>"}, "rich"),
        ({"phone": LONE}, "phone"),
        ({"spot": {"lat": 22.5, "lng": 113.9, "label": LONE}}, "spot"),
        ({"addr": {"city": LONE}}, "addr"),
        ({"lines": [{"remark": "ok"}, {"remark": LONE}]}, "lines[1].remark"),
    ],
)
def test_record_values_with_a_lone_surrogate_are_invalid_text(
    admin_client: JimuClient, note: dict[str, Any], values: dict[str, Any], field_path: str
) -> None:
    patch_body = {"values": values, "version": note["_version"]}
    bulk_body = {
        "create": [{"title": "ok"}, values],
        "update": [{"id": note["_id"], **patch_body}],
    }
    answers = [
        (send(admin_client, "POST", RECORDS, {"values": values}), field_path),
        (send(admin_client, "PATCH", f"{RECORDS}/{note['_id']}", patch_body), field_path),
        (send(admin_client, "POST", f"{RECORDS}/bulk", bulk_body), f"create[1].{field_path}"),
    ]
    for response, path in answers:
        errors = refused(response)["errors"]
        assert {"field": path, "code": "invalid_text"} in [
            {"field": e["field"], "code": e["code"]} for e in errors
        ], errors
    assert {"field": f"update[0].{field_path}", "code": "invalid_text"} in [
        {"field": e["field"], "code": e["code"]} for e in refused(answers[2][0])["errors"]
    ]
    listed = admin_client.get(RECORDS).json()
    assert listed["total"] == 1
    assert admin_client.get(f"{RECORDS}/{note['_id']}").json()["title"] == "first"


def test_a_proper_surrogate_pair_is_text(admin_client: JimuClient, note: dict[str, Any]) -> None:
    created = send(admin_client, "POST", RECORDS, {"values": {"title": "笑 😀", "body": "𠀀"}})
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "笑 😀"


def test_invalid_text_is_explained_in_both_languages(
    admin_client: JimuClient, note: dict[str, Any]
) -> None:
    body = {"values": {"title": LONE}}
    zh = refused(send(admin_client, "POST", RECORDS, body, **{"Accept-Language": "zh-CN"}))
    assert "代理字符" in zh["errors"][0]["message"]
    en = refused(send(admin_client, "POST", RECORDS, body))
    assert "surrogate" in en["errors"][0]["message"]


def _other_bodies(user_id: int) -> list[tuple[str, str, Any]]:
    spec = {**NOTE, "key": "memo", "fields": [field("title", default=LONE)]}
    relabelled = {**NOTE, "fields": [field("title", label={"en": LONE})]}
    return [
        ("POST", "/api/apps", {"key": "hr", "name": {"en": LONE}}),
        ("PATCH", "/api/apps/crm", {"name": {"zh": LONE}}),
        ("PATCH", "/api/apps/crm", {"description": LONE}),
        ("POST", "/api/apps/crm/forms", {**NOTE, "key": "memo", "name": {"en": LONE}}),
        ("POST", "/api/apps/crm/forms", spec),
        ("PUT", "/api/apps/crm/forms/note", {**NOTE, "fields": [field("title", default=LONE)]}),
        ("PUT", "/api/apps/crm/forms/note", relabelled),
        ("POST", "/api/users", {"username": "li", "display_name": LONE, "password": "pass-word-1"}),
        ("PATCH", f"/api/users/{user_id}", {"display_name": LONE}),
        ("POST", "/api/departments", {"name": LONE}),
        ("POST", "/api/roles", {"key": "sales", "name": {"en": LONE}}),
        ("POST", "/api/apps/crm/roles", {"key": "sales", "name": {"en": LONE}}),
        ("POST", "/api/apps/crm/roles", {"key": "sales", "name": {"en": "S"}, "description": LONE}),
        ("PUT", "/api/apps/crm/menu", {"items": [{"type": "group", "label": {"en": LONE}}]}),
        ("POST", "/api/apps/crm/forms/note/views", {"name": LONE}),
        ("POST", "/api/apps/crm/forms/note/views", {"name": "v", "filter": f'title = "{LONE}"'}),
        (
            "POST",
            "/api/apps/crm/forms/note/views",
            {"name": "v", "conditions": [{"field": "title", "op": "eq", "value": LONE}]},
        ),
        (
            "POST",
            "/api/apps/crm/forms/note/views",
            {"name": "v", "conditions": [{"field": "title", "op": "in", "value": [{"a": LONE}]}]},
        ),
        ("POST", f"{RECORDS}/1/comments", {"body": LONE}),
        ("POST", "/api/expressions/check", {"expression": f'"{LONE}"'}),
        ("POST", "/api/auth/tokens", {"name": LONE}),
        ("POST", "/api/auth/login", {"username": LONE, "password": "whatever-1"}),
    ]


def test_free_text_elsewhere_is_422_not_500(
    app: Any, admin: dict[str, Any], token_for: Any, note: dict[str, Any]
) -> None:
    token = token_for(admin["id"])
    headers = {"Authorization": f"Bearer {token}"}
    with JimuClient(app, headers=headers, raise_server_exceptions=False) as client:
        for method, url, body in _other_bodies(admin["id"]):
            response = send(client, method, url, body)
            assert response.status_code == 422, (method, url, body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            codes = {e["code"] for e in response.json()["errors"]}
            assert codes & {"invalid_text", "string_unicode"}, (method, url, response.text)
        for url in (f"{RECORDS}?q=%ED%A0%80", f"{RECORDS}?filter=title%3D%22%ED%A0%80%22"):
            assert client.get(url).status_code == 200  # the URL decodes to U+FFFD, which is text


def test_fields_of_free_form_json_name_the_place(
    admin_client: JimuClient, note: dict[str, Any]
) -> None:
    view = {"name": "v", "conditions": [{"field": "title", "op": "eq", "value": LONE}]}
    [error] = refused(send(admin_client, "POST", "/api/apps/crm/forms/note/views", view))["errors"]
    assert (error["field"], error["code"]) == ("conditions[0].value", "invalid_text")
    spec = {**NOTE, "key": "memo", "fields": [field("title", default=LONE)]}
    errors = refused(send(admin_client, "POST", "/api/apps/crm/forms", spec))["errors"]
    assert ("fields[0].text.default", "invalid_text") in [(e["field"], e["code"]) for e in errors]
