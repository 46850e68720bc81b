"""GET/PUT /api/apps/{app}/menu: groups and forms in the analyst's order."""

from __future__ import annotations

import pytest

from tests.api.org_helpers import problem
from tests.api.web_helpers import make_app, open_to_everyone
from tests.conftest import ADMIN_PASSWORD


def test_menu_lists_forms_in_creation_order_until_arranged(admin_client) -> None:
    make_app(admin_client)
    items = admin_client.get("/api/apps/crm/menu").json()["items"]
    assert [(i["type"], i["key"], i["published"]) for i in items] == [
        ("form", "customer", True),
        ("form", "deal", True),
    ]
    assert items[0]["label"] == {"zh": "客户", "en": "Customer"}


def test_arranged_menu_keeps_groups_and_order_and_appends_new_forms(admin_client) -> None:
    make_app(admin_client)
    body = {
        "items": [
            {
                "type": "group",
                "label": {"zh": "销售"},
                "children": [{"type": "form", "key": "deal"}],
            },
            {"type": "form", "key": "missing"},
        ]
    }
    saved = admin_client.put("/api/apps/crm/menu", json=body)
    assert saved.status_code == 200, saved.text
    items = saved.json()["items"]
    assert items[0]["type"] == "group"
    assert [c["key"] for c in items[0]["children"]] == ["deal"]
    assert [i.get("key") for i in items[1:]] == ["customer"]
    admin_client.post("/api/apps/crm/forms", json={"key": "lead", "name": {"en": "Lead"}})
    again = admin_client.get("/api/apps/crm/menu").json()["items"]
    assert again[-1] == {
        "type": "form",
        "key": "lead",
        "label": {"zh": "", "en": "Lead"},
        "url": None,
        "published": False,
        "children": [],
    }


def test_bad_menus_name_the_field(admin_client) -> None:
    make_app(admin_client)
    cases = [
        ({"items": [{"type": "group", "children": []}]}, "items[0]"),
        ({"items": [{"type": "form"}]}, "items[0]"),
        ({"items": [{"type": "form", "key": "Bad Key"}]}, "items[0].key"),
        (
            {
                "items": [
                    {
                        "type": "group",
                        "label": {"en": "A"},
                        "children": [{"type": "group", "label": {"en": "B"}}],
                    }
                ]
            },
            "items[0]",
        ),
        ({"items": [{"type": "report", "key": "x"}]}, "items[0].type"),
        ({}, "items"),
    ]
    for body, field in cases:
        found = problem(admin_client.put("/api/apps/crm/menu", json=body), 422)
        assert any(e["field"].startswith(field) for e in found["errors"]), (body, found)


def test_members_read_admins_arrange_others_see_nothing(admin_client, make_user, login) -> None:
    make_app(admin_client)
    make_user("li")
    user = login("li", "user-pass-1")
    problem(user.get("/api/apps/crm/menu"), 404)
    open_to_everyone(admin_client)
    assert user.get("/api/apps/crm/menu").status_code == 200
    problem(user.put("/api/apps/crm/menu", json={"items": []}), 403)
    problem(admin_client.get("/api/apps/nope/menu"), 404)
    problem(admin_client.put("/api/apps/nope/menu", json={"items": []}), 404)


def test_links_in_the_menu(admin_client, admin, login) -> None:
    make_app(admin_client)
    body = {
        "items": [
            {"type": "link", "label": {"zh": "帮助", "en": "Help"}, "url": "https://example.org/h"},
            {
                "type": "group",
                "label": {"en": "Sales"},
                "children": [
                    {"type": "form", "key": "customer"},
                    {"type": "link", "label": {"en": "Deals"}, "url": "/apps/crm/forms/deal"},
                ],
            },
        ]
    }
    saved = admin_client.put("/api/apps/crm/menu", json=body)
    assert saved.status_code == 200, saved.text
    items = admin_client.get("/api/apps/crm/menu").json()["items"]
    assert items[0]["type"] == "link"
    assert items[0]["url"] == "https://example.org/h"
    assert [c["type"] for c in items[1]["children"]] == ["form", "link"]
    page = login("admin", ADMIN_PASSWORD).get("/apps/crm").text
    assert 'href="https://example.org/h" target="_blank" rel="noopener noreferrer"' in page
    assert 'href="/apps/crm/forms/deal" data-testid="menu-link"' in page


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "//example.org",
        "/\\example.org",
        "/\texample",
        "data:text/html,x",
        "http://",
        "ftp://example.org",
        "relative/path",
    ],
)
def test_links_go_only_to_web_addresses_or_this_site(admin_client, url: str) -> None:
    make_app(admin_client)
    body = {"items": [{"type": "link", "label": {"en": "X"}, "url": url}]}
    found = problem(admin_client.put("/api/apps/crm/menu", json=body), 422)
    assert found["errors"][0]["field"] == "items[0]"
    assert found["errors"][0]["code"] == "bad_url"
