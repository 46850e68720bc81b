"""A signed-out visitor follows crafted sign-in links: no script runs and sign-in stays on this
site; the API docs work under the page policy."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

OFFSITE = [
    "/\\\\example.org/",
    "/\t/example.org/",
    "//example.org",
    "https://example.org",
    "/\\texample",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: hijacked=1",
]


def test_next_on_the_sign_in_page_runs_no_script(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/login?next=" + quote("/x'),alert(1),('", safe=""))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    page.get_by_label("Username").fill("nobody")  # the form is bound: Alpine read its data
    assert page.evaluate("Alpine.$data(document.querySelector('.login-card')).username") == (
        "nobody"
    )
    assert dialogs == []


@pytest.mark.parametrize("target", OFFSITE)
def test_sign_in_with_an_offsite_next_lands_on_the_app_list(
    page: Page, admin: dict[str, Any], live_server: str, target: str
) -> None:
    page.goto("/login?next=" + quote(target, safe=""))
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My apps")).to_be_visible()
    assert page.url == live_server + "/"


def test_sign_in_script_goes_only_to_a_path_on_this_site(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    checked = page.evaluate(
        """(targets) => targets.map((t) => jimu.localPath(t))""",
        [*OFFSITE, "/apps/crm?x=1#top", None],
    )
    assert checked == ["/"] * len(OFFSITE) + ["/apps/crm?x=1#top", "/"]


def test_api_docs_render_under_the_policy(page: Page) -> None:
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Jimu API")
