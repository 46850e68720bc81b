"""The apps registry: create, list, read, change and delete apps; who may do what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jimu.form_engine.store import Form
from jimu.platform.apps import service as apps_service
from jimu.platform.apps.models import App
from tests.conftest import USER_PASSWORD, JimuClient

CRM = {"key": "crm", "name": {"zh": "客户管理", "en": "CRM"}}


def problem(response: Any, status: int) -> dict[str, Any]:
    """Asserts ``response`` is a problem document with ``status`` and returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    return body


def fields_of(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body["errors"]]


def app_rows(session_factory: Any) -> dict[str, App]:
    with session_factory() as session:
        return {a.key: a for a in session.scalars(select(App))}


@pytest.fixture
def crm(admin_client: JimuClient) -> dict[str, Any]:
    created = admin_client.post("/api/apps", json=CRM)
    assert created.status_code == 201, created.text
    return created.json()


@pytest.fixture
def member_client(
    app: FastAPI, make_user: Callable[..., dict[str, Any]], token_for: Callable[[int], str]
) -> Iterator[JimuClient]:
    """A signed-in user who is not a platform admin (Bearer token)."""
    member = make_user("member")
    with JimuClient(app, headers={"Authorization": f"Bearer {token_for(member['id'])}"}) as c:
        yield c


# --- create ----------------------------------------------------------------------------------


