"""Saved views: /api/apps/{app}/forms/{form}/views, personal or shared."""

from __future__ import annotations

from tests.api.org_helpers import problem
from tests.api.web_helpers import grant_members, make_app, open_to_everyone

URL = "/api/apps/crm/forms/deal/views"


def test_personal_and_shared_views(admin_client, make_user, login) -> None:
    make_app(admin_client)
    shared = admin_client.post(
        URL,
        json={
            "name": "大单",
            "shared": True,
            "columns": ["title", "amount", "_created_at"],
            "sort": "-amount",
            "filter": "amount > 1000",
            "conditions": [{"field": "amount", "op": "gt", "value": "1000"}],
        },
    )
    assert shared.status_code == 201, shared.text
    assert shared.json()["columns"] == ["title", "amount", "_created_at"]
    admin_client.post(URL, json={"name": "Mine"})
    open_to_everyone(admin_client)
    grant_members(admin_client, "deal", "view_all")
    make_user("li")
    user = login("li", "user-pass-1")
    own = user.post(URL, json={"name": "Li's", "filter": 'CONTAINS(title, "x")'})
    assert own.status_code == 201, own.text
    assert [v["name"] for v in user.get(URL).json()] == ["大单", "Li's"]
    assert [v["name"] for v in admin_client.get(URL).json()] == ["大单", "Mine"]
    records = admin_client.get(
        "/api/apps/crm/forms/deal/records", params={"filter": shared.json()["filter"]}
    )
    assert records.status_code == 200


def test_update_and_delete_by_owner_or_admin(admin_client, make_user, login) -> None:
    make_app(admin_client)
    open_to_everyone(admin_client)
    grant_members(admin_client, "deal", "view_all")
    make_user("li")
    make_user("wang")
    li = login("li", "user-pass-1")
    wang = login("wang", "user-pass-1")
    view = li.post(URL, json={"name": "Li's"}).json()
    changed = li.patch(f"{URL}/{view['id']}", json={"name": "Renamed", "sort": "title"})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Renamed"
    assert changed.json()["sort"] == "title"
    problem(wang.patch(f"{URL}/{view['id']}", json={"name": "x"}), 404)
    problem(li.patch(f"{URL}/{view['id']}", json={"shared": True}), 403)
    problem(li.post(URL, json={"name": "Everyone", "shared": True}), 403)
    assert wang.get(URL).status_code == 200
    shared = admin_client.post(URL, json={"name": "Team", "shared": True}).json()
    problem(li.delete(f"{URL}/{shared['id']}"), 403)
    assert admin_client.delete(f"{URL}/{view['id']}").status_code == 404
    assert li.delete(f"{URL}/{view['id']}").status_code == 204
    assert admin_client.delete(f"{URL}/{shared['id']}").status_code == 204
    assert li.get(URL).json() == []


