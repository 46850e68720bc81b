"""The web UI's pages: app home, designer, preview, record list, form, detail."""

from __future__ import annotations

import json
import re

import pytest

from jimu.form_engine.fieldtypes import browser_table
from tests.api.web_helpers import grant_members, make_app, open_to_everyone
from tests.conftest import ADMIN_PASSWORD

PAGES = [
    "/apps/crm",
    "/apps/crm/forms/deal/design",
    "/apps/crm/forms/deal/preview",
    "/apps/crm/forms/deal",
    "/apps/crm/forms/deal/new",
    "/apps/crm/forms/deal/new?embed=1",
    "/apps/crm/forms/deal/records/1",
    "/apps/crm/forms/deal/records/1/edit",
]


@pytest.fixture
def browser(admin_client, admin, login):
    make_app(admin_client)
    admin_client.post("/api/apps/crm/forms/deal/records", json={"values": {"title": "合同"}})
    return login("admin", ADMIN_PASSWORD)


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_an_admin(browser, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" in response.text
    assert "Deal" in response.text or "CRM" in response.text


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_visitors_to_sign_in(client, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/apps/crm")


FIELD_TYPES_BLOCK = re.compile(
    r'<script type="application/json" id="field-types">(.*?)</script>', re.DOTALL
)


@pytest.mark.parametrize("path", [p for p in PAGES if p != "/apps/crm"])
def test_pages_with_field_scripts_carry_the_field_type_registry(browser, path: str) -> None:
    blocks = FIELD_TYPES_BLOCK.findall(browser.get(path).text)
    assert len(blocks) == 1
    assert json.loads(blocks[0]) == json.loads(json.dumps(browser_table()))


def test_designer_page_carries_the_draft_and_every_field_type(browser) -> None:
    page = browser.get("/apps/crm/forms/deal/design").text
    assert 'id="designer-config"' in page
    for kind in ("subform", "relation", "signature", "formula", "section", "tab", "columns"):
        assert f'data-testid="palette-{kind}"' in page


def test_form_page_renders_a_widget_per_field(browser) -> None:
    page = browser.get("/apps/crm/forms/deal/new").text
    for key in ("title", "amount", "vip", "customer", "lines", "total", "due", "code"):
        assert f'data-testid="field-{key}"' in page
    assert 'data-testid="subform-lines"' in page
    assert "jimu.widgets.picker" in page


def test_unknown_things_are_404_pages_and_drafts_say_so(admin_client, admin, login) -> None:
    make_app(admin_client, publish=False)
    browser = login("admin", ADMIN_PASSWORD)
    for path in ("/apps/nope", "/apps/crm/forms/nope", "/apps/crm/forms/nope/design"):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
    unpublished = browser.get("/apps/crm/forms/deal")
    assert unpublished.status_code == 200
    assert 'data-testid="not-published"' in unpublished.text
    assert browser.get("/apps/crm/forms/Bad/design").status_code == 422


def test_designer_is_for_admins(admin_client, make_user, login) -> None:
    make_app(admin_client)
    open_to_everyone(admin_client)
    make_user("li")
    user = login("li", "user-pass-1")
    assert user.get("/apps/crm/forms/deal/design").status_code == 404
    assert user.get("/apps/crm/forms/deal/preview").status_code == 404
    assert "/design" not in user.get("/apps/crm").text


def test_pages_follow_app_roles(admin_client, make_user, login) -> None:
    make_app(admin_client)
    make_user("li")
    user = login("li", "user-pass-1")
    assert user.get("/apps/crm").status_code == 404
    assert "/apps/crm" not in user.get("/").text
    open_to_everyone(admin_client)
    home = user.get("/apps/crm")
    assert home.status_code == 200
    assert 'href="/apps/crm/forms/deal"' not in home.text  # no permission on deals yet
    grant_members(admin_client, "deal", "view_all")
    assert 'href="/apps/crm/forms/deal"' in user.get("/apps/crm").text
    listing = user.get("/apps/crm/forms/deal").text
    assert 'data-testid="new-record"' not in listing
    detail = user.get("/apps/crm/forms/deal/records/1").text
    assert 'data-testid="edit-record"' not in detail
    for path in ("/apps/crm/forms/deal/new", "/apps/crm/forms/deal/records/1/edit"):
        refused = user.get(path)
        assert refused.status_code == 403
        assert 'data-testid="forbidden"' in refused.text
    assert user.get("/apps/crm/forms/customer").status_code == 403
    grant_members(admin_client, "deal", "view_all_edit_own")
    assert 'data-testid="new-record"' in user.get("/apps/crm/forms/deal").text
    grant_members(admin_client, "customer", "view_all")
    customer = admin_client.post(
        "/api/apps/crm/forms/customer/records", json={"values": {"name": "华为"}}
    ).json()
    detail = user.get(f"/apps/crm/forms/customer/records/{customer['_id']}").text
    assert '"form": "deal"' in detail  # the deals tab: li reads deals
    grant_members(admin_client, "deal", "submit_only")
    detail = user.get(f"/apps/crm/forms/customer/records/{customer['_id']}").text
    assert '"form": "deal"' not in detail


def test_pages_speak_chinese(browser) -> None:
    browser.cookies.set("jimu_lang", "zh-CN")
    page = browser.get("/apps/crm/forms/deal").text
    assert "新增记录" in page
    assert "商机" in page


def test_designer_takes_formulas_into_sub_forms_and_the_server_knows_row_result_types(
    browser,
) -> None:
    spec = browser.get("/api/apps/crm/forms/deal").json()
    lines = next(f for f in spec["draft"]["fields"] if f["key"] == "lines")
    lines["fields"].append(
        {"key": "double", "type": "formula", "label": {"en": "Double"}, "formula": "qty * 2"}
    )
    saved = browser.put("/api/apps/crm/forms/deal", json=spec["draft"])
    assert saved.status_code == 200, saved.text
    page = browser.get("/apps/crm/forms/deal/design").text
    config = json.loads(page.split('id="designer-config">')[1].split("</script>")[0])
    formula = next(p for p in config["palette"]["fields"] if p["type"] == "formula")
    assert formula["in_subform"] is True
    row = {"kind": "row", "form": "deal", "subform": "lines"}
    fields = browser.post("/api/apps/crm/formulas/catalogue", json=row).json()["fields"]
    assert {"key": "double", "type": "number", "label": {"en": "Double"}, "fields": []} in fields
    form = browser.post("/api/apps/crm/formulas/catalogue", json={"kind": "form", "form": "deal"})
    assert {f["key"]: f["type"] for f in form.json()["fields"]}["total"] == "number"
    form = browser.get("/apps/crm/forms/deal/preview").text
    assert 'data-testid="computed-lines-double"' in form
