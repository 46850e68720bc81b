"""Users API: create, list and filter, read, partial update, deactivation and passwords."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from jimu.platform.org.models import User
from tests.api.org_helpers import (
    GOOD_PASSWORD,
    error_on,
    fields,
    new_department,
    new_role,
    new_user,
    ok,
    problem,
    unchanged,
)
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, JimuClient

NEW_PASSWORD = "brand-new-pass-9"


def can_log_in(client: JimuClient, username: str, password: str) -> bool:
    """Whether a sign-in with these credentials succeeds (the client is left signed out)."""
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    client.cookies.clear()
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def token_works(app: Any, token: str) -> bool:
    """Whether a Bearer token is still accepted."""
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        response = bearer.get("/api/me")
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def usernames(page: dict[str, Any]) -> list[str]:
    return [user["username"] for user in page["items"]]


# --- create --------------------------------------------------------------------------------


def test_create_user_returns_it_without_password(admin_client, session_factory) -> None:
    sales = new_department(admin_client, "销售部")
    new_role(admin_client, "sales", zh="销售")
    boss = new_user(admin_client, "boss")
    response = admin_client.post(
        "/api/users",
        json={
            "username": "li.lei",
            "display_name": "  李雷  ",
            "password": "secret-pass-1",
            "email": "li.lei@example.com",
            "phone": "+86 138-0000-0000",
            "main_department_id": sales,
            "supervisor_id": boss["id"],
            "roles": ["sales"],
            "locale": "zh-CN",
        },
    )
    user = ok(response, 201)
    assert user["id"] > 0
    assert user["username"] == "li.lei"
    assert user["display_name"] == "李雷"
    assert user["email"] == "li.lei@example.com"
    assert user["phone"] == "+86 138-0000-0000"
    assert user["is_active"] is True
    assert user["main_department_id"] == sales
    assert user["supervisor_id"] == boss["id"]
    assert user["roles"] == ["sales"]
    assert user["locale"] == "zh-CN"
    assert user["last_login_at"] is None

    with session_factory() as session:
        password_hash = session.scalar(select(User.password_hash).where(User.id == user["id"]))
    assert password_hash
    for shown in (
        response,
        admin_client.get(f"/api/users/{user['id']}"),
        admin_client.get("/api/users"),
    ):
        assert "password" not in shown.text
        assert "secret-pass-1" not in shown.text
        assert password_hash not in shown.text
    assert admin_client.get(f"/api/users/{user['id']}").json() == user


def test_create_user_with_only_required_fields_uses_defaults(admin_client, client) -> None:
    user = new_user(admin_client, "han")
    assert user["is_active"] is True
    assert user["roles"] == []
    for name in ("email", "phone", "main_department_id", "supervisor_id", "locale"):
        assert user[name] is None
    assert can_log_in(client, "han", GOOD_PASSWORD)


def test_a_user_created_inactive_cannot_log_in(admin_client, client) -> None:
    assert new_user(admin_client, "han", is_active=False)["is_active"] is False
    assert not can_log_in(client, "han", GOOD_PASSWORD)


def test_duplicate_username_is_409_naming_username(admin_client, session_factory) -> None:
    new_user(admin_client, "li.lei")
    admin_client.delete(f"/api/users/{new_user(admin_client, 'gone')['id']}")
    for taken in ("li.lei", "admin", "gone", "  li.lei  "):
        with unchanged(session_factory):
            body = problem(
                admin_client.post(
                    "/api/users",
                    json={"username": taken, "display_name": "X", "password": GOOD_PASSWORD},
                ),
                409,
            )
        assert body["errors"][0]["field"] == "username"
        assert body["errors"][0]["code"] == "duplicate"
        assert taken.strip() in body["detail"]


def test_unknown_role_key_is_refused_naming_roles(admin_client, session_factory) -> None:
    new_role(admin_client, "sales")
    target = new_user(admin_client, "han", roles=["sales"])
    with unchanged(session_factory):
        body = problem(
            admin_client.post(
                "/api/users",
                json={
                    "username": "li.lei",
                    "display_name": "Li",
                    "password": GOOD_PASSWORD,
                    "roles": ["sales", "ghost"],
                },
            ),
            422,
        )
        assert error_on(body, "roles")["code"] == "unknown_role"
        assert "ghost" in error_on(body, "roles")["message"]
        body = problem(
            admin_client.patch(f"/api/users/{target['id']}", json={"roles": ["ghost"]}), 422
        )
        assert fields(body) == ["roles"]
    assert admin_client.get(f"/api/users/{target['id']}").json()["roles"] == ["sales"]


@pytest.mark.parametrize("field", ["main_department_id", "supervisor_id"])
def test_missing_department_or_supervisor_is_refused(admin_client, session_factory, field) -> None:
    target = new_user(admin_client, "han")
    with unchanged(session_factory):
        body = problem(
            admin_client.post(
                "/api/users",
                json={
                    "username": "li.lei",
                    "display_name": "Li",
                    "password": GOOD_PASSWORD,
                    field: 999,
                },
            ),
            422,
        )
        assert error_on(body, field)["code"] == "not_found"
        assert "999" in error_on(body, field)["message"]
        body = problem(admin_client.patch(f"/api/users/{target['id']}", json={field: 999}), 422)
        assert fields(body) == [field]


def test_every_missing_reference_is_reported_at_once(admin_client, session_factory) -> None:
    target = new_user(admin_client, "han")
    with unchanged(session_factory):
        body = problem(
            admin_client.patch(
                f"/api/users/{target['id']}",
                json={"main_department_id": 998, "supervisor_id": 999, "display_name": "New"},
            ),
            422,
        )
    assert sorted(fields(body)) == ["main_department_id", "supervisor_id"]


# --- list ----------------------------------------------------------------------------------


@pytest.fixture
def people(admin_client) -> dict[str, int]:
    """admin, li.lei and wang.wu (sales, role sales; wang.wu inactive) and han_mm (R&D)."""
    sales = new_department(admin_client, "销售部")
    rd = new_department(admin_client, "研发部")
    new_role(admin_client, "sales")
    new_role(admin_client, "nobody")
    new_user(
        admin_client,
        "li.lei",
        display_name="李雷",
        email="li.lei@example.com",
        main_department_id=sales,
        roles=["sales"],
    )
    new_user(
        admin_client,
        "han_mm",
        display_name="韩梅梅",
        email="meimei@corp.cn",
        main_department_id=rd,
    )
    new_user(
        admin_client,
        "wang.wu",
        display_name="王五",
        main_department_id=sales,
        roles=["sales"],
        is_active=False,
    )
    return {"sales": sales, "rd": rd}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["admin", "li.lei", "han_mm", "wang.wu"]),
        ({"q": "LI"}, ["li.lei"]),
        ({"q": "梅"}, ["han_mm"]),
        ({"q": "corp.CN"}, ["han_mm"]),
        ({"q": "ADMIN"}, ["admin"]),
        ({"q": "_"}, ["han_mm"]),
        ({"q": "%"}, []),
        ({"q": "nobody-has-this"}, []),
        ({"department_id": "sales"}, ["li.lei", "wang.wu"]),
        ({"department_id": "rd"}, ["han_mm"]),
        ({"department_id": 999}, []),
        ({"role": "sales"}, ["li.lei", "wang.wu"]),
        ({"role": "platform_admin"}, ["admin"]),
        ({"role": "nobody"}, []),
        ({"role": "ghost"}, []),
        ({"active": "true"}, ["admin", "li.lei", "han_mm"]),
        ({"active": "false"}, ["wang.wu"]),
        ({"department_id": "sales", "active": "true"}, ["li.lei"]),
        ({"q": "w", "role": "sales"}, ["wang.wu"]),
    ],
)
def test_list_filters(admin_client, people, params, expected) -> None:
    if isinstance(params.get("department_id"), str):
        params = {**params, "department_id": people[params["department_id"]]}
    page = ok(admin_client.get("/api/users", params=params))
    assert usernames(page) == expected
    assert page["total"] == len(expected)
    assert (page["page"], page["page_size"]) == (1, 50)


@pytest.mark.parametrize(
    ("page", "page_size", "expected"),
    [
        (1, 3, ["admin", "li.lei", "han_mm"]),
        (2, 3, ["wang.wu"]),
        (3, 3, []),
        (2, 1, ["li.lei"]),
        (1, 200, ["admin", "li.lei", "han_mm", "wang.wu"]),
    ],
)
def test_list_pages(admin_client, people, page, page_size, expected) -> None:
    body = ok(admin_client.get("/api/users", params={"page": page, "page_size": page_size}))
    assert usernames(body) == expected
    assert (body["total"], body["page"], body["page_size"]) == (4, page, page_size)


def test_paging_and_filters_combine(admin_client, people) -> None:
    body = ok(admin_client.get("/api/users", params={"role": "sales", "page_size": 1, "page": 2}))
    assert usernames(body) == ["wang.wu"]
    assert body["total"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "two"}, "page"),
        ({"page": 10**20}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
        ({"department_id": 0}, "department_id"),
        ({"department_id": 2**31}, "department_id"),
        ({"department_id": 10**20}, "department_id"),
        ({"department_id": "sales"}, "department_id"),
        ({"role": "Not A Key"}, "role"),
        ({"role": "a\x00"}, "role"),
        ({"active": "maybe"}, "active"),
        ({"q": "li\x00"}, "q"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_list_parameters_are_422(admin_client, params, field) -> None:
    body = problem(admin_client.get("/api/users", params=params), 422)
    assert fields(body) == [field]


# --- read and update -----------------------------------------------------------------------


def test_get_unknown_user_is_404(admin_client) -> None:
    body = problem(admin_client.get("/api/users/999"), 404)
    assert "999" in body["detail"]


def test_patch_changes_only_the_given_fields(admin_client) -> None:
    sales = new_department(admin_client, "销售部")
    new_role(admin_client, "sales")
    new_role(admin_client, "finance")
    boss = new_user(admin_client, "boss")
    user = new_user(
        admin_client,
        "li.lei",
        display_name="李雷",
        email="li@example.com",
        phone="123456",
        roles=["sales"],
        locale="en",
    )

    patched = ok(admin_client.patch(f"/api/users/{user['id']}", json={"phone": "138 0000"}))
    expected = {**user, "phone": "138 0000", "updated_at": patched["updated_at"]}
    assert patched == expected

    patched = ok(
        admin_client.patch(
            f"/api/users/{user['id']}",
            json={
                "display_name": "李 雷",
                "email": None,
                "locale": "zh-CN",
                "main_department_id": sales,
                "supervisor_id": boss["id"],
                "roles": ["finance", "sales"],
            },
        )
    )
    assert patched["display_name"] == "李 雷"
    assert patched["email"] is None
    assert patched["locale"] == "zh-CN"
    assert patched["main_department_id"] == sales
    assert patched["supervisor_id"] == boss["id"]
    assert sorted(patched["roles"]) == ["finance", "sales"]
    assert patched["username"] == "li.lei"
    assert patched["phone"] == "138 0000"
    stored = admin_client.get(f"/api/users/{user['id']}").json()
    assert sorted(stored.pop("roles")) == sorted(patched.pop("roles"))
    assert stored == patched

    cleared = ok(
        admin_client.patch(
            f"/api/users/{user['id']}",
            json={"main_department_id": None, "supervisor_id": None, "roles": []},
        )
    )
    assert (cleared["main_department_id"], cleared["supervisor_id"], cleared["roles"]) == (
        None,
        None,
        [],
    )


def test_empty_patch_changes_nothing(admin_client) -> None:
    user = new_user(admin_client, "li.lei", email="li@example.com")
    patched = ok(admin_client.patch(f"/api/users/{user['id']}", json={}))
    assert {k: v for k, v in patched.items() if k != "updated_at"} == {
        k: v for k, v in user.items() if k != "updated_at"
    }


@pytest.mark.parametrize("field", ["display_name", "is_active", "password"])
def test_patch_null_for_a_required_field_is_422(
    admin_client, client, session_factory, field
) -> None:
    user = new_user(admin_client, "li.lei")
    with unchanged(session_factory):
        body = problem(admin_client.patch(f"/api/users/{user['id']}", json={field: None}), 422)
    assert fields(body) == [field]
    assert body["errors"][0]["code"] == "required"
    assert can_log_in(client, "li.lei", GOOD_PASSWORD)


def test_username_cannot_be_changed(admin_client, session_factory) -> None:
    user = new_user(admin_client, "li.lei")
    with unchanged(session_factory):
        body = problem(
            admin_client.patch(f"/api/users/{user['id']}", json={"username": "han"}), 422
        )
    assert error_on(body, "username")["code"] == "extra_forbidden"


def test_patch_or_delete_unknown_user_is_404(admin_client, session_factory) -> None:
    with unchanged(session_factory):
        problem(admin_client.patch("/api/users/999", json={"display_name": "X"}), 404)
        problem(admin_client.delete("/api/users/999"), 404)


# --- supervisors -----------------------------------------------------------------------------


def supervise(client: Any, user_id: int, supervisor_id: int | None) -> dict[str, Any]:
    return ok(client.patch(f"/api/users/{user_id}", json={"supervisor_id": supervisor_id}))


def test_supervisor_chain_cannot_loop(admin_client, session_factory) -> None:
    a, b, c = (new_user(admin_client, name)["id"] for name in ("aa", "bb", "cc"))
    assert supervise(admin_client, a, b)["supervisor_id"] == b
    with unchanged(session_factory):
        # A -> B -> A
        body = problem(admin_client.patch(f"/api/users/{b}", json={"supervisor_id": a}), 422)
        assert body["errors"] == [
            {"field": "supervisor_id", "code": "cycle", "message": body["errors"][0]["message"]}
        ]
        # a user cannot supervise themself
        body = problem(admin_client.patch(f"/api/users/{c}", json={"supervisor_id": c}), 422)
        assert error_on(body, "supervisor_id")["code"] == "cycle"
    # A -> B -> C -> A
    supervise(admin_client, b, c)
    with unchanged(session_factory):
        body = problem(admin_client.patch(f"/api/users/{c}", json={"supervisor_id": a}), 422)
        assert error_on(body, "supervisor_id")["code"] == "cycle"
    # a chain without a loop is fine
    supervise(admin_client, c, None)
    assert supervise(admin_client, a, c)["supervisor_id"] == c


# --- deactivation --------------------------------------------------------------------------


def test_delete_deactivates_and_locks_the_user_out(
    admin_client, client, app, make_user, token_for, login
) -> None:
    user = make_user("li.lei")
    token = token_for(user["id"])
    session = login("li.lei", USER_PASSWORD)
    assert session.get("/api/me").status_code == 200

    deactivated = ok(admin_client.delete(f"/api/users/{user['id']}"))
    assert deactivated["is_active"] is False

    assert not can_log_in(client, "li.lei", USER_PASSWORD)
    assert not token_works(app, token)
    problem(session.get("/api/me"), 401)
    # the user stays on record, shown as inactive
    assert admin_client.get(f"/api/users/{user['id']}").json()["is_active"] is False
    inactive = admin_client.get("/api/users", params={"active": "false"}).json()
    assert usernames(inactive) == ["li.lei"]
    # deactivating again is harmless
    assert ok(admin_client.delete(f"/api/users/{user['id']}"))["is_active"] is False


def test_patch_is_active_false_also_ends_access_and_true_restores_login(
    admin_client, client, app, make_user, token_for
) -> None:
    user = make_user("li.lei")
    token = token_for(user["id"])
    assert (
        ok(admin_client.patch(f"/api/users/{user['id']}", json={"is_active": False}))["is_active"]
        is False
    )
    assert not token_works(app, token)
    assert not can_log_in(client, "li.lei", USER_PASSWORD)

    assert ok(admin_client.patch(f"/api/users/{user['id']}", json={"is_active": True}))["is_active"]
    assert can_log_in(client, "li.lei", USER_PASSWORD)
    assert not token_works(app, token)  # revoked tokens stay revoked


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("delete", None, "is_active"),
        ("patch", {"is_active": False}, "is_active"),
        ("patch", {"roles": []}, "roles"),
        ("patch", {"roles": None}, "roles"),
        ("patch", {"roles": ["sales"]}, "roles"),
        ("patch", {"display_name": "Still me", "roles": ["sales"]}, "roles"),
    ],
)
def test_admin_cannot_lock_themself_out(
    admin_client, admin, session_factory, method, body, field
) -> None:
    new_role(admin_client, "sales")
    kwargs = {} if body is None else {"json": body}
    with unchanged(session_factory):
        problem_body = problem(
            getattr(admin_client, method)(f"/api/users/{admin['id']}", **kwargs), 422
        )
    assert fields(problem_body) == [field]
    assert problem_body["errors"][0]["code"] == "self_lockout"
    me = ok(admin_client.get("/api/me"))
    assert me["is_platform_admin"] is True
    assert me["is_active"] is True
    assert me["display_name"] == "管理员 Admin"


def test_admin_may_add_roles_to_themself_and_deactivate_other_admins(
    admin_client, admin, make_user
) -> None:
    new_role(admin_client, "sales")
    mine = ok(
        admin_client.patch(f"/api/users/{admin['id']}", json={"roles": ["platform_admin", "sales"]})
    )
    assert sorted(mine["roles"]) == ["platform_admin", "sales"]
    other = make_user("root2", admin=True)
    assert ok(admin_client.delete(f"/api/users/{other['id']}"))["is_active"] is False


# --- passwords -----------------------------------------------------------------------------


def test_user_changes_own_password(make_user, login, client) -> None:
    make_user("li.lei")
    me = login("li.lei", USER_PASSWORD)
    response = me.post(
        "/api/me/password",
        json={"current_password": USER_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 204, response.text
    assert me.get("/api/me").status_code == 200  # the session in use keeps working
    assert not can_log_in(client, "li.lei", USER_PASSWORD)
    assert can_log_in(client, "li.lei", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"current_password": "wrong-pass-1", "new_password": NEW_PASSWORD}, "current_password",
         "wrong_password"),
        ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password",
         "wrong_password"),
        ({"current_password": USER_PASSWORD, "new_password": "short"}, "new_password",
         "string_too_short"),
        ({"current_password": USER_PASSWORD, "new_password": "x" * 257}, "new_password",
         "string_too_long"),
        ({"current_password": USER_PASSWORD, "new_password": 12345678}, "new_password",
         "string_type"),
        ({"new_password": NEW_PASSWORD}, "current_password", "missing"),
        ({"current_password": USER_PASSWORD}, "new_password", "missing"),
        ({"current_password": USER_PASSWORD, "new_password": NEW_PASSWORD, "user_id": 1},
         "user_id", "extra_forbidden"),
    ],
)  # fmt: skip
def test_own_password_change_refusals(
    make_user, login, client, session_factory, body, field, code
) -> None:
    make_user("li.lei")
    me = login("li.lei", USER_PASSWORD)
    with unchanged(session_factory):
        refused = problem(me.post("/api/me/password", json=body), 422)
    assert error_on(refused, field)["code"] == code
    assert can_log_in(client, "li.lei", USER_PASSWORD)


def test_anonymous_cannot_change_a_password(client, session_factory) -> None:
    with unchanged(session_factory):
        problem(
            client.post(
                "/api/me/password",
                json={"current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD},
            ),
            401,
        )


def test_admin_setting_a_password_ends_that_users_sessions(
    admin_client, app, client, make_user, token_for, login
) -> None:
    user = make_user("li.lei")
    token = token_for(user["id"])
    session = login("li.lei", USER_PASSWORD)

    changed = admin_client.patch(f"/api/users/{user['id']}", json={"password": NEW_PASSWORD})
    assert "password" not in ok(changed)

    problem(session.get("/api/me"), 401)
    assert not token_works(app, token)
    assert not can_log_in(client, "li.lei", USER_PASSWORD)
    assert can_log_in(client, "li.lei", NEW_PASSWORD)


def test_admin_setting_own_password_keeps_own_access(admin_client, admin, client) -> None:
    ok(admin_client.patch(f"/api/users/{admin['id']}", json={"password": NEW_PASSWORD}))
    assert admin_client.get("/api/me").status_code == 200
    assert can_log_in(client, "admin", NEW_PASSWORD)
    assert not can_log_in(client, "admin", ADMIN_PASSWORD)
