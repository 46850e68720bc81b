"""Users, departments and roles: CRUD, rules of the tree, admin-only writes, no partial writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import USER_PASSWORD


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def _fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def _dept(client, name: str, parent: int | None = None) -> int:
    response = client.post("/api/departments", json={"name": name, "parent_id": parent})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_user_crud_and_filters(admin_client) -> None:
    sales = _dept(admin_client, "销售部")
    admin_client.post("/api/roles", json={"key": "sales", "name": {"zh": "销售", "en": "Sales"}})
    created = admin_client.post(
        "/api/users",
        json={
            "username": "li.lei",
            "display_name": "李雷",
            "password": "pass-word-1",
            "email": "li@example.com",
            "main_department_id": sales,
            "roles": ["sales"],
        },
    )
    assert created.status_code == 201
    user = created.json()
    assert user["roles"] == ["sales"]
    admin_client.post(
        "/api/users", json={"username": "han", "display_name": "韩梅梅", "password": "pass-word-2"}
    )
    page = admin_client.get("/api/users", params={"q": "李", "page_size": 1}).json()
    assert page["total"] == 1
    assert page["items"][0]["username"] == "li.lei"
    assert admin_client.get("/api/users", params={"department_id": sales}).json()["total"] == 1
    assert admin_client.get("/api/users", params={"role": "sales"}).json()["total"] == 1
    paged = admin_client.get("/api/users", params={"page": 2, "page_size": 2}).json()
    assert (paged["total"], len(paged["items"])) == (3, 1)

    patched = admin_client.patch(f"/api/users/{user['id']}", json={"phone": "138 0000 0000"})
    assert patched.json()["phone"] == "138 0000 0000"
    assert patched.json()["display_name"] == "李雷"
    assert admin_client.get(f"/api/users/{user['id']}").json()["phone"] == "138 0000 0000"


def test_duplicate_username_is_409_and_nothing_is_written(admin_client) -> None:
    body = {"username": "li.lei", "display_name": "A", "password": "pass-word-1"}
    assert admin_client.post("/api/users", json=body).status_code == 201
    problem = _problem(admin_client.post("/api/users", json=body), 409)
    assert _fields(problem) == ["username"]
    assert admin_client.get("/api/users").json()["total"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"roles": ["ghost"]}, "roles"),
        ({"main_department_id": 999}, "main_department_id"),
        ({"supervisor_id": 999}, "supervisor_id"),
        ({"username": "有 空格"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"unknown": 1}, "unknown"),
        ({"main_department_id": 2**31}, "main_department_id"),
        ({"display_name": "a\x00b"}, "body"),
    ],
)
def test_invalid_users_are_refused_naming_the_field(admin_client, body, field) -> None:
    data = {"username": "li.lei", "display_name": "Li", "password": "pass-word-1", **body}
    problem = _problem(admin_client.post("/api/users", json=data), 422)
    assert field in _fields(problem)
    assert admin_client.get("/api/users").json()["total"] == 1  # only the admin


def test_supervisor_cycles_are_refused(admin_client) -> None:
    ids = []
    for name in ("a1", "b1", "c1"):
        response = admin_client.post(
            "/api/users", json={"username": name, "display_name": name, "password": "pass-word-1"}
        )
        ids.append(response.json()["id"])
    a, b, c = ids
    assert admin_client.patch(f"/api/users/{b}", json={"supervisor_id": a}).status_code == 200
    assert admin_client.patch(f"/api/users/{c}", json={"supervisor_id": b}).status_code == 200
    problem = _problem(admin_client.patch(f"/api/users/{a}", json={"supervisor_id": c}), 422)
    assert problem["errors"][0] == {
        "field": "supervisor_id",
        "code": "cycle",
        "message": problem["errors"][0]["message"],
    }
    assert admin_client.get(f"/api/users/{a}").json()["supervisor_id"] is None


def test_deactivation_locks_the_user_out(admin_client, client, make_user, token_for, app) -> None:
    from tests.conftest import JimuClient

    user = make_user("li.lei")
    token = token_for(user["id"])
    assert admin_client.delete(f"/api/users/{user['id']}").json()["is_active"] is False
    _problem(
        client.post("/api/auth/login", json={"username": "li.lei", "password": USER_PASSWORD}),
        401,
    )
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        _problem(bearer.get("/api/me"), 401)


def test_admins_cannot_lock_themselves_out(admin_client, admin) -> None:
    problem = _problem(admin_client.delete(f"/api/users/{admin['id']}"), 422)
    assert problem["errors"][0]["code"] == "self_lockout"
    problem = _problem(admin_client.patch(f"/api/users/{admin['id']}", json={"roles": []}), 422)
    assert _fields(problem) == ["roles"]
    assert admin_client.get("/api/me").json()["is_platform_admin"] is True


def test_null_for_required_fields_is_422(admin_client, make_user) -> None:
    user = make_user("li.lei")
    problem = _problem(
        admin_client.patch(f"/api/users/{user['id']}", json={"display_name": None}), 422
    )
    assert _fields(problem) == ["display_name"]


def test_department_tree_rules(admin_client, make_user) -> None:
    root = _dept(admin_client, "总部")
    sales = _dept(admin_client, "销售部", root)
    east = _dept(admin_client, "华东区", sales)
    # a department cannot be its own ancestor, directly or deeper
    for target, parent in ((root, root), (root, east), (sales, east)):
        problem = _problem(
            admin_client.patch(f"/api/departments/{target}", json={"parent_id": parent}), 422
        )
        assert problem["errors"][0]["field"] == "parent_id"
        assert problem["errors"][0]["code"] == "cycle"
    assert admin_client.get(f"/api/departments/{root}").json()["parent_id"] is None
    # moving to a legal place works
    moved = admin_client.patch(f"/api/departments/{east}", json={"parent_id": root})
    assert moved.json()["parent_id"] == root
    # unknown parent or head
    problem = _problem(
        admin_client.post("/api/departments", json={"name": "x", "parent_id": 999}), 422
    )
    assert _fields(problem) == ["parent_id"]
    problem = _problem(
        admin_client.post("/api/departments", json={"name": "x", "head_id": 999}), 422
    )
    assert _fields(problem) == ["head_id"]


def test_departments_with_members_or_children_are_not_deleted(admin_client, make_user) -> None:
    root = _dept(admin_client, "总部")
    child = _dept(admin_client, "研发部", root)
    make_user("li.lei", main_department_id=child)
    listed = {d["id"]: d for d in admin_client.get("/api/departments").json()["items"]}
    assert listed[child]["member_count"] == 1
    problem = _problem(admin_client.delete(f"/api/departments/{child}"), 409)
    assert "1" in problem["detail"]
    problem = _problem(admin_client.delete(f"/api/departments/{root}"), 409)
    assert problem["children"] == 1
    assert len(admin_client.get("/api/departments").json()["items"]) == 2
    empty = _dept(admin_client, "空部门", root)
    assert admin_client.delete(f"/api/departments/{empty}").status_code == 204


def test_roles(admin_client, make_user) -> None:
    created = admin_client.post(
        "/api/roles", json={"key": "sales", "name": {"zh": "销售"}, "description": "前线"}
    )
    assert created.status_code == 201
    role = created.json()
    assert _fields(
        _problem(admin_client.post("/api/roles", json={"key": "sales", "name": {"en": "S"}}), 409)
    ) == ["key"]
    assert _problem(admin_client.post("/api/roles", json={"key": "x", "name": {}}), 422)
    assert _problem(
        admin_client.post("/api/roles", json={"key": "Bad Key", "name": {"en": "B"}}), 422
    )
    renamed = admin_client.patch(f"/api/roles/{role['id']}", json={"name": {"en": "Sales"}})
    assert renamed.json()["name"] == {"zh": "", "en": "Sales"}
    user = make_user("li.lei", roles=["sales"])
    roles = {r["key"]: r for r in admin_client.get("/api/roles").json()["items"]}
    assert roles["sales"]["member_count"] == 1
    assert roles["platform_admin"]["is_system"] is True
    problem = _problem(admin_client.delete(f"/api/roles/{roles['platform_admin']['id']}"), 409)
    assert problem["errors"][0]["code"] == "system_role"
    assert admin_client.delete(f"/api/roles/{role['id']}").status_code == 204
    assert admin_client.get(f"/api/users/{user['id']}").json()["roles"] == []


def test_members_read_but_do_not_write(login, make_user) -> None:
    make_user("li.lei")
    member = login("li.lei", USER_PASSWORD)
    for path in ("/api/users", "/api/departments", "/api/roles", "/api/apps"):
        assert member.get(path).status_code == 200
    writes = [
        ("post", "/api/users", {"username": "x1", "display_name": "x", "password": "pass-word-1"}),
        ("post", "/api/departments", {"name": "x"}),
        ("post", "/api/roles", {"key": "x", "name": {"en": "x"}}),
        ("post", "/api/apps", {"key": "x", "name": {"en": "x"}}),
    ]
    for method, path, body in writes:
        problem = _problem(getattr(member, method)(path, json=body), 403)
        assert problem["code"] == "permission_denied"


@pytest.mark.parametrize(
    "path", ["/api/users", "/api/departments", "/api/roles", "/api/apps", "/api/me"]
)
def test_anonymous_is_401(client, path) -> None:
    _problem(client.get(path), 401)


@pytest.mark.parametrize("ident", ["0", "2147483648", "100000000000000000000", "abc"])
def test_out_of_range_ids_are_422(admin_client, ident) -> None:
    for path in ("/api/users/", "/api/departments/", "/api/roles/"):
        _problem(admin_client.get(path + ident), 422)


def test_messages_follow_accept_language(admin_client) -> None:
    zh = admin_client.post(
        "/api/departments",
        json={"name": "x", "parent_id": 999},
        headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    body = _problem(zh, 422)
    assert body["title"] == "数据校验失败"
    assert "不存在" in body["errors"][0]["message"]
    en = _problem(admin_client.post("/api/departments", json={"name": "x", "parent_id": 999}), 422)
    assert en["title"] == "Validation failed"
