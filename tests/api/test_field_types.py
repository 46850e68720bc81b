"""Every field type stores and reads back its value unchanged, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest


def field(key: str, type_: str, **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key}, **props}


OPTIONS = [{"key": "a", "label": {"en": "A"}}, {"key": "b", "label": {"en": "B"}}]
FIELDS = [
    field("text", "text"),
    field("textarea", "textarea"),
    field("richtext", "richtext"),
    field("number", "number", decimals=3),
    field("amount", "amount"),
    field("percent", "percent"),
    field("rating", "rating"),
    field("day", "date"),
    field("moment", "datetime"),
    field("clock", "time"),
    field("choice", "select", options=OPTIONS),
    field("choices", "multiselect", options=OPTIONS),
    field("flag", "checkbox"),
    field("person", "member"),
    field("people", "member", multiple=True),
    field("dept", "department"),
    field("depts", "department", multiple=True),
    field("phone", "phone"),
    field("mail", "email"),
    field("site", "url"),
    field("addr", "address"),
    field("spot", "location"),
    field("files", "attachment"),
    field("pics", "image"),
    field("sign", "signature"),
    field("serial", "serial", pattern="NO-{0000}"),
    field("calc", "formula", formula="number * 2"),
    field("lines", "subform", fields=[field("qty", "number", decimals=0)]),
]


@pytest.fixture
def ids(admin_client, admin) -> dict[str, int]:
    dept = admin_client.post("/api/departments", json={"name": "研发"}).json()["id"]
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    spec = {"key": "every", "name": {"en": "Every type"}, "fields": FIELDS}
    assert admin_client.post("/api/apps/crm/forms", json=spec).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/every/publish").status_code == 200
    return {"user": admin["id"], "dept": dept}


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(client: Any, key: str, name: str, content: bytes) -> dict[str, Any]:
    """Uploads a file for field ``key``; the answer is what the record stores."""
    response = client.post(
        f"/api/apps/crm/forms/every/files?field={key}", files={"file": (name, content)}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_round_trip_of_every_field_type(admin_client, ids) -> None:
    values = {
        "text": "单行 text",
        "textarea": "第一行\n第二行",
        "richtext": "<p>ok <b>bold</b></p>",
        "number": "3.125",
        "amount": "12345.67",
        "percent": "0.1250",
        "rating": 4,
        "day": "2024-02-29",
        "moment": "2026-11-22 09:30:15",
        "clock": "18:05:00",
        "choice": "b",
        "choices": ["a", "b"],
        "flag": True,
        "person": ids["user"],
        "people": [ids["user"]],
        "dept": ids["dept"],
        "depts": [ids["dept"]],
        "phone": "13800138000",
        "mail": "li@example.com",
        "site": "https://example.com/a?b=1",
        "addr": {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "1号"},
        "spot": {"lat": 22.54, "lng": 113.93, "label": "深圳"},
        "files": [_upload(admin_client, "files", "合同.pdf", b"%PDF-1.7 contract")],
        "pics": [_upload(admin_client, "pics", "a.png", PNG)],
        "sign": [_upload(admin_client, "sign", "sign.png", PNG)],
        "lines": [{"qty": 2}, {"qty": 3}],
    }
    created = admin_client.post("/api/apps/crm/forms/every/records", json={"values": values})
    assert created.status_code == 201, created.text
    record = admin_client.get(f"/api/apps/crm/forms/every/records/{created.json()['_id']}").json()
    expected = dict(values)
    expected["lines"] = [{"qty": "2"}, {"qty": "3"}]
    for key, value in expected.items():
        got = record[key]
        if key == "lines":
            got = [{k: v for k, v in row.items() if k != "id"} for row in got]
        assert got == value, key
    assert record["serial"] == "NO-0001"
    assert record["calc"] == "6.25"


def test_rich_text_is_sanitised(admin_client, ids) -> None:
    dirty = '<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x">l</a></p>'
    record = admin_client.post(
        "/api/apps/crm/forms/every/records", json={"values": {"richtext": dirty}}
    ).json()
    # a script goes with its content; a kept link gets rel="noopener noreferrer"
    assert record["richtext"] == '<p>hi<a rel="noopener noreferrer">l</a></p>'


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("number", "1.2345"),
        ("number", "abc"),
        ("amount", True),
        ("rating", 9),
        ("day", "2023-02-29"),
        ("moment", "yesterday"),
        ("clock", "25:00"),
        ("choice", "z"),
        ("choices", ["a", "z"]),
        ("flag", "yes"),
        ("person", 999),
        ("people", [999]),
        ("dept", 999),
        ("phone", "12345"),
        ("mail", "x@"),
        ("site", "ftp://x"),
        ("addr", {"planet": "Mars"}),
        ("spot", {"lat": 200, "lng": 0}),
        ("files", "not a list"),
        ("lines", [{"qty": "x"}]),
        ("text", "a" * 201),
        ("serial", "NO-9999"),
        ("calc", "1"),
    ],
)
def test_each_type_refuses_bad_values(admin_client, ids, key, value) -> None:
    response = admin_client.post("/api/apps/crm/forms/every/records", json={"values": {key: value}})
    assert response.status_code == 422, (key, response.text)
    assert response.json()["errors"][0]["field"].split("[")[0] == key
    listed = admin_client.get("/api/apps/crm/forms/every/records").json()
    assert listed["total"] == 0
