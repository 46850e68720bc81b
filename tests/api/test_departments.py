"""Departments API: the tree, member counts, moves without cycles, and safe deletion."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.org_helpers import (
    error_on,
    fields,
    new_department,
    new_user,
    ok,
    problem,
    unchanged,
)

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def tree(admin_client) -> dict[str, int]:
    """总部 > 销售部 > 华东区, and 总部 > 研发部."""
    hq = new_department(admin_client, "总部")
    sales = new_department(admin_client, "销售部", hq, sort_order=2)
    east = new_department(admin_client, "华东区", sales)
    rd = new_department(admin_client, "研发部", hq, sort_order=1)
    return {"hq": hq, "sales": sales, "east": east, "rd": rd}


def department(client: Any, department_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/departments/{department_id}"))


def test_create_returns_the_department(admin_client, admin) -> None:
    parent = new_department(admin_client, "总部")
    created = ok(
        admin_client.post(
            "/api/departments",
            json={
                "name": "  销售部 ",
                "parent_id": parent,
                "head_id": admin["id"],
                "sort_order": -5,
            },
        ),
        201,
    )
    assert created["name"] == "销售部"
    assert created["parent_id"] == parent
    assert created["head_id"] == admin["id"]
    assert created["sort_order"] == -5
    assert created["member_count"] == 0
    assert department(admin_client, created["id"]) == created


def test_list_shows_the_whole_tree_in_sort_order(admin_client, tree) -> None:
    listed = ok(admin_client.get("/api/departments"))
    assert listed["total"] == 4
    by_name = {d["name"]: d for d in listed["items"]}
    assert by_name["总部"]["parent_id"] is None
    assert by_name["销售部"]["parent_id"] == tree["hq"]
    assert by_name["华东区"]["parent_id"] == tree["sales"]
    assert by_name["研发部"]["parent_id"] == tree["hq"]
    assert [d["name"] for d in listed["items"]] == ["总部", "华东区", "研发部", "销售部"]


def test_empty_list(admin_client) -> None:
    listed = ok(admin_client.get("/api/departments"))
    assert (listed["items"], listed["total"]) == ([], 0)


def test_member_count_counts_main_department_users(admin_client, tree) -> None:
    new_user(admin_client, "li.lei", main_department_id=tree["sales"])
    new_user(admin_client, "han", main_department_id=tree["sales"])
    new_user(admin_client, "wang", main_department_id=tree["rd"])
    assert department(admin_client, tree["sales"])["member_count"] == 2
    assert department(admin_client, tree["rd"])["member_count"] == 1
    assert department(admin_client, tree["hq"])["member_count"] == 0
    listed = {
        d["id"]: d["member_count"] for d in admin_client.get("/api/departments").json()["items"]
    }
    assert listed == {tree["hq"]: 0, tree["sales"]: 2, tree["east"]: 0, tree["rd"]: 1}


def test_get_unknown_department_is_404(admin_client) -> None:
    body = problem(admin_client.get("/api/departments/999"), 404)
    assert "999" in body["detail"]


def test_patch_moves_renames_and_reheads(admin_client, admin, tree) -> None:
    before = department(admin_client, tree["east"])
    moved = ok(
        admin_client.patch(f"/api/departments/{tree['east']}", json={"parent_id": tree["rd"]})
    )
    assert moved["parent_id"] == tree["rd"]
    assert (moved["name"], moved["sort_order"], moved["head_id"]) == (
        before["name"],
        before["sort_order"],
        before["head_id"],
    )

    changed = ok(
        admin_client.patch(
            f"/api/departments/{tree['east']}",
            json={"name": "华东大区", "head_id": admin["id"], "sort_order": 7},
        )
    )
    assert (changed["name"], changed["head_id"], changed["sort_order"]) == (
        "华东大区",
        admin["id"],
        7,
    )
    assert changed["parent_id"] == tree["rd"]

    top = ok(
        admin_client.patch(
            f"/api/departments/{tree['east']}", json={"parent_id": None, "head_id": None}
        )
    )
    assert (top["parent_id"], top["head_id"]) == (None, None)
    assert department(admin_client, tree["east"]) == top


def test_a_subtree_moves_with_its_children(admin_client, tree) -> None:
    ok(admin_client.patch(f"/api/departments/{tree['sales']}", json={"parent_id": tree["rd"]}))
    assert department(admin_client, tree["east"])["parent_id"] == tree["sales"]
    assert department(admin_client, tree["sales"])["parent_id"] == tree["rd"]


@pytest.mark.parametrize(
    ("moved", "new_parent"),
    [
        ("hq", "hq"),  # itself
        ("sales", "sales"),
        ("sales", "east"),  # its child
        ("hq", "sales"),  # its child
        ("hq", "east"),  # its grandchild
    ],
)
def test_a_department_cannot_be_its_own_ancestor(
    admin_client, session_factory, tree, moved, new_parent
) -> None:
    with unchanged(session_factory):
        body = problem(
            admin_client.patch(
                f"/api/departments/{tree[moved]}", json={"parent_id": tree[new_parent]}
            ),
            422,
        )
    assert body["errors"][0]["field"] == "parent_id"
    assert body["errors"][0]["code"] == "cycle"


def test_a_refused_move_changes_nothing_else(admin_client, session_factory, tree) -> None:
    with unchanged(session_factory):
        problem(
            admin_client.patch(
                f"/api/departments/{tree['hq']}", json={"name": "新名字", "parent_id": tree["east"]}
            ),
            422,
        )
    assert department(admin_client, tree["hq"])["name"] == "总部"


@pytest.mark.parametrize("field", ["parent_id", "head_id"])
def test_unknown_parent_or_head_is_422(admin_client, session_factory, tree, field) -> None:
    with unchanged(session_factory):
        body = problem(admin_client.post("/api/departments", json={"name": "x", field: 999}), 422)
        assert fields(body) == [field]
        assert error_on(body, field)["code"] == "not_found"
        body = problem(admin_client.patch(f"/api/departments/{tree['rd']}", json={field: 999}), 422)
        assert fields(body) == [field]


def test_unknown_parent_and_head_are_reported_together(admin_client, session_factory) -> None:
    with unchanged(session_factory):
        body = problem(
            admin_client.post("/api/departments", json={"name": "x", "parent_id": 9, "head_id": 9}),
            422,
        )
    assert sorted(fields(body)) == ["head_id", "parent_id"]


@pytest.mark.parametrize("field", ["name", "sort_order"])
def test_patch_null_for_a_required_field_is_422(admin_client, session_factory, tree, field) -> None:
    with unchanged(session_factory):
        body = problem(
            admin_client.patch(f"/api/departments/{tree['rd']}", json={field: None}), 422
        )
    assert fields(body) == [field]


def test_patch_or_delete_unknown_department_is_404(admin_client, session_factory) -> None:
    with unchanged(session_factory):
        problem(admin_client.patch("/api/departments/999", json={"name": "x"}), 404)
        problem(admin_client.delete("/api/departments/999"), 404)


def test_department_with_members_is_not_deleted(admin_client, session_factory, tree) -> None:
    user = new_user(admin_client, "li.lei", main_department_id=tree["east"])
    with unchanged(session_factory):
        body = problem(admin_client.delete(f"/api/departments/{tree['east']}"), 409)
        assert (body["members"], body["children"]) == (1, 0)
        assert "华东区" in body["detail"]
        assert "1 member" in body["detail"]
        zh = problem(admin_client.delete(f"/api/departments/{tree['east']}", headers=ZH), 409)
        assert "华东区" in zh["detail"]
        assert "1 名成员" in zh["detail"]
    # once the member moves away the department can go
    ok(admin_client.patch(f"/api/users/{user['id']}", json={"main_department_id": tree["rd"]}))
    assert admin_client.delete(f"/api/departments/{tree['east']}").status_code == 204


def test_deactivated_members_still_count(admin_client, session_factory, tree) -> None:
    user = new_user(admin_client, "li.lei", main_department_id=tree["east"])
    admin_client.delete(f"/api/users/{user['id']}")
    with unchanged(session_factory):
        problem(admin_client.delete(f"/api/departments/{tree['east']}"), 409)


def test_department_with_children_is_not_deleted(admin_client, session_factory, tree) -> None:
    with unchanged(session_factory):
        body = problem(admin_client.delete(f"/api/departments/{tree['hq']}"), 409)
    assert (body["members"], body["children"]) == (0, 2)
    assert "2 sub-department" in body["detail"]
    assert "move them first" in body["detail"]
    assert ok(admin_client.get("/api/departments"))["total"] == 4


def test_empty_department_is_deleted(admin_client, tree) -> None:
    response = admin_client.delete(f"/api/departments/{tree['east']}")
    assert response.status_code == 204
    assert response.content == b""
    problem(admin_client.get(f"/api/departments/{tree['east']}"), 404)
    problem(admin_client.delete(f"/api/departments/{tree['east']}"), 404)
    listed = ok(admin_client.get("/api/departments"))
    assert tree["east"] not in [d["id"] for d in listed["items"]]
    # its parent is now empty too
    assert admin_client.delete(f"/api/departments/{tree['sales']}").status_code == 204


def test_a_deactivated_head_stays_on_record_as_head(admin_client, tree) -> None:
    head = new_user(admin_client, "boss")
    ok(admin_client.patch(f"/api/departments/{tree['rd']}", json={"head_id": head["id"]}))
    admin_client.delete(f"/api/users/{head['id']}")
    assert department(admin_client, tree["rd"])["head_id"] == head["id"]
