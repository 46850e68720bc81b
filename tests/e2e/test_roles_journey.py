"""An app admin opens Roles and permissions, creates a role "Sales" held by a department and
gives it "manage own" on deals with the amount hidden; "who can see this?" explains a record
for a salesperson; the salesperson then sees only their own deals, without the amount."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.api.web_helpers import make_app
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.e2e.conftest import Checkpoints, PageProblems
from tests.e2e.test_form_journey import doc_screenshot, sign_in

pytestmark = pytest.mark.e2e
DEALS = "/api/apps/crm/forms/deal/records"


@pytest.fixture
def org(admin_client: Any, make_user: Any) -> dict[str, int]:
    """App crm (customers, deals); Li and Wang in the sales department, Zhao in support."""
    make_app(admin_client)
    departments = {}
    for key, name in (("sales", "销售部 Sales"), ("support", "客服部 Support")):
        created = admin_client.post("/api/departments", json={"name": name})
        assert created.status_code == 201, created.text
        departments[key] = created.json()["id"]
    people = (("li", "李雷 Li Lei", "sales"), ("wang", "王芳 Wang Fang", "sales"))
    ids = {
        username: make_user(username, display_name=name, main_department_id=departments[dept])["id"]
        for username, name, dept in (*people, ("zhao", "赵六 Zhao", "support"))
    }
    return ids


def create_sales_role(page: Page) -> None:
    """A new role "Sales" (a taken key first), held by the sales department."""
    page.goto("/apps/crm")
    page.get_by_test_id("roles-link").click()
    roles = page.get_by_test_id("role-item")
    expect(roles).to_have_text([re.compile("App admin"), re.compile("Member")])
    page.get_by_test_id("new-role").click()
    dialog = page.get_by_test_id("new-role-dialog")
    dialog.get_by_test_id("new-role-zh").fill("销售")
    dialog.get_by_test_id("new-role-en").fill("Sales")
    expect(dialog.get_by_test_id("new-role-key")).to_have_value("sales")
    dialog.get_by_test_id("new-role-key").fill("member")
    dialog.get_by_test_id("create-role").click()
    expect(dialog.get_by_test_id("new-role-key-error")).to_be_visible()
    dialog.get_by_test_id("new-role-key").fill("sales")
    dialog.get_by_test_id("create-role").click()
    expect(roles).to_have_count(3)
    editor = page.get_by_test_id("role-editor")
    expect(editor.get_by_test_id("role-title")).to_have_text("Sales")
    departments = editor.get_by_test_id("picker-departments")
    departments.get_by_test_id("picker-input").fill("sales")
    departments.get_by_test_id("picker-option").filter(has_text="销售部").click()
    expect(departments).to_contain_text("销售部 Sales")
    editor.get_by_test_id("save-role").click()
    expect(editor.get_by_test_id("role-saved")).to_be_visible()


def give_manage_own_without_amount(page: Page, checkpoints: Checkpoints) -> None:
    """Deals: a custom scope checked live and refused when empty, then "manage own" with the
    amount hidden."""
    deal = page.get_by_test_id("role-editor").get_by_test_id("perm-deal")
    deal.get_by_test_id("perm-open").click()
    summary = deal.get_by_test_id("perm-summary")
    expect(summary).to_have_text("No access")
    deal.get_by_test_id("preset-select").select_option("manage_own")
    expect(deal.get_by_test_id("action-delete")).to_be_checked()
    expect(deal.get_by_test_id("action-export")).not_to_be_checked()
    view = deal.get_by_test_id("view_scope")
    expect(view.get_by_test_id("scope-select")).to_have_value("own")
    view.get_by_test_id("scope-select").select_option("custom")
    expect(summary).to_have_text("Custom")
    view.get_by_test_id("formula-input").fill("amount >")
    expect(view.get_by_test_id("formula-error")).to_contain_text("ends too early")
    view.get_by_test_id("formula-input").fill("_owner = CURRENT_USER()")
    expect(view.get_by_test_id("formula-status")).to_contain_text("result: bool")
    view.get_by_test_id("formula-input").fill("")
    deal.get_by_test_id("save-permission").click()
    expect(view.get_by_test_id("scope-error")).to_contain_text("custom scope needs a filter")
    view.get_by_test_id("scope-select").select_option("own")
    deal.get_by_test_id("mode-amount").get_by_test_id("mode-select").select_option("hidden")
    expect(summary).to_have_text("Add and manage own data")
    deal.get_by_test_id("save-permission").click()
    expect(deal.get_by_test_id("perm-saved")).to_be_visible()
    expect(view.get_by_test_id("scope-error")).to_be_hidden()

    page.reload()
    page.get_by_test_id("role-item").filter(has_text="Sales").click()
    deal.get_by_test_id("perm-open").click()
    expect(summary).to_have_text("Add and manage own data")
    expect(deal.get_by_test_id("mode-amount").get_by_test_id("mode-select")).to_have_value("hidden")
    checkpoints.take(page, "roles")
    doc_screenshot(page, "roles.png")


def explain(page: Page, username: str, name: str) -> Any:
    """Asks "who can see this?" for a user; returns the explanation."""
    picker = page.get_by_test_id("explain-picker")
    picker.get_by_test_id("picker-input").fill(username)
    picker.get_by_test_id("picker-option").filter(has_text=name).click()
    return page.get_by_test_id("explanation")


def test_admin_gives_a_department_a_role_and_its_members_see_their_own(
    page: Page,
    admin: dict[str, Any],
    admin_client: Any,
    login: Any,
    org: dict[str, int],
    checkpoints: Checkpoints,
    page_problems: PageProblems,
) -> None:
    # refusals the page shows next to the fields: a taken role key, a custom scope left empty
    page_problems.expect_refusal(409, "/api/apps/crm/roles")
    page_problems.expect_refusal(422, "/api/apps/crm/roles/sales/forms/deal")
    page.set_viewport_size({"width": 1360, "height": 900})
    sign_in(page, "admin", ADMIN_PASSWORD)
    create_sales_role(page)
    give_manage_own_without_amount(page, checkpoints)

    ids = {}
    li, wang = login("li", USER_PASSWORD), login("wang", USER_PASSWORD)
    for key, who, title in (
        ("li", li, "李雷的商机 Li's deal"),
        ("wang", wang, "王芳的商机 Wang's deal"),
    ):
        created = who.post(DEALS, json={"values": {"title": title}})
        assert created.status_code == 201, created.text
        ids[key] = created.json()["_id"]
    assert admin_client.post(DEALS, json={"values": {"title": "Admin's deal"}}).is_success
    assert login("zhao", USER_PASSWORD).get("/apps/crm").status_code == 404

    page.goto(f"/apps/crm/forms/deal/records/{ids['wang']}")
    page.get_by_test_id("explain-button").click()
    explanation = explain(page, "li", "李雷")
    expect(explanation.get_by_test_id("explain-view")).to_have_text("✗ Can view")
    expect(explanation.get_by_test_id("explain-reason")).to_contain_text("outside the data scopes")
    role = explanation.get_by_test_id("explain-role")
    expect(role).to_have_count(1)
    expect(role).to_contain_text("Sales")
    expect(role).to_contain_text("through department 销售部 Sales")
    expect(role).to_contain_text("Their own")
    page.get_by_test_id("explain-picker").get_by_role("button", name="✕ 李雷 Li Lei (li)").click()
    explanation = explain(page, "wang", "王芳")
    expect(explanation.get_by_test_id("explain-view")).to_have_text("✓ Can view")
    expect(explanation.get_by_test_id("explain-edit")).to_have_text("✓ Can edit")
    expect(explanation.get_by_test_id("explain-reason")).to_contain_text("data scope reaches")
    checkpoints.take(page, "explain")

    page.get_by_test_id("explain-dialog").get_by_role("button", name="Done").click()
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, "li", USER_PASSWORD)
    page.goto("/apps/crm/forms/deal")
    rows = page.get_by_test_id("record-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Li's deal")
    header = page.get_by_test_id("records-table").locator("thead")
    expect(header).to_contain_text("Title")
    expect(header).not_to_contain_text("Amount")
    expect(page.get_by_test_id("roles-link")).to_have_count(0)
    checkpoints.take(page, "member-list")
