"""An admin signs in through the login page, sees the app list, creates an app and signs out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_PASSWORD
from tests.e2e.conftest import PageProblems

pytestmark = pytest.mark.e2e


def test_wrong_password_shows_error_then_login_reaches_app_list(
    page: Page, admin: dict[str, Any], page_problems: PageProblems
) -> None:
    page_problems.expect_refusal(401, "/api/auth/login")  # the wrong password, shown in the alert
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))

    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")

    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My apps")).to_be_visible()
    expect(page.get_by_test_id("app-list-empty")).to_be_visible()


def test_admin_creates_an_app_and_switches_language(
    page: Page, admin: dict[str, Any], page_problems: PageProblems
) -> None:
    page_problems.expect_refusal(422, "/api/apps")  # "Bad Key", shown under the key
    page.goto("/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_test_id("new-app").click()
    dialog = page.locator("dialog#new-app")
    dialog.get_by_label("Name (Chinese)").fill("客户管理")
    dialog.get_by_label("Name (English)").fill("CRM")
    dialog.get_by_label("Key (ASCII, e.g. crm)").fill("Bad Key")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog.locator(".field-error")).to_be_visible()

    dialog.get_by_label("Key (ASCII, e.g. crm)").fill("crm")
    dialog.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/apps/crm$"))
    expect(page.get_by_role("heading", name="CRM")).to_be_visible()

    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", name="客户管理")).to_be_visible()
    page.goto("/")
    expect(page.get_by_test_id("app-list")).to_contain_text("客户管理")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login$"))
