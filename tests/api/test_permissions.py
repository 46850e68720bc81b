"""App roles, data scopes, field and action permissions, sharing, on every read and write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.api.org_helpers import problem
from tests.api.perm_helpers import (
    APP,
    DEALS,
    LEADS,
    USERS,
    World,
    build_world,
    expected_scope,
)
from tests.conftest import JimuClient

SCOPES = ["all", "own", "department", "department_tree", "subordinates", "custom", "none"]
SUBJECTS = ["boss", "east_mgr", "rep_b"]
ALL_ACTIONS = ["view", "create", "edit", "delete", "import", "export", "print", "comment"]


def scope(kind: str) -> dict[str, Any]:
    return {"type": kind, "filter": 'region = "east"'} if kind == "custom" else {"type": kind}


@pytest.fixture
def world(
    app: FastAPI,
    admin_client: JimuClient,
    make_user: Callable[..., dict[str, Any]],
    token_for: Callable[[int], str],
    session_factory: sessionmaker[Session],
) -> Iterator[World]:
    built = build_world(app, admin_client, make_user, token_for, session_factory)
    yield built
    for client in built.clients.values():
        client.__exit__(None, None, None)


def _patch(world: World, user: str, owner: str, **values: Any) -> Any:
    url = f"{LEADS}/{world.leads[owner]}"
    current = world.admin.get(url).json()
    return world.clients[user].patch(url, json={"version": current["_version"], "values": values})


@pytest.mark.parametrize("kind", SCOPES)
def test_view_scope_decides_list_get_and_counts(world: World, kind: str) -> None:
    world.role(
        "viewer",
        {"actions": ["view"], "view_scope": scope(kind), "edit_scope": {"type": "none"}},
        users=SUBJECTS,
    )
    for user in SUBJECTS:
        expected = expected_scope(kind, user)
        assert world.visible(user) == expected, (kind, user)
        listed = world.clients[user].get(LEADS).json()
        assert listed["total"] == len(expected)
        for owner in USERS:
            status = world.clients[user].get(f"{LEADS}/{world.leads[owner]}").status_code
            assert status == (200 if owner in expected else 404), (kind, user, owner)


@pytest.mark.parametrize("kind", SCOPES)
def test_edit_scope_decides_update_and_delete(world: World, kind: str) -> None:
    world.role(
        "editor",
        {
            "actions": ["view", "edit", "delete"],
            "view_scope": scope("all"),
            "edit_scope": scope(kind),
        },
        users=SUBJECTS,
    )
    for user in SUBJECTS:
        expected = expected_scope(kind, user)
        for owner in USERS:
            response = _patch(world, user, owner, amount=7)
            assert response.status_code == (200 if owner in expected else 403), (kind, user, owner)
    # deleting: the subject deepest in the chart, one record in scope and one outside
    user = "rep_b"
    inside = expected_scope(kind, user)
    for owner in USERS:
        status = world.clients[user].delete(f"{LEADS}/{world.leads[owner]}").status_code
        assert status == (204 if owner in inside else 403), (kind, owner)


def test_out_of_view_scope_writes_are_not_found(world: World) -> None:
    world.role(
        "own",
        {
            "actions": ["view", "edit", "delete"],
            "view_scope": scope("own"),
            "edit_scope": scope("all"),
        },
        users=["rep_a"],
    )
    assert _patch(world, "rep_a", "boss", amount=1).status_code == 404
    assert world.clients["rep_a"].delete(f"{LEADS}/{world.leads['boss']}").status_code == 404
    assert world.admin.get(f"{LEADS}/{world.leads['boss']}").json()["amount"] == "4.00"


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_each_action_is_granted_alone(world: World, action: str) -> None:
    world.role(
        "one",
        {"actions": [action], "view_scope": scope("all"), "edit_scope": scope("all")},
        users=["rep_a"],
    )
    client = world.clients["rep_a"]
    mine = client.get("/api/apps/crm/forms/lead/permissions/me").json()
    assert mine["actions"] == [action]
    listing = client.get(LEADS)
    assert listing.status_code == (200 if action == "view" else 403)
    created = client.post(LEADS, json={"values": {"name": "new"}})
    assert created.status_code == (201 if action == "create" else 403)
    if action != "view":
        problem(listing, 403)


def test_roles_combine_with_or(world: World) -> None:
    world.role("own", {"actions": ["view"], "view_scope": scope("own")}, users=["rep_a"])
    world.role("east", {"actions": ["view"], "view_scope": scope("custom")}, users=["rep_a"])
    assert world.visible("rep_a") == expected_scope("own", "rep_a") | expected_scope(
        "custom", "rep_a"
    )


def test_department_members_and_everyone(world: World) -> None:
    world.role("sales", {"actions": ["view"], "view_scope": scope("own")}, departments=["sales"])
    assert world.visible("rep_b") == {"rep_b"}  # East-1-a is below Sales
    assert world.clients["other"].get(LEADS).status_code == 404  # HQ is above: not a member
    world.role("all", {"actions": ["view"], "view_scope": scope("all")}, all_users=True)
    assert world.visible("other") == set(USERS)


def test_users_without_roles_do_not_see_the_app(world: World) -> None:
    client = world.clients["other"]
    assert client.get("/api/apps").json()["items"] == []
    problem(client.get(APP), 404)
    problem(client.get(LEADS), 404)
    problem(client.get(f"{LEADS}/{world.leads['other']}"), 404)
    assert [a["key"] for a in world.admin.get("/api/apps").json()["items"]] == ["crm"]


def test_submit_only_creates_and_sees_nothing(world: World) -> None:
    response = world.admin.put(f"{APP}/roles/member/forms/lead", json={"preset": "submit_only"})
    assert response.status_code == 200, response.text
    world.admin.patch(f"{APP}/roles/member", json={"members": {"users": [world.ids["rep_a"]]}})
    client = world.clients["rep_a"]
    created = client.post(LEADS, json={"values": {"name": "from a form"}})
    assert created.status_code == 201, created.text
    problem(client.get(LEADS), 403)
    problem(client.get(f"{LEADS}/{created.json()['_id']}"), 404)


def test_hidden_and_read_only_fields(world: World) -> None:
    world.role(
        "limited",
        {
            "actions": ["view", "create", "edit"],
            "view_scope": scope("all"),
            "edit_scope": scope("all"),
            "fields": {"secret": "hidden", "amount": "read"},
        },
        users=["rep_a"],
    )
    client = world.clients["rep_a"]
    record = client.get(f"{LEADS}/{world.leads['boss']}").json()
    assert "secret" not in record
    assert record["amount"] == "4.00"
    assert all("secret" not in item for item in client.get(LEADS).json()["items"])
    for key in ("amount", "secret"):
        refused = _patch(world, "rep_a", "boss", **{key: 1 if key == "amount" else "x"})
        body = problem(refused, 422)
        assert [(e["field"], e["code"]) for e in body["errors"]] == [(key, "not_editable")]
    assert world.admin.get(f"{LEADS}/{world.leads['boss']}").json()["secret"] == "secret-boss"
    updated = _patch(world, "rep_a", "boss", name="renamed")
    assert updated.status_code == 200
    assert "secret" not in updated.json()
    stale = client.patch(
        f"{LEADS}/{world.leads['boss']}", json={"version": 1, "values": {"name": "late"}}
    )
    current = problem(stale, 409)["current"]
    assert current["name"] == "renamed"
    assert "secret" not in current
    created = client.post(LEADS, json={"values": {"name": "n", "secret": "s"}})
    assert problem(created, 422)["errors"][0]["field"] == "secret"


def test_no_leak_through_filters_sorting_search_history_or_counts(world: World) -> None:
    world.role(
        "limited",
        {"actions": ["view"], "view_scope": scope("own"), "fields": {"secret": "hidden"}},
        users=["rep_a"],
    )
    client = world.clients["rep_a"]
    body = problem(client.get(LEADS, params={"filter": 'secret = "secret-boss"'}), 422)
    assert body["errors"][0]["field"] == "filter"
    problem(client.get(LEADS, params={"filter": "LEN(secret) > 0"}), 422)
    assert problem(client.get(LEADS, params={"sort": "-secret"}), 422)["errors"][0]["field"] == (
        "sort"
    )
    assert client.get(LEADS, params={"q": "secret-rep_a"}).json()["total"] == 0
    assert client.get(LEADS, params={"q": "lead of"}).json()["total"] == 1
    assert client.get(LEADS, params={"filter": 'name <> ""'}).json()["total"] == 1
    history = client.get(f"{LEADS}/{world.leads['rep_a']}/history").json()
    assert history
    assert all("secret" not in entry["changes"] for entry in history)
    assert "name" in history[0]["changes"]
    problem(client.get(f"{LEADS}/{world.leads['boss']}/history"), 404)


def test_relation_expansion_respects_the_target_form(world: World) -> None:
    world.role(
        "seller",
        {"actions": ["view"], "view_scope": scope("own")},
        users=["rep_a"],
    )
    for owner in ("rep_a", "boss"):
        created = world.admin.post(
            DEALS, json={"values": {"title": f"deal {owner}", "lead": world.leads[owner]}}
        )
        assert created.status_code == 201, created.text
    items = world.clients["rep_a"].get(DEALS, params={"expand": "lead", "sort": "id"}).json()
    expanded = [item["lead"] for item in items["items"]]
    assert world.visible("rep_a", q="lead of") == {"rep_a"}  # the picker searches the scope
    assert expanded == [{"_id": world.leads["rep_a"], "title": "lead of rep_a"}, None]


def test_hidden_title_is_not_expanded(world: World) -> None:
    world.role(
        "seller",
        {"actions": ["view"], "view_scope": scope("all"), "fields": {"name": "hidden"}},
        users=["rep_a"],
    )
    world.admin.post(DEALS, json={"values": {"title": "d", "lead": world.leads["boss"]}})
    item = world.clients["rep_a"].get(DEALS, params={"expand": "lead"}).json()["items"][0]
    assert item["lead"] == {"_id": world.leads["boss"], "title": None}


def test_member_fields_share_records(world: World) -> None:
    world.role(
        "sellers",
        {
            "actions": ["view", "create", "edit"],
            "view_scope": scope("own"),
            "edit_scope": scope("own"),
        },
        users=["rep_a", "rep_b"],
    )
    url = f"{LEADS}/{world.leads['boss']}"
    world.admin.patch(
        url,
        json={
            "version": 1,
            "values": {"helpers": [world.ids["rep_a"]], "watcher": world.ids["rep_b"]},
        },
    )
    assert world.visible("rep_a") == {"rep_a", "boss"}
    assert world.visible("rep_b") == {"rep_b", "boss"}
    assert _patch(world, "rep_a", "boss", amount=9).status_code == 200  # a helper edits
    assert _patch(world, "rep_b", "boss", amount=8).status_code == 403  # a watcher reads
    explained = world.admin.get(f"{url}/explain", params={"user": world.ids["rep_a"]}).json()
    assert explained["can_view"]
    assert explained["can_edit"]
    assert not explained["can_delete"]
    assert explained["shared_by"] == ["helpers"]
    assert explained["reason"] == "shared"


def test_explain_names_the_role_and_scope(world: World) -> None:
    world.role(
        "viewer", {"actions": ["view"], "view_scope": scope("department_tree")}, users=["east_mgr"]
    )
    url = f"{LEADS}/{world.leads['rep_b']}/explain"
    body = world.admin.get(url, params={"user": world.ids["east_mgr"]}).json()
    assert body["can_view"]
    assert not body["can_edit"]
    assert [(r["role"], r["via"], r["sees"], r["edits"]) for r in body["roles"]] == [
        ("viewer", "user", True, False)
    ]
    outside = world.admin.get(
        f"{LEADS}/{world.leads['boss']}/explain", params={"user": world.ids["east_mgr"]}
    ).json()
    assert not outside["can_view"]
    assert outside["reason"] == "outside_scopes"
    nobody = world.admin.get(url, params={"user": world.ids["other"]}).json()
    assert nobody["reason"] == "no_role_in_app"
    problem(world.clients["east_mgr"].get(url, params={"user": world.ids["other"]}), 403)


def test_list_query_count_does_not_grow_with_rows(world: World, engine: Engine) -> None:
    world.role(
        "tree",
        {
            "actions": ["view"],
            "view_scope": scope("department_tree"),
            "fields": {"secret": "hidden"},
        },
        users=["boss"],
    )

    def queries() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert world.clients["boss"].get(LEADS, params={"q": "lead"}).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        # the last use of a token is noted now and then, in a unit of work of its own
        return len([q for q in seen if "api_tokens" not in q and not q.startswith("BEGIN")])

    few = queries()
    for i in range(30):
        world.admin.post(
            LEADS, json={"values": {"name": f"more {i}", "owner_user": world.ids["rep_a"]}}
        )
    assert world.clients["boss"].get(LEADS).json()["total"] == 5 + 30
    assert queries() == few


def test_role_validation(world: World) -> None:
    roles = f"{APP}/roles"
    base = {"key": "x", "name": {"en": "X"}}
    cases = [
        ({**base, "permissions": {"nope": {}}}, "permissions.nope", "unknown_form"),
        (
            {**base, "permissions": {"lead": {"fields": {"nope": "hidden"}}}},
            "permissions.lead.fields.nope",
            "unknown_field",
        ),
        (
            {
                **base,
                "permissions": {"lead": {"view_scope": {"type": "custom", "filter": "amount >"}}},
            },
            "permissions.lead.view_scope.filter",
            "syntax",
        ),
        ({**base, "members": {"users": [99999]}}, "members.users", "not_found"),
        ({**base, "permissions": {"lead": {"actions": ["fly"]}}}, None, None),
        ({**base, "permissions": {"lead": {"view_scope": {"type": "custom"}}}}, None, None),
    ]
    for body, field, code in cases:
        answer = problem(world.admin.post(roles, json=body), 422)
        if field:
            assert (answer["errors"][0]["field"], answer["errors"][0]["code"]) == (field, code)
    assert world.admin.get(roles).json()[0]["key"] == "admin"
    assert world.admin.post(roles, json=base).status_code == 201
    problem(world.admin.post(roles, json=base), 409)
    problem(world.admin.delete(f"{roles}/admin"), 422)
    assert world.admin.delete(f"{roles}/x").status_code == 204
    problem(world.clients["boss"].get(roles), 404)  # holds no role: the app does not exist
    world.role("viewers", {"actions": ["view"]}, users=["boss"])
    problem(world.clients["boss"].get(roles), 403)  # a member, but not an admin


def test_presets_are_listed_and_applied(world: World) -> None:
    presets = {p["key"]: p for p in world.admin.get("/api/permission-presets").json()}
    assert set(presets) >= {"submit_only", "manage_own", "view_all_edit_own", "manage_all"}
    world.admin.post(f"{APP}/roles", json={"key": "sales", "name": {"en": "Sales"}})
    response = world.admin.put(
        f"{APP}/roles/sales/forms/lead",
        json={"preset": "view_all_edit_own", "fields": {"secret": "read"}},
    )
    assert response.status_code == 200, response.text
    permission = response.json()["permissions"]["lead"]
    assert permission["view_scope"] == {"type": "all", "filter": None}
    assert permission["edit_scope"]["type"] == "own"
    assert permission["fields"] == {"secret": "read"}


def test_app_admin_role_designs_forms(world: World) -> None:
    world.admin.patch(f"{APP}/roles/admin", json={"members": {"users": [world.ids["boss"]]}})
    boss = world.clients["boss"]
    assert boss.get(f"{APP}/roles").status_code == 200
    assert boss.post(f"{APP}/forms/lead/publish").status_code == 200
    assert world.visible("boss") == set(USERS)
    problem(world.clients["rep_a"].post(f"{APP}/forms/lead/publish"), 404)
    world.role("viewers", {"actions": ["view"]}, users=["rep_a"])
    problem(world.clients["rep_a"].post(f"{APP}/forms/lead/publish"), 403)


def test_unique_errors_name_only_records_the_user_sees(world: World) -> None:
    spec = world.admin.get(f"{APP}/forms/lead").json()["draft"]
    for item in spec["fields"]:
        if item["key"] == "name":
            item["unique"] = True
    assert world.admin.put(f"{APP}/forms/lead", json=spec).status_code == 200
    assert world.admin.post(f"{APP}/forms/lead/publish").status_code == 200
    world.role("own", {"actions": ["view", "create"], "view_scope": scope("own")}, users=["rep_a"])
    client = world.clients["rep_a"]
    theirs = problem(client.post(LEADS, json={"values": {"name": "lead of boss"}}), 422)
    assert theirs["errors"][0]["message"] == "Another record already has this value."
    mine = problem(client.post(LEADS, json={"values": {"name": "lead of rep_a"}}), 422)
    assert mine["errors"][0]["message"] == f"Record {world.leads['rep_a']} already has this value."


def test_relations_may_newly_point_only_at_visible_records(world: World) -> None:
    body = {
        "key": "seller",
        "name": {"en": "Seller"},
        "members": {"users": [world.ids["rep_a"]]},
        "permissions": {
            "lead": {"actions": ["view"], "view_scope": scope("own")},
            "deal": {"actions": ["view", "create", "edit"], "edit_scope": scope("all")},
        },
    }
    assert world.admin.post(f"{APP}/roles", json=body).status_code == 201
    client = world.clients["rep_a"]
    hidden = client.post(DEALS, json={"values": {"title": "t", "lead": world.leads["boss"]}})
    assert problem(hidden, 422)["errors"][0]["field"] == "lead"
    mine = client.post(DEALS, json={"values": {"title": "t", "lead": world.leads["rep_a"]}})
    assert mine.status_code == 201, mine.text
    # a deal the admin linked to a lead rep_a cannot see keeps that link when rep_a edits it
    linked = world.admin.post(
        DEALS, json={"values": {"title": "admin's", "lead": world.leads["boss"]}}
    ).json()
    edited = client.patch(
        f"{DEALS}/{linked['_id']}", json={"version": 1, "values": {"title": "renamed"}}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["lead"] == world.leads["boss"]
