"""The apps registry, and problem+json answers for every kind of bad request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from jimu.platform.app import create_app
from jimu.platform.apps import service as apps_service
from tests.conftest import JimuClient


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def test_app_crud(admin_client) -> None:
    created = admin_client.post(
        "/api/apps",
        json={
            "key": "crm",
            "name": {"zh": "客户管理", "en": "CRM"},
            "color": "#3366ff",
            "description": "客户全生命周期",
        },
    )
    assert created.status_code == 201
    assert created.json()["key"] == "crm"
    assert admin_client.get("/api/apps/crm").json()["name"] == {"zh": "客户管理", "en": "CRM"}
    patched = admin_client.patch("/api/apps/crm", json={"name": {"zh": "CRM 系统"}})
    assert patched.json()["name"]["zh"] == "CRM 系统"
    assert [a["key"] for a in admin_client.get("/api/apps").json()["items"]] == ["crm"]
    assert admin_client.delete("/api/apps/crm").status_code == 204
    _problem(admin_client.get("/api/apps/crm"), 404)


@pytest.mark.parametrize("key", ["CRM", "1crm", "crm-app", "客户", "a" * 41, "", "crm app"])
def test_app_keys_are_ascii_slugs(admin_client, key) -> None:
    problem = _problem(admin_client.post("/api/apps", json={"key": key, "name": {"en": "X"}}), 422)
    assert "key" in [e["field"] for e in problem["errors"]]


def test_app_key_is_unique_and_immutable(admin_client) -> None:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    problem = _problem(
        admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "B"}}), 409
    )
    assert problem["errors"][0]["field"] == "key"
    problem = _problem(admin_client.patch("/api/apps/crm", json={"key": "other"}), 422)
    assert problem["errors"][0]["code"] == "extra_forbidden"
    problem = _problem(admin_client.post("/api/apps", json={"key": "x", "name": {}}), 422)
    assert problem["errors"][0]["field"] == "name"


@pytest.fixture
def app_with_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretends an engine reports two forms in every app (restored after the test)."""
    counters = dict(apps_service._content_counters)
    monkeypatch.setattr(apps_service, "_content_counters", counters)
    apps_service.register_content_counter("forms", lambda session, app: 2)


def test_deleting_an_app_with_data_needs_its_key(admin_client, app_with_data) -> None:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    for params in ({}, {"confirm": "wrong"}):
        problem = _problem(admin_client.delete("/api/apps/crm", params=params), 422)
        assert problem["errors"][0]["field"] == "confirm"
        assert problem["contents"] == {"forms": 2}
    assert admin_client.get("/api/apps/crm").status_code == 200
    assert admin_client.delete("/api/apps/crm", params={"confirm": "crm"}).status_code == 204


def test_malformed_json_is_400(admin_client) -> None:
    response = admin_client.post(
        "/api/apps", content=b'{"key": "crm",', headers={"content-type": "application/json"}
    )
    assert _problem(response, 400)["code"] == "malformed_json"


def test_wrong_types_list_every_field(admin_client) -> None:
    problem = _problem(
        admin_client.post("/api/apps", json={"key": 5, "name": "CRM", "sort_order": "x"}), 422
    )
    assert {e["field"] for e in problem["errors"]} >= {"key", "name", "sort_order"}


def test_declared_oversized_body_is_413(admin_client) -> None:
    body = b'{"key": "crm", "name": {"en": "' + b"x" * 70_000 + b'"}}'
    response = admin_client.post(
        "/api/apps", content=body, headers={"content-type": "application/json"}
    )
    assert _problem(response, 413)["code"] == "body_too_large"
    assert admin_client.get("/api/apps").json()["total"] == 0


def test_streamed_oversized_body_is_413(admin_client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"key": "crm", "name": {"en": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}}'

    response = admin_client.post(
        "/api/apps", content=chunks(), headers={"content-type": "application/json"}
    )
    _problem(response, 413)
    assert admin_client.get("/api/apps").json()["total"] == 0


def test_unknown_route_and_wrong_method(admin_client) -> None:
    _problem(admin_client.get("/api/nothing-here"), 404)
    _problem(admin_client.put("/api/apps"), 405)


def test_chinese_titles(admin_client) -> None:
    body = _problem(admin_client.get("/api/apps/nope", headers={"Accept-Language": "zh-CN"}), 404)
    assert body["title"] == "未找到"
    assert "应用" in body["detail"]


def test_server_errors_are_problems_without_traces(settings, engine, clean_db) -> None:
    broken: FastAPI = create_app(settings, engine)

    @broken.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with JimuClient(broken, raise_server_exceptions=False) as c:
        response = c.get("/boom")
    body = _problem(response, 500)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert body["code"] == "server_error"


def test_pages_need_a_session(client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"
