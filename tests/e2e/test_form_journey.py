"""An analyst builds a form in the designer and publishes it; a member of the app fills it (a
wrong value first, a sub-form row computing its own subtotal), finds the record by a filter,
edits it and reads its history."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.e2e.conftest import Checkpoints, PageProblems

pytestmark = pytest.mark.e2e
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def doc_screenshot(page: Page, name: str) -> None:
    """Writes a screenshot for the user guide when JIMU_DOC_SCREENSHOTS=1."""
    if os.environ.get("JIMU_DOC_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMAGES / name))


class Designer:
    """The form designer page: add fields from the palette and set their properties."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.props = page.get_by_test_id("field-props")
        expect(page.locator("body")).to_have_attribute("data-ready", "1")  # Alpine is live

    def describe(self, key: str, en: str, zh: str) -> None:
        """Names the selected field."""
        self.props.get_by_test_id("prop-label-zh").fill(zh)
        self.props.get_by_test_id("prop-label-en").fill(en)
        self.props.get_by_test_id("prop-key").fill(key)
        expect(self.page.get_by_test_id(f"cv-field-{key}")).to_be_visible()

    def add(self, kind: str, key: str, en: str, zh: str) -> None:
        """Clicks a field type in the palette and names the new field."""
        self.page.get_by_test_id(f"palette-{kind}").click()
        self.describe(key, en, zh)

    def drop_into(self, kind: str, container: str, key: str, en: str, zh: str) -> None:
        """Drags a field type from the palette into a sub-form, as a mouse would (where it lands
        among the fields already there depends on the pointer's path over them)."""
        target = self.page.get_by_test_id(f"cv-field-{container}").locator(".cv-sub")
        before = target.locator(".cv-field").count()
        target.evaluate("el => el.scrollIntoView({block: 'end'})")  # the drop aims at its end
        source = self.page.get_by_test_id(f"palette-{kind}").bounding_box()
        box = target.bounding_box()
        assert source is not None
        assert box is not None
        mouse = self.page.mouse
        mouse.move(source["x"] + 10, source["y"] + 10)
        mouse.down()
        mouse.move(source["x"] + 30, source["y"] + 30, steps=5)
        mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4, steps=12)
        mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3, steps=3)
        # the dragged palette item sits in the sub-form once the drag has reached it (on a
        # loaded machine that can take a moment): release only then
        expect(target.locator(".palette-item")).to_have_count(1)
        mouse.up()
        expect(target.locator(".cv-field")).to_have_count(before + 1)
        self.describe(key, en, zh)


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My apps")).to_be_visible()


@pytest.fixture
def crm(admin_client: Any) -> None:
    """App crm with a published customer form and two customers (relation targets)."""
    admin_client.post("/api/apps", json={"key": "crm", "name": {"zh": "客户管理", "en": "CRM"}})
    customer = {
        "key": "customer",
        "name": {"zh": "客户", "en": "Customer"},
        "title_field": "name",
        "fields": [{"key": "name", "type": "text", "label": {"zh": "名称", "en": "Name"}}],
    }
    assert admin_client.post("/api/apps/crm/forms", json=customer).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/customer/publish").status_code == 200
    for name in ("华为 Huawei", "腾讯 Tencent"):
        url = "/api/apps/crm/forms/customer/records"
        assert admin_client.post(url, json={"values": {"name": name}}).status_code == 201


