"""The rest of the workspace in a browser: menu groups, designer undo/redo and phone preview,
"create new" from a relation picker, saved views, bulk delete, related records, comments,
and a phone-width form in Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.api.web_helpers import CUSTOMER, DEAL
from tests.conftest import ADMIN_PASSWORD
from tests.e2e.conftest import PageProblems
from tests.e2e.test_form_journey import sign_in

pytestmark = pytest.mark.e2e


def drag(page: Page, source: Any, target: Any) -> None:
    """Drags an element to the end of a drop area with the mouse, in small steps."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None
    assert end is not None
    page.mouse.move(start["x"] + 20, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] + 30, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 4, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 3, steps=3)
    page.mouse.up()


@pytest.fixture
def crm(admin_client: Any) -> None:
    """App crm: customers, and deals relating to them."""
    assert (
        admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).status_code
        == 201
    )
    for spec in (CUSTOMER, DEAL):
        assert admin_client.post("/api/apps/crm/forms", json=spec).status_code == 201
        assert admin_client.post(f"/api/apps/crm/forms/{spec['key']}/publish").status_code == 200
    customer = admin_client.post(
        "/api/apps/crm/forms/customer/records", json={"values": {"name": "华为", "city": "深圳"}}
    ).json()
    for title, amount in (("Alpha", "50"), ("Beta", "500"), ("Gamma", "5000")):
        values = {"title": title, "amount": amount, "customer": customer["_id"]}
        created = admin_client.post("/api/apps/crm/forms/deal/records", json={"values": values})
        assert created.status_code == 201, created.text


def test_a_link_in_the_menu(page: Page, admin: Any, crm: None, page_problems: PageProblems) -> None:
    page_problems.expect_refusal(422, "/api/apps/crm/menu")  # the javascript: address
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/apps/crm")
    page.get_by_test_id("edit-menu").click()
    editor = page.locator("dialog#menu-editor")
    editor.get_by_test_id("add-menu-link").click()
    node = editor.locator(".menu-link-node")
    node.get_by_placeholder("Link name").fill("帮助")
    node.get_by_placeholder("English").fill("Help")
    node.get_by_label("Address").fill("javascript:alert(1)")
    editor.get_by_test_id("save-menu").click()
    expect(editor.get_by_role("alert")).to_contain_text("http(s)")
    node.get_by_label("Address").fill("/apps/crm/forms/deal")
    editor.get_by_test_id("save-menu").click()
    link = page.get_by_test_id("app-menu").get_by_test_id("menu-link")
    expect(link).to_have_text("Help")
    link.click()
    expect(page).to_have_url(re.compile(r"/apps/crm/forms/deal$"))


def test_menu_groups_and_designer_undo_redo_preview(page: Page, admin: Any, crm: None) -> None:
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/apps/crm")
    page.get_by_test_id("edit-menu").click()
    editor = page.locator("dialog#menu-editor")
    editor.get_by_role("button", name="Add group").click()
    editor.get_by_placeholder("Group name").fill("销售")
    editor.get_by_placeholder("English").fill("Sales")
    editor.get_by_test_id("save-menu").click()
    expect(page.get_by_test_id("app-menu")).to_contain_text("Sales")

    page.get_by_test_id("design-deal").click()
    canvas = page.get_by_test_id("canvas")
    expect(canvas.get_by_test_id("cv-field-title")).to_be_visible()
    page.get_by_test_id("palette-phone").click()
    expect(canvas.get_by_test_id("cv-field-phone_1")).to_be_visible()
    canvas.get_by_test_id("cv-field-phone_1").get_by_role("button", name="Delete").click()
    expect(canvas.get_by_test_id("cv-field-phone_1")).to_have_count(0)
    page.get_by_test_id("undo").click()
    expect(canvas.get_by_test_id("cv-field-phone_1")).to_be_visible()
    page.get_by_test_id("undo").click()
    expect(canvas.get_by_test_id("cv-field-phone_1")).to_have_count(0)
    page.get_by_test_id("redo").click()
    expect(canvas.get_by_test_id("cv-field-phone_1")).to_be_visible()

    page.get_by_test_id("palette-section").focus()
    page.keyboard.press("Enter")
    section = canvas.get_by_test_id("cv-section")
    expect(section).to_be_visible()
    page.get_by_test_id("layout-props").get_by_test_id("layout-label-zh").fill("联系方式")
    page.get_by_test_id("layout-props").get_by_test_id("layout-label-en").fill("Contact")
    drag(page, canvas.get_by_test_id("cv-field-phone_1"), section.locator(".cv-drop"))
    expect(section.get_by_test_id("cv-field-phone_1")).to_be_visible()
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.reload()
    expect(canvas.get_by_test_id("cv-section").get_by_test_id("cv-field-phone_1")).to_be_visible()
    expect(canvas.get_by_test_id("cv-section")).to_contain_text("Contact")

    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    dialog = page.get_by_test_id("preview-dialog")
    dialog.get_by_test_id("preview-phone").click()
    expect(dialog.locator("iframe.preview-frame.phone")).to_be_visible()
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_test_id("preview-notice")).to_be_visible()
    expect(frame.get_by_test_id("field-phone_1")).to_be_visible()
    expect(frame.get_by_test_id("submit")).to_be_disabled()


