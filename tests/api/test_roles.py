"""Roles API: custom roles with bilingual names, member counts, the protected built-in role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.org_helpers import error_on, fields, new_role, new_user, ok, problem, unchanged


def roles_by_key(client: Any) -> dict[str, dict[str, Any]]:
    return {role["key"]: role for role in ok(client.get("/api/roles"))["items"]}


def test_create_role(admin_client) -> None:
    created = ok(
        admin_client.post(
            "/api/roles",
            json={
                "key": "sales",
                "name": {"zh": "销售", "en": "Sales"},
                "description": "前线销售人员",
            },
        ),
        201,
    )
    assert created["key"] == "sales"
    assert created["name"] == {"zh": "销售", "en": "Sales"}
    assert created["description"] == "前线销售人员"
    assert created["is_system"] is False
    assert created["member_count"] == 0
    assert ok(admin_client.get(f"/api/roles/{created['id']}")) == created


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ({"zh": "销售"}, {"zh": "销售", "en": ""}),
        ({"en": "Sales"}, {"zh": "", "en": "Sales"}),
        ({"zh": " 销售 ", "en": ""}, {"zh": "销售", "en": ""}),
    ],
)
def test_one_language_is_enough(admin_client, name, stored) -> None:
    created = ok(admin_client.post("/api/roles", json={"key": "sales", "name": name}), 201)
    assert created["name"] == stored


@pytest.mark.parametrize(
    ("name", "field", "code"),
    [
        ({}, "name", "label_required"),
        ({"zh": "", "en": ""}, "name", "label_required"),
        ({"zh": "   ", "en": " "}, "name", "label_required"),
        ({"fr": "Ventes"}, "name.fr", "extra_forbidden"),
        ({"zh": "x" * 101}, "name.zh", "string_too_long"),
        ({"en": 5}, "name.en", "string_type"),
        ("销售", "name", "model_attributes_type"),
        (None, "name", "model_attributes_type"),
    ],
)
def test_a_name_needs_at_least_one_language(
    admin_client, session_factory, name, field, code
) -> None:
    with unchanged(session_factory):
        body = problem(admin_client.post("/api/roles", json={"key": "sales", "name": name}), 422)
    assert error_on(body, field)["code"] == code


def test_name_is_required(admin_client, session_factory) -> None:
    with unchanged(session_factory):
        body = problem(admin_client.post("/api/roles", json={"key": "sales"}), 422)
    assert error_on(body, "name")["code"] == "missing"


@pytest.mark.parametrize("key", ["a", "sales", "sales_2", "a1_b2", "k" * 40])
def test_good_keys(admin_client, key) -> None:
    assert (
        ok(admin_client.post("/api/roles", json={"key": key, "name": {"en": "R"}}), 201)["key"]
        == key
    )


@pytest.mark.parametrize(
    "key", ["", "Sales", "1sales", "_sales", "sa-les", "sa les", "销售", "k" * 41]
)
def test_bad_keys_are_422(admin_client, session_factory, key) -> None:
    with unchanged(session_factory):
        body = problem(admin_client.post("/api/roles", json={"key": key, "name": {"en": "R"}}), 422)
    assert fields(body) == ["key"]


@pytest.mark.parametrize("key", ["sales", "platform_admin"])
def test_duplicate_key_is_409(admin_client, session_factory, key) -> None:
    new_role(admin_client, "sales")
    with unchanged(session_factory):
        body = problem(admin_client.post("/api/roles", json={"key": key, "name": {"en": "X"}}), 409)
    assert body["errors"][0]["field"] == "key"
    assert body["errors"][0]["code"] == "duplicate"
    assert key in body["detail"]


def test_patch_renames_and_keeps_the_key(admin_client) -> None:
    role = new_role(admin_client, "sales", zh="销售")
    renamed = ok(
        admin_client.patch(
            f"/api/roles/{role['id']}", json={"name": {"zh": "销售部", "en": "Sales"}}
        )
    )
    assert renamed["name"] == {"zh": "销售部", "en": "Sales"}
    assert renamed["key"] == "sales"
    described = ok(admin_client.patch(f"/api/roles/{role['id']}", json={"description": "说明"}))
    assert described["description"] == "说明"
    assert described["name"] == {"zh": "销售部", "en": "Sales"}
    cleared = ok(admin_client.patch(f"/api/roles/{role['id']}", json={"description": None}))
    assert cleared["description"] is None
    assert ok(admin_client.get(f"/api/roles/{role['id']}")) == cleared


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"key": "other"}, "key", "extra_forbidden"),
        ({"is_system": True}, "is_system", "extra_forbidden"),
        ({"name": None}, "name", "required"),
        ({"name": {}}, "name", "label_required"),
        ({"name": {"zh": ""}}, "name", "label_required"),
        ({"description": "x" * 501}, "description", "string_too_long"),
    ],
)
def test_bad_role_patches_are_422(admin_client, session_factory, body, field, code) -> None:
    role = new_role(admin_client, "sales")
    with unchanged(session_factory):
        refused = problem(admin_client.patch(f"/api/roles/{role['id']}", json=body), 422)
    assert error_on(refused, field)["code"] == code


def test_unknown_role_is_404(admin_client, session_factory) -> None:
    with unchanged(session_factory):
        problem(admin_client.get("/api/roles/999"), 404)
        problem(admin_client.patch("/api/roles/999", json={"name": {"en": "X"}}), 404)
        problem(admin_client.delete("/api/roles/999"), 404)


def test_member_count(admin_client) -> None:
    sales = new_role(admin_client, "sales")
    new_role(admin_client, "finance")
    new_user(admin_client, "li.lei", roles=["sales", "finance"])
    new_user(admin_client, "han", roles=["sales"])
    roles = roles_by_key(admin_client)
    assert roles["sales"]["member_count"] == 2
    assert roles["finance"]["member_count"] == 1
    assert roles["platform_admin"]["member_count"] == 1
    assert ok(admin_client.get(f"/api/roles/{sales['id']}"))["member_count"] == 2


def test_list_shows_the_built_in_role_first(admin_client) -> None:
    new_role(admin_client, "sales")
    listed = ok(admin_client.get("/api/roles"))
    assert [r["key"] for r in listed["items"]] == ["platform_admin", "sales"]
    assert listed["total"] == 2
    assert listed["items"][0]["is_system"] is True


def test_the_built_in_admin_role_cannot_be_deleted(admin_client, session_factory) -> None:
    admin_role = roles_by_key(admin_client)["platform_admin"]
    with unchanged(session_factory):
        body = problem(admin_client.delete(f"/api/roles/{admin_role['id']}"), 409)
    assert body["errors"][0]["code"] == "system_role"
    assert roles_by_key(admin_client)["platform_admin"]["member_count"] == 1
    assert ok(admin_client.get("/api/me"))["is_platform_admin"] is True


def test_deleting_a_custom_role_removes_it_from_users(admin_client) -> None:
    sales = new_role(admin_client, "sales")
    new_role(admin_client, "finance")
    user = new_user(admin_client, "li.lei", roles=["sales", "finance"])
    response = admin_client.delete(f"/api/roles/{sales['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert ok(admin_client.get(f"/api/users/{user['id']}"))["roles"] == ["finance"]
    assert ok(admin_client.get("/api/users", params={"role": "sales"}))["total"] == 0
    assert "sales" not in roles_by_key(admin_client)
    problem(admin_client.get(f"/api/roles/{sales['id']}"), 404)
    # the key is free again
    assert new_role(admin_client, "sales")["member_count"] == 0
