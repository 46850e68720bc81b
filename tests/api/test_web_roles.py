"""The roles and permissions page (/apps/{app}/roles) and the "who can see this?" action."""

from __future__ import annotations

import json
from typing import Any

from tests.api.web_helpers import grant_members, make_app, open_to_everyone
from tests.conftest import ADMIN_PASSWORD

PAGE = "/apps/crm/roles"


def config_of(html: str) -> dict[str, Any]:
    """The page's configuration for its script."""
    return dict(json.loads(html.split('id="roles-config">')[1].split("</script>")[0]))


def test_admins_get_the_forms_and_their_fields_and_scope_filters_ask_the_server(
    admin_client, admin, login
) -> None:
    make_app(admin_client)
    browser = login("admin", ADMIN_PASSWORD)
    response = browser.get(PAGE)
    assert response.status_code == 200, response.text
    assert 'data-testid="roles-page"' in response.text
    config = config_of(response.text)
    assert config["app"] == "crm"
    forms = {f["key"]: f for f in config["forms"]}
    assert set(forms) == {"customer", "deal"}
    assert [f["key"] for f in forms["deal"]["fields"]][:3] == ["title", "amount", "vip"]
    assert config["words"]["scope_department_tree"]
    assert "bulk_delete" not in config["words"]  # the records pages' words stay there
    scope = {"kind": "scope", "form": "deal"}
    fields = browser.post("/api/apps/crm/formulas/catalogue", json=scope).json()["fields"]
    types = {f["key"]: f["type"] for f in fields}
    assert types["total"] == "number"
    assert types["_owner"] == "user"
    assert types["_created_at"] == "datetime"


def test_forms_not_published_yet_are_listed_too(admin_client, admin, login) -> None:
    make_app(admin_client, publish=False)
    config = config_of(login("admin", ADMIN_PASSWORD).get(PAGE).text)
    assert {f["key"] for f in config["forms"]} == {"customer", "deal"}


def test_the_page_and_its_links_are_for_app_admins(admin_client, make_user, login) -> None:
    make_app(admin_client)
    open_to_everyone(admin_client)
    grant_members(admin_client, "deal", "view_all")
    li_id = make_user("li")["id"]
    li = login("li", "user-pass-1")
    refused = li.get(PAGE)
    assert refused.status_code == 404
    assert "text/html" in refused.headers["content-type"]
    for path in ("/apps/crm", "/apps/crm/forms/deal"):
        assert 'data-testid="roles-link"' not in li.get(path).text
    admin_client.post("/api/apps/crm/forms/deal/records", json={"values": {"title": "x"}})
    assert 'data-testid="explain-button"' not in li.get("/apps/crm/forms/deal/records/1").text
    members = {"members": {"users": [li_id]}}
    made_admin = admin_client.patch("/api/apps/crm/roles/admin", json=members)
    assert made_admin.status_code == 200, made_admin.text
    assert li.get(PAGE).status_code == 200  # an app admin, not a platform admin
    assert 'data-testid="roles-link"' in li.get("/apps/crm").text
    assert 'data-testid="roles-button"' in li.get("/apps/crm").text
    assert 'data-testid="explain-button"' in li.get("/apps/crm/forms/deal/records/1").text


def test_unknown_apps_bad_keys_and_visitors(client, admin_client, admin, login) -> None:
    make_app(admin_client)
    browser = login("admin", ADMIN_PASSWORD)
    assert browser.get("/apps/nope/roles").status_code == 404
    assert browser.get("/apps/Bad-Key/roles").status_code == 422
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/apps/crm/roles"


def test_the_page_speaks_chinese(admin_client, admin, login) -> None:
    make_app(admin_client)
    browser = login("admin", ADMIN_PASSWORD)
    browser.cookies.set("jimu_lang", "zh-CN")
    page = browser.get(PAGE).text
    assert "角色权限" in page
    assert config_of(page)["words"]["scope_own"] == "本人数据"