def test_create_returns_201_with_every_field(
    admin_client: JimuClient, admin: dict[str, Any]
) -> None:
    response = admin_client.post(
        "/api/apps",
        json={
            **CRM,
            "icon": "briefcase",
            "color": "#3366FF",
            "description": "客户全生命周期管理",
            "sort_order": 5,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] >= 1
    assert body["key"] == "crm"
    assert body["name"] == {"zh": "客户管理", "en": "CRM"}
    assert body["icon"] == "briefcase"
    assert body["color"] == "#3366FF"
    assert body["description"] == "客户全生命周期管理"
    assert body["sort_order"] == 5
    assert body["created_by"] == admin["id"]
    assert body["created_at"]
    assert body["updated_at"]
    assert admin_client.get("/api/apps/crm").json() == body


def test_create_with_only_the_required_fields(admin_client: JimuClient) -> None:
    body = admin_client.post("/api/apps", json={"key": "hr", "name": {"zh": "人事"}}).json()
    assert body["name"] == {"zh": "人事", "en": ""}
    assert body["icon"] is None
    assert body["color"] is None
    assert body["description"] is None
    assert body["sort_order"] == 0


@pytest.mark.parametrize(
    "key",
    [
        "CRM",
        "Crm",
        "1crm",
        "_crm",
        "crm-app",
        "crm app",
        "crm.app",
        "客户",
        "crm客户",
        "ｃｒｍ",
        "a" * 41,
        "",
        "   ",
    ],
)
def test_keys_must_be_ascii_slugs(admin_client: JimuClient, session_factory: Any, key: str) -> None:
    body = problem(admin_client.post("/api/apps", json={"key": key, "name": {"en": "X"}}), 422)
    assert body["code"] == "validation_failed"
    assert fields_of(body) == ["key"]
    assert app_rows(session_factory) == {}


@pytest.mark.parametrize("key", ["a", "crm", "crm_2", "a1_b2", "z" * 40])
def test_valid_keys(admin_client: JimuClient, key: str) -> None:
    response = admin_client.post("/api/apps", json={"key": key, "name": {"en": "X"}})
    assert response.status_code == 201, response.text
    assert response.json()["key"] == key


def test_keys_are_trimmed(admin_client: JimuClient) -> None:
    response = admin_client.post("/api/apps", json={"key": "  crm ", "name": {"en": "CRM"}})
    assert response.status_code == 201
    assert response.json()["key"] == "crm"


def test_duplicate_key_is_409(
    admin_client: JimuClient, crm: dict[str, Any], session_factory: Any
) -> None:
    for key in ("crm", " crm "):
        response = admin_client.post("/api/apps", json={"key": key, "name": {"en": "Other"}})
        body = problem(response, 409)
        assert body["code"] == "conflict"
        assert body["errors"] == [
            {"field": "key", "code": "duplicate", "message": "Already taken."}
        ]
        assert "crm" in body["detail"]
    rows = app_rows(session_factory)
    assert list(rows) == ["crm"]
    assert rows["crm"].name == CRM["name"]


def test_duplicate_key_in_chinese(admin_client: JimuClient, crm: dict[str, Any]) -> None:
    response = admin_client.post("/api/apps", json=CRM, headers={"Accept-Language": "zh-CN"})
    body = problem(response, 409)
    assert body["title"] == "冲突"
    assert body["detail"] == "应用标识“crm”已存在。"


@pytest.mark.parametrize(
    "name",
    [
        {},
        {"zh": "", "en": ""},
        {"zh": ""},
        None,
        "CRM",
        ["CRM"],
        {"fr": "CRM"},
        {"zh": "客" * 101},
        {"en": 5},
    ],
)
def test_name_needs_chinese_or_english(
    admin_client: JimuClient, session_factory: Any, name: Any
) -> None:
    body = problem(admin_client.post("/api/apps", json={"key": "crm", "name": name}), 422)
    assert all(field.startswith("name") for field in fields_of(body))
    assert app_rows(session_factory) == {}


def test_missing_name_says_which_language(admin_client: JimuClient) -> None:
    body = problem(admin_client.post("/api/apps", json={"key": "crm", "name": {}}), 422)
    assert body["errors"][0]["code"] == "label_required"
    zh = problem(
        admin_client.post(
            "/api/apps", json={"key": "crm", "name": {}}, headers={"Accept-Language": "zh-CN"}
        ),
        422,
    )
    assert zh["errors"][0]["message"] == "请填写中文（zh）或英文（en）名称。"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"color": "red"}, "color"),
        ({"color": "#12345"}, "color"),
        ({"icon": "Bad Icon"}, "icon"),
        ({"description": "x" * 2001}, "description"),
        ({"sort_order": 1_000_001}, "sort_order"),
        ({"sort_order": "first"}, "sort_order"),
        ({"id": 7}, "id"),
        ({"created_by": 1}, "created_by"),
    ],
)
def test_other_fields_are_validated(
    admin_client: JimuClient, session_factory: Any, extra: dict[str, Any], field: str
) -> None:
    body = problem(admin_client.post("/api/apps", json={**CRM, **extra}), 422)
    assert fields_of(body) == [field]
    assert app_rows(session_factory) == {}


def test_every_invalid_field_is_listed(admin_client: JimuClient) -> None:
    body = problem(
        admin_client.post("/api/apps", json={"key": "CRM", "name": {}, "color": "red"}), 422
    )
    assert set(fields_of(body)) == {"key", "name", "color"}
    assert body["detail"].startswith("3 field(s) are invalid")


def test_nul_characters_are_refused(admin_client: JimuClient) -> None:
    problem(admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "C\u0000RM"}}), 422)


# --- list and read ---------------------------------------------------------------------------


def test_list_orders_by_sort_order_then_creation(admin_client: JimuClient) -> None:
    for key, order in [("b_app", 0), ("a_app", 0), ("first", -5), ("last", 9)]:
        admin_client.post("/api/apps", json={"key": key, "name": {"en": key}, "sort_order": order})
    body = admin_client.get("/api/apps").json()
    assert [a["key"] for a in body["items"]] == ["first", "b_app", "a_app", "last"]
    assert body["total"] == 4
    assert body["page"] == 1
    assert body["page_size"] == 4