def build_contract_form(page: Page, checkpoints: Checkpoints) -> None:
    """The analyst's part: a form of 10 field types with a sub-form (its rows computing a
    subtotal), a relation, and a formula totalling the rows."""
    page.goto("/apps/crm")
    page.get_by_test_id("new-form").click()
    dialog = page.locator("dialog#new-form")
    dialog.get_by_label("Name (Chinese)").fill("合同")
    dialog.get_by_label("Name (English)").fill("Contract")
    dialog.get_by_label("Key (ASCII, e.g. contract)").fill("contract")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("designer")).to_be_visible()

    d = Designer(page)
    d.add("text", "title", "Title", "合同名称")
    d.props.get_by_test_id("prop-required").check()
    d.add("amount", "amount", "Amount", "合同金额")
    d.add("date", "sign_date", "Signed on", "签约日期")
    d.add("select", "stage", "Stage", "阶段")
    d.add("checkbox", "vip", "Key account", "重点客户")
    d.add("email", "email", "Contact e-mail", "联系邮箱")
    d.add("relation", "customer", "Customer", "客户")
    d.add("subform", "lines", "Lines", "明细")
    d.drop_into("number", "lines", "qty", "Quantity", "数量")
    d.drop_into("amount", "lines", "price", "Unit price", "单价")
    d.drop_into("formula", "lines", "subtotal", "Subtotal", "小计")
    editor = d.props.get_by_test_id("formula-editor")
    editor.locator("summary").click()
    chips = editor.get_by_test_id("field-chip")  # the row's fields, not the form's
    expect(chips).to_have_count(3)
    for name in ("Quantity", "Unit price", "Subtotal"):
        expect(chips.filter(has_text=name)).to_have_count(1)
    editor.get_by_test_id("formula-input").fill("qty * amount")  # the form's, not the row's
    expect(editor.get_by_test_id("formula-error")).to_contain_text("amount")
    editor.get_by_test_id("formula-input").fill("qty * price")
    expect(editor.get_by_test_id("formula-status")).to_contain_text("result: number")
    d.drop_into("relation", "lines", "product", "Product", "产品")
    d.add("formula", "total", "Total", "合计")
    editor = d.props.get_by_test_id("formula-editor")
    editor.get_by_test_id("formula-input").fill("SUM(lines.subtotal) *")
    expect(editor.get_by_test_id("formula-error")).to_contain_text("ends too early")
    editor.get_by_test_id("formula-input").fill("SUM(lines.subtotal)")
    expect(editor.get_by_test_id("formula-status")).to_contain_text("result: number")
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    checkpoints.take(page, "designer")
    doc_screenshot(page, "designer.png")
    page.get_by_test_id("canvas").click(position={"x": 5, "y": 5})
    page.get_by_test_id("title-field").select_option("title")

    page.get_by_test_id("publish").click()
    plan = page.get_by_test_id("plan-dialog")
    expect(plan.get_by_test_id("plan-step").first).to_be_visible()
    expect(plan).to_contain_text("CREATE TABLE")
    plan.get_by_test_id("confirm-publish").click()
    expect(plan.get_by_test_id("published")).to_contain_text("version 1")
    plan.get_by_test_id("open-form").click()
    expect(page).to_have_url(re.compile(r"/apps/crm/forms/contract$"))


def fill_contract(page: Page, checkpoints: Checkpoints) -> None:
    """The user's part: a new contract, a wrong e-mail first, then saved."""
    page.get_by_test_id("new-record").click()
    form = page.get_by_test_id("record-form")
    page.locator("#f-title").fill("年度框架合同 Annual frame contract")
    page.locator("#f-amount").fill("120000.50")
    page.locator("#f-sign_date").fill("2026-11-30")
    page.locator("#f-stage").select_option(label="Option 2")
    page.locator("#f-vip").check()
    page.locator("#f-email").fill("not-an-email")
    customer = page.get_by_test_id("picker-customer")
    customer.get_by_test_id("picker-input").fill("华为")
    customer.get_by_test_id("picker-option").filter(has_text="华为").click()
    expect(customer).to_contain_text("华为 Huawei")
    page.get_by_test_id("add-row-lines").click()
    row = page.get_by_test_id("row-lines").first
    row.get_by_label("Quantity").fill("3")
    expect(row.get_by_test_id("computed-lines-subtotal")).to_have_text("")
    row.get_by_label("Unit price").fill("100.50")
    expect(row.get_by_test_id("computed-lines-subtotal")).to_have_text("301.5")
    row.get_by_test_id("picker-input").fill("腾讯")
    row.get_by_test_id("picker-option").filter(has_text="腾讯").click()
    expect(page.get_by_test_id("computed-total")).to_have_text("301.5")
    checkpoints.take(page, "form")
    doc_screenshot(page, "form-fill.png")

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-email")).to_contain_text("e-mail")
    expect(form.get_by_test_id("form-alert")).to_be_visible()
    page.locator("#f-email").fill("li.lei@example.com")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    detail = page.get_by_test_id("record-detail")
    expect(detail.get_by_test_id("value-total")).to_have_text("301.5")
    expect(detail.get_by_test_id("value-customer")).to_contain_text("华为 Huawei")
    saved_row = detail.get_by_test_id("value-lines").locator("tbody tr")
    expect(saved_row).to_have_count(1)
    for shown in ("CNY 100.5", "301.5", "腾讯 Tencent"):
        expect(saved_row).to_contain_text(shown)