def test_bad_views_name_the_field(admin_client) -> None:
    make_app(admin_client)
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x", "columns": ["nope"]}, "columns[0]"),
        ({"name": "x", "columns": ["Bad Key"]}, "columns[0]"),
        ({"name": "x", "sort": "nope"}, "sort"),
        ({"name": "x", "sort": "-"}, "sort"),
        ({"name": "x", "filter": "amount >"}, "filter"),
        ({"name": "x", "filter": "amount + 1"}, "filter"),
        ({"name": "x", "filter": "nope = 1"}, "filter"),
        ({"name": "x", "conditions": [{"field": "amount", "op": "gt!"}]}, "conditions[0].op"),
        ({"name": "x", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        found = problem(admin_client.post(URL, json=body), 422)
        assert any(e["field"] == field for e in found["errors"]), (body, found)
    view = admin_client.post(URL, json={"name": "ok"}).json()
    found = problem(admin_client.patch(f"{URL}/{view['id']}", json={"filter": "1 +"}), 422)
    assert found["errors"][0]["field"] == "filter"


def test_views_of_unknown_or_unpublished_forms(admin_client) -> None:
    make_app(admin_client, publish=False)
    problem(admin_client.get(URL), 409)
    problem(admin_client.get("/api/apps/crm/forms/nope/views"), 404)


def test_view_ids_are_bounded(admin_client) -> None:
    make_app(admin_client)
    problem(admin_client.patch(f"{URL}/0", json={}), 422)
    problem(admin_client.delete(f"{URL}/99999999999"), 422)
    problem(admin_client.delete(f"{URL}/5"), 404)


def test_views_are_for_members_and_app_admins_share(admin_client, make_user, login) -> None:
    make_app(admin_client)
    make_user("li")
    li = login("li", "user-pass-1")
    problem(li.get(URL), 404)
    role = admin_client.patch("/api/apps/crm/roles/admin", json={"members": {"users": [2]}})
    assert role.status_code == 200, role.text
    shared = li.post(URL, json={"name": "Team", "shared": True})
    assert shared.status_code == 201, shared.text


def test_views_need_read_permission_on_the_form(admin_client, make_user, login) -> None:
    make_app(admin_client)
    view = admin_client.post(URL, json={"name": "Team", "shared": True}).json()
    open_to_everyone(admin_client)
    make_user("li")
    li = login("li", "user-pass-1")
    calls = [
        lambda: li.get(URL),
        lambda: li.post(URL, json={"name": "Li's"}),
        lambda: li.patch(f"{URL}/{view['id']}", json={"name": "x"}),
        lambda: li.delete(f"{URL}/{view['id']}"),
    ]
    for preset in (None, "submit_only"):
        if preset:
            grant_members(admin_client, "deal", preset)
        for call in calls:
            refused = problem(call(), 403)  # a member of the app, but may not read deals
            assert refused["code"] == "permission_denied"
        problem(li.get("/api/apps/crm/forms/deal/records"), 403)  # as the records API says
    grant_members(admin_client, "deal", "view_all")
    assert [v["name"] for v in li.get(URL).json()] == ["Team"]
    assert li.post(URL, json={"name": "Li's"}).status_code == 201


def test_app_admins_by_role_share_views_members_do_not(admin_client, make_user, login) -> None:
    make_app(admin_client)
    open_to_everyone(admin_client)
    grant_members(admin_client, "deal", "view_all")
    boss = make_user("boss")
    make_user("li")
    role = admin_client.patch(
        "/api/apps/crm/roles/admin", json={"members": {"users": [boss["id"]]}}
    )
    assert role.status_code == 200, role.text
    boss_client, li = login("boss", "user-pass-1"), login("li", "user-pass-1")
    shared = boss_client.post(URL, json={"name": "Big deals", "shared": True, "sort": "-amount"})
    assert shared.status_code == 201, shared.text
    assert shared.json()["shared"] is True
    assert [v["name"] for v in li.get(URL).json()] == ["Big deals"]
    problem(li.patch(f"{URL}/{shared.json()['id']}", json={"name": "Mine now"}), 403)
    own = li.post(URL, json={"name": "Li's"}).json()
    problem(li.patch(f"{URL}/{own['id']}", json={"shared": True}), 403)
    assert boss_client.patch(f"{URL}/{shared.json()['id']}", json={"name": "Big"}).is_success


def test_views_cannot_name_fields_hidden_from_their_author(admin_client, make_user, login) -> None:
    make_app(admin_client)
    open_to_everyone(admin_client)
    permission = {"preset": "view_all", "fields": {"amount": "hidden"}}
    granted = admin_client.put("/api/apps/crm/roles/member/forms/deal", json=permission)
    assert granted.status_code == 200, granted.text
    make_user("li")
    li = login("li", "user-pass-1")
    cases = [
        ({"name": "x", "columns": ["title", "amount"]}, "columns[1]"),
        ({"name": "x", "sort": "-amount"}, "sort"),
        ({"name": "x", "filter": "amount > 100"}, "filter"),
        ({"name": "x", "filter": 'title = "a" OR amount > 100'}, "filter"),
    ]
    for body, field in cases:
        found = problem(li.post(URL, json=body), 422)
        assert [e["field"] for e in found["errors"]] == [field], (body, found)
    ok = li.post(URL, json={"name": "ok", "columns": ["title"], "filter": 'title = "a"'})
    assert ok.status_code == 201, ok.text
    found = problem(li.patch(f"{URL}/{ok.json()['id']}", json={"columns": ["amount"]}), 422)
    assert found["errors"][0]["field"] == "columns[0]"
    assert admin_client.post(URL, json={"name": "all", "columns": ["amount"]}).status_code == 201


def test_view_conditions_cannot_name_hidden_or_unknown_fields(admin_client, make_user, login):
    make_app(admin_client)
    open_to_everyone(admin_client)
    permission = {"preset": "view_all", "fields": {"amount": "hidden"}}
    granted = admin_client.put("/api/apps/crm/roles/member/forms/deal", json=permission)
    assert granted.status_code == 200, granted.text
    make_user("li")
    li = login("li", "user-pass-1")
    title = {"field": "title", "op": "contains", "value": "a"}
    amount = {"field": "amount", "op": "gt", "value": "1000"}
    for conditions in ([title, amount], [title, {**amount, "field": "nope"}]):
        found = problem(li.post(URL, json={"name": "x", "conditions": conditions}), 422)
        assert [(e["field"], e["code"]) for e in found["errors"]] == [
            ("conditions[1]", "unknown_field")
        ]
    ok = li.post(URL, json={"name": "ok", "conditions": [title]})
    assert ok.status_code == 201, ok.text
    found = problem(li.patch(f"{URL}/{ok.json()['id']}", json={"conditions": [amount]}), 422)
    assert found["errors"][0]["field"] == "conditions[0]"
    assert li.get(URL).json()[0]["conditions"] == [title]
    mine = admin_client.post(URL, json={"name": "all", "conditions": [amount]})
    assert mine.status_code == 201, mine.text


def test_view_filters_cannot_reach_hidden_fields_through_a_relation(
    admin_client, make_user, login
) -> None:
    make_app(admin_client)
    open_to_everyone(admin_client)
    grant_members(admin_client, "deal", "view_all")
    hidden = {"preset": "view_all", "fields": {"city": "hidden"}}
    granted = admin_client.put("/api/apps/crm/roles/member/forms/customer", json=hidden)
    assert granted.status_code == 200, granted.text
    make_user("li")
    li = login("li", "user-pass-1")
    found = problem(li.post(URL, json={"name": "x", "filter": 'customer.city = "深圳"'}), 422)
    assert [(e["field"], e["code"]) for e in found["errors"]] == [("filter", "unknown_field")]
    ok = li.post(URL, json={"name": "ok", "filter": 'customer.name = "华为"'})
    assert ok.status_code == 201, ok.text