def test_create_related_record_from_the_picker(page: Page, admin: Any, crm: None) -> None:
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/apps/crm/forms/deal/new")
    page.locator("#f-title").fill("Delta")
    picker = page.get_by_test_id("picker-customer")
    picker.get_by_test_id("picker-input").click()
    picker.get_by_test_id("picker-create").click()
    embedded = page.frame_locator(".create-frame")
    embedded.locator("#f-name").fill("腾讯")
    embedded.locator("#f-city").fill("深圳南山")
    embedded.get_by_test_id("submit").click()
    expect(picker).to_contain_text("腾讯")
    expect(page.locator("#f-city")).to_have_value("深圳南山")  # filled from the related record
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    expect(page.get_by_test_id("value-customer")).to_contain_text("腾讯")


def test_saved_view_bulk_delete_related_and_comments(page: Page, admin: Any, crm: None) -> None:
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/apps/crm/forms/deal")
    rows = page.get_by_test_id("record-row")
    expect(rows).to_have_count(3)
    page.get_by_test_id("filter-button").click()
    page.get_by_test_id("filter-field").select_option("amount")
    page.get_by_test_id("filter-op").select_option("ge")
    page.get_by_test_id("filter-value").fill("100")
    page.get_by_test_id("add-condition").click()
    expect(rows).to_have_count(2)
    page.get_by_test_id("save-view-button").click()
    page.get_by_test_id("view-name").fill("Big deals 大单")
    page.get_by_test_id("save-view").click()
    page.get_by_test_id("view-select").select_option(label="Big deals 大单")
    page.reload()
    expect(rows).to_have_count(3)
    page.get_by_test_id("view-select").select_option(label="Big deals 大单")
    expect(rows).to_have_count(2)

    rows.filter(has_text="Beta").get_by_role("checkbox").check()
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("bulk-delete").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Gamma")

    page.goto("/apps/crm/forms/customer")
    page.get_by_test_id("record-row").first.get_by_role("link").first.click()
    page.get_by_test_id("tab-related-deal").click()
    related = page.get_by_test_id("related-deal")
    expect(related.get_by_role("link")).to_have_count(2)
    expect(related).to_contain_text("Alpha")
    expect(related).not_to_contain_text("Beta")

    page.get_by_test_id("tab-comments").click()
    page.get_by_test_id("comment-input").fill("下周拜访 visit next week")
    page.get_by_test_id("comment-send").click()
    expect(page.get_by_test_id("comment")).to_contain_text("visit next week")
    page.reload()
    page.get_by_test_id("tab-comments").click()
    expect(page.get_by_test_id("comment")).to_have_count(1)


def test_phone_width_in_chinese_keeps_long_labels_inside(
    page: Page, admin: Any, admin_client: Any, crm: None, page_problems: PageProblems
) -> None:
    page_problems.expect_refusal(422, "/api/apps/crm/forms/memo/records")  # the required title
    long_label = "客户所在省份城市区县以及详细街道门牌号码和联系人的完整通讯地址信息" * 2
    memo = {
        "key": "memo",
        "name": {"zh": "拜访记录与客户沟通纪要（含后续跟进计划）"},
        "fields": [
            {"key": "title", "type": "text", "label": {"zh": long_label}, "required": True},
            {"key": "place", "type": "address", "label": {"zh": long_label}},
            {
                "key": "lines",
                "type": "subform",
                "label": {"zh": long_label},
                "fields": [{"key": "note", "type": "text", "label": {"zh": long_label}}],
            },
        ],
    }
    assert admin_client.post("/api/apps/crm/forms", json=memo).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/memo/publish").status_code == 200
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/lang/zh-CN?next=/apps/crm/forms/memo/new")
    expect(page.get_by_test_id("submit")).to_have_text("提交")
    page.get_by_test_id("add-row-lines").click()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-title")).to_have_text("必填项。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
)


def test_uploads_signature_and_address(
    page: Page, admin: Any, admin_client: Any, crm: None
) -> None:
    visit = {
        "key": "visit",
        "name": {"en": "Visit"},
        "fields": [
            {"key": "files", "type": "attachment", "label": {"en": "Files"}},
            {"key": "photos", "type": "image", "label": {"en": "Photos"}},
            {"key": "sign", "type": "signature", "label": {"en": "Signature"}},
            {"key": "place", "type": "address", "label": {"en": "Place"}},
        ],
    }
    assert admin_client.post("/api/apps/crm/forms", json=visit).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/visit/publish").status_code == 200
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.goto("/apps/crm/forms/visit/new")
    files = page.get_by_test_id("field-files")
    files.get_by_test_id("file-input").set_input_files(
        {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 contract"}
    )
    expect(files.get_by_role("link", name="合同.pdf")).to_be_visible()
    photos = page.get_by_test_id("field-photos")
    photos.get_by_test_id("file-input").set_input_files(
        {"name": "dot.png", "mimeType": "image/png", "buffer": PNG_1X1}
    )
    expect(photos.locator("img.thumb")).to_be_visible()
    pad = page.locator("canvas.sig-pad")
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 60, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Use signature").click()
    expect(page.locator("img.sig-image")).to_be_visible()
    place = page.locator("#f-place select")
    place.nth(0).select_option("广东省")
    place.nth(1).select_option("深圳市")
    place.nth(2).select_option("南山区")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    expect(page.get_by_test_id("value-files")).to_contain_text("合同.pdf")
    expect(page.get_by_test_id("value-sign").locator("img")).to_be_visible()
    expect(page.get_by_test_id("value-place")).to_have_text("广东省 深圳市 南山区")