def find_edit_and_read_history(page: Page, checkpoints: Checkpoints) -> None:
    """Filter the list to the contract, edit its amount, and see both changes in history."""
    page.goto("/apps/crm/forms/contract")
    rows = page.get_by_test_id("record-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("total")).to_have_text("2 records")
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-field").select_option("title")
    page.get_by_test_id("filter-op").select_option("contains")
    page.get_by_test_id("filter-value").fill("框架")
    page.get_by_test_id("add-condition").click()
    expect(page.get_by_test_id("conditions")).to_contain_text("contains 框架")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("年度框架合同")
    expect(page.get_by_test_id("total")).to_have_text("1 record")
    checkpoints.take(page, "list")
    doc_screenshot(page, "list.png")

    rows.first.get_by_role("link").first.click()
    page.get_by_test_id("edit-record").click()
    page.locator("#f-amount").fill("99000")
    page.get_by_test_id("submit").click()
    detail = page.get_by_test_id("record-detail")
    expect(detail.get_by_test_id("value-amount")).to_contain_text("99000")
    page.get_by_test_id("tab-history").click()
    entries = page.get_by_test_id("history-entry")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("changed")
    expect(entries.first).to_contain_text("Amount")
    expect(entries.first).to_contain_text("99000")
    checkpoints.take(page, "history")


def open_app_to_members(admin_client: Any) -> None:
    """Every user joins the app; members read customers and add and edit their contracts."""
    assert admin_client.patch("/api/apps/crm/roles/member", json={"all_users": True}).is_success
    for form, preset in (("customer", "view_all"), ("contract", "view_all_edit_own")):
        url = f"/api/apps/crm/roles/member/forms/{form}"
        assert admin_client.put(url, json={"preset": preset}).is_success


def test_analyst_builds_and_publishes_then_user_fills_finds_edits(
    page: Page,
    admin: dict[str, Any],
    admin_client: Any,
    make_user: Any,
    crm: None,
    checkpoints: Checkpoints,
    page_problems: PageProblems,
) -> None:
    # the first submit has an invalid e-mail: the form shows the API's 422 next to the field
    page_problems.expect_refusal(422, "/api/apps/crm/forms/contract/records")
    page.set_viewport_size({"width": 1360, "height": 900})
    sign_in(page, "admin", ADMIN_PASSWORD)
    build_contract_form(page, checkpoints)
    admin_client.post(
        "/api/apps/crm/forms/contract/records", json={"values": {"title": "Other 其他合同"}}
    )
    open_app_to_members(admin_client)
    make_user("li", display_name="李雷 Li Lei")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, "li", USER_PASSWORD)
    page.goto("/apps/crm/forms/contract")
    fill_contract(page, checkpoints)
    find_edit_and_read_history(page, checkpoints)
    expect(page.get_by_test_id("history-entry").first).to_contain_text("李雷 Li Lei")