def test_empty_list(admin_client: JimuClient) -> None:
    assert admin_client.get("/api/apps").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 0,
    }


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_app_is_404(admin_client: JimuClient, crm: dict[str, Any], method: str) -> None:
    kwargs = {"json": {"sort_order": 1}} if method == "PATCH" else {}
    body = problem(admin_client.request(method, "/api/apps/nope", **kwargs), 404)
    assert body["code"] == "not_found"
    assert body["title"] == "Not found"
    assert body["detail"] == "App 'nope' was not found."
    assert body["instance"] == "/api/apps/nope"


def test_unknown_app_in_chinese(admin_client: JimuClient) -> None:
    body = problem(admin_client.get("/api/apps/nope", headers={"Accept-Language": "zh-CN"}), 404)
    assert body["title"] == "未找到"
    assert body["detail"] == "未找到应用“nope”。"


@pytest.mark.parametrize("key", ["CRM", "1crm", "a" * 41, "crm-app"])
def test_malformed_app_keys_in_the_path_are_422(admin_client: JimuClient, key: str) -> None:
    body = problem(admin_client.get(f"/api/apps/{key}"), 422)
    assert fields_of(body) == ["app"]


# --- change ----------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(admin_client: JimuClient, crm: dict[str, Any]) -> None:
    response = admin_client.patch(
        "/api/apps/crm", json={"name": {"zh": "客户关系"}, "color": "#00aa00"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == {"zh": "客户关系", "en": ""}
    assert body["color"] == "#00aa00"
    assert body["key"] == "crm"
    assert body["sort_order"] == crm["sort_order"]
    assert body["created_at"] == crm["created_at"]
    assert body["updated_at"] >= crm["updated_at"]
    assert admin_client.get("/api/apps/crm").json() == body


def test_patch_can_clear_optional_fields(admin_client: JimuClient) -> None:
    admin_client.post("/api/apps", json={**CRM, "icon": "star", "description": "d"})
    body = admin_client.patch("/api/apps/crm", json={"icon": None, "description": None}).json()
    assert body["icon"] is None
    assert body["description"] is None


def test_empty_patch_changes_nothing(admin_client: JimuClient, crm: dict[str, Any]) -> None:
    response = admin_client.patch("/api/apps/crm", json={})
    assert response.status_code == 200
    assert response.json()["name"] == crm["name"]


@pytest.mark.parametrize("changes", [{"key": "other"}, {"key": "crm"}, {"id": 9}, {"owner": 1}])
def test_patch_cannot_change_the_key_or_unknown_fields(
    admin_client: JimuClient, crm: dict[str, Any], session_factory: Any, changes: dict[str, Any]
) -> None:
    body = problem(admin_client.patch("/api/apps/crm", json={**changes, "sort_order": 7}), 422)
    field = next(iter(changes))
    assert body["errors"] == [
        {"field": field, "code": "extra_forbidden", "message": "Extra inputs are not permitted"}
    ]
    rows = app_rows(session_factory)
    assert list(rows) == ["crm"]
    assert rows["crm"].sort_order == 0  # nothing of the refused request was applied
    problem(admin_client.get("/api/apps/other"), 404)


@pytest.mark.parametrize("field", ["name", "sort_order"])
def test_patch_refuses_null_for_required_fields(
    admin_client: JimuClient, crm: dict[str, Any], field: str
) -> None:
    body = problem(admin_client.patch("/api/apps/crm", json={field: None}), 422)
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["code"] == "required"
    assert admin_client.get("/api/apps/crm").json()["name"] == CRM["name"]


@pytest.mark.parametrize("name", [{}, {"zh": ""}, "CRM"])
def test_patch_validates_the_name(admin_client: JimuClient, crm: dict[str, Any], name: Any) -> None:
    body = problem(admin_client.patch("/api/apps/crm", json={"name": name}), 422)
    assert fields_of(body)[0].startswith("name")


# --- who may do what -------------------------------------------------------------------------


def test_members_can_list_and_read(
    member_client: JimuClient, admin_client: JimuClient, crm: dict[str, Any]
) -> None:
    assert member_client.get("/api/apps").json()["items"] == []  # holds no role in it yet
    assert member_client.get("/api/apps/crm").status_code == 404
    admin_client.patch("/api/apps/crm/roles/member", json={"all_users": True})
    listed = member_client.get("/api/apps")
    assert listed.status_code == 200
    assert [a["key"] for a in listed.json()["items"]] == ["crm"]
    read = member_client.get("/api/apps/crm")
    assert read.status_code == 200
    assert read.json()["name"] == CRM["name"]


def test_members_cannot_write(
    member_client: JimuClient, admin_client: JimuClient, crm: dict[str, Any], session_factory: Any
) -> None:
    opened = admin_client.patch("/api/apps/crm/roles/member", json={"all_users": True})
    assert opened.status_code == 200, opened.text
    attempts = [
        member_client.post("/api/apps", json={"key": "hr", "name": {"en": "HR"}}),
        member_client.patch("/api/apps/crm", json={"name": {"en": "Hacked"}}),
        member_client.delete("/api/apps/crm"),
        member_client.delete("/api/apps/crm", params={"confirm": "crm"}),
    ]
    for response in attempts:
        body = problem(response, 403)
        assert body["code"] == "permission_denied"
        assert body["detail"] == "Only platform admins may do this."
    rows = app_rows(session_factory)
    assert list(rows) == ["crm"]
    assert rows["crm"].name == CRM["name"]


def test_members_signed_in_with_a_session_cannot_write_either(
    login: Callable[[str, str], JimuClient],
    make_user: Callable[..., dict[str, Any]],
    crm: dict[str, Any],
) -> None:
    make_user("member")
    browser = login("member", USER_PASSWORD)
    assert browser.get("/api/apps/crm").status_code == 404  # not one of its members
    problem(browser.post("/api/apps", json={"key": "hr", "name": {"en": "HR"}}), 403)
    problem(browser.delete("/api/apps/crm"), 404)


def test_to_non_members_an_existing_app_looks_like_a_missing_one(
    member_client: JimuClient, crm: dict[str, Any]
) -> None:
    for key in ("crm", "nope"):
        for response in (
            member_client.patch(f"/api/apps/{key}", json={"sort_order": 1}),
            member_client.delete(f"/api/apps/{key}"),
        ):
            assert problem(response, 404)["detail"] == f"App '{key}' was not found."


def test_anonymous_callers_get_401_everywhere(client: JimuClient, crm: dict[str, Any]) -> None:
    for method, url in [
        ("GET", "/api/apps"),
        ("GET", "/api/apps/crm"),
        ("POST", "/api/apps"),
        ("PATCH", "/api/apps/crm"),
        ("DELETE", "/api/apps/crm"),
    ]:
        problem(client.request(method, url), 401)


# --- delete ----------------------------------------------------------------------------------


def test_deleting_an_empty_app(admin_client: JimuClient, crm: dict[str, Any]) -> None:
    response = admin_client.delete("/api/apps/crm")
    assert response.status_code == 204
    assert response.content == b""
    problem(admin_client.get("/api/apps/crm"), 404)
    assert admin_client.get("/api/apps").json()["total"] == 0
    problem(admin_client.delete("/api/apps/crm"), 404)
    recreated = admin_client.post("/api/apps", json=CRM)
    assert recreated.status_code == 201


def test_an_empty_app_can_also_be_deleted_with_confirm(
    admin_client: JimuClient, crm: dict[str, Any]
) -> None:
    assert admin_client.delete("/api/apps/crm", params={"confirm": "whatever"}).status_code == 204


@pytest.fixture
def engine_hooks(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Registers a fake engine: 3 records in ``crm``, and a cleanup that notes what it removed.

    The registries are copied first, so the fake is gone after the test.
    """
    monkeypatch.setattr(apps_service, "_content_counters", dict(apps_service._content_counters))
    monkeypatch.setattr(apps_service, "_cleanups", list(apps_service._cleanups))
    cleaned: list[str] = []

    def count_records(session: Session, app: App) -> int:
        return 3 if app.key == "crm" else 0

    def cleanup(session: Session, app: App) -> None:
        cleaned.append(app.key)

    apps_service.register_content_counter("records", count_records)
    apps_service.register_cleanup(cleanup)
    return {"cleaned": cleaned}


@pytest.mark.parametrize(
    "params",
    [{}, {"confirm": ""}, {"confirm": "wrong"}, {"confirm": "CRM"}, {"confirm": " crm"}],
    ids=["missing", "empty", "wrong", "uppercase", "padded"],
)
def test_deleting_an_app_with_data_needs_confirm(
    admin_client: JimuClient,
    crm: dict[str, Any],
    engine_hooks: dict[str, list[str]],
    session_factory: Any,
    params: dict[str, str],
) -> None:
    body = problem(admin_client.delete("/api/apps/crm", params=params), 422)
    assert body["code"] == "validation_failed"
    assert body["errors"] == [
        {
            "field": "confirm",
            "code": "confirm_required",
            "message": "Type the app key to confirm.",
        }
    ]
    assert body["contents"] == {"records": 3}
    assert "?confirm=crm" in body["detail"]
    assert "3 records" in body["detail"]
    assert "crm" in app_rows(session_factory)
    assert admin_client.get("/api/apps/crm").status_code == 200
    assert engine_hooks["cleaned"] == []


def test_confirm_message_in_chinese(
    admin_client: JimuClient, crm: dict[str, Any], engine_hooks: dict[str, list[str]]
) -> None:
    response = admin_client.delete("/api/apps/crm", headers={"Accept-Language": "zh-CN"})
    body = problem(response, 422)
    assert body["title"] == "数据校验失败"
    assert "?confirm=crm" in body["detail"]
    assert body["errors"][0]["message"] == "请输入应用标识以确认删除。"


def test_deleting_an_app_with_data_and_the_right_confirm(
    admin_client: JimuClient,
    crm: dict[str, Any],
    engine_hooks: dict[str, list[str]],
    session_factory: Any,
) -> None:
    response = admin_client.delete("/api/apps/crm", params={"confirm": "crm"})
    assert response.status_code == 204
    assert engine_hooks["cleaned"] == ["crm"]
    assert app_rows(session_factory) == {}
    problem(admin_client.get("/api/apps/crm"), 404)


def test_only_the_app_with_data_needs_confirm(
    admin_client: JimuClient, crm: dict[str, Any], engine_hooks: dict[str, list[str]]
) -> None:
    admin_client.post("/api/apps", json={"key": "hr", "name": {"en": "HR"}})
    assert admin_client.delete("/api/apps/hr").status_code == 204
    assert engine_hooks["cleaned"] == ["hr"]
    problem(admin_client.delete("/api/apps/crm"), 422)


def test_an_overlong_confirm_is_422(admin_client: JimuClient, crm: dict[str, Any]) -> None:
    body = problem(admin_client.delete("/api/apps/crm", params={"confirm": "c" * 41}), 422)
    assert fields_of(body) == ["confirm"]
    assert admin_client.get("/api/apps/crm").status_code == 200


def test_an_app_with_a_real_form_needs_confirm(
    admin_client: JimuClient, crm: dict[str, Any], session_factory: Any
) -> None:
    form = {
        "key": "contract",
        "name": {"zh": "合同"},
        "fields": [{"key": "title", "type": "text", "label": {"zh": "标题"}}],
    }
    assert admin_client.post("/api/apps/crm/forms", json=form).status_code == 201
    body = problem(admin_client.delete("/api/apps/crm"), 422)
    assert body["contents"] == {"forms": 1}
    assert admin_client.get("/api/apps/crm/forms/contract").status_code == 200
    assert admin_client.delete("/api/apps/crm", params={"confirm": "crm"}).status_code == 204
    assert app_rows(session_factory) == {}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Form)) == 0
