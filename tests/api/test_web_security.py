"""Pages against script injection, open redirects and framing: what the server sends."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from jimu.platform.web.render import safe_next
from tests.api.web_helpers import make_app
from tests.conftest import ADMIN_PASSWORD

OFFSITE = [
    "/\\\\example.org/",
    "/\\example.org",
    "/\t/example.org/",
    "/\\texample",
    "/\texample",
    "/\n/example.org",
    "//example.org",
    "///example.org",
    "https://example.org",
    "javascript:alert(1)",
    "/\r\nSet-Cookie: hijacked=1",
    "/\x00/example.org",
    "/\u2028/example.org",
    " /x",
    "example.org",
    "",
]
LOCAL = ["/", "/apps/crm", "/apps/crm/forms/deal?page=2#top", "/apps/客户", "/x'),alert(1),('"]


class _Attributes(HTMLParser):
    """Every (tag, attribute, decoded value) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend((tag, name, value or "") for name, value in attrs)


def attribute(page: str, name: str) -> str:
    """The decoded value of the first ``name`` attribute of ``page``."""
    parser = _Attributes()
    parser.feed(page)
    return next(value for _, attr, value in parser.found if attr == name)


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_next_refuses_anything_but_a_path_on_this_site(target: str) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", LOCAL)
def test_safe_next_keeps_a_path_on_this_site(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFFSITE)
def test_redirects_after_sign_in_and_language_switch_stay_on_this_site(
    admin, login, target: str
) -> None:
    browser = login("admin", ADMIN_PASSWORD)
    for path in ("/login", "/lang/en"):
        response = browser.get(path, params={"next": target}, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/", (path, target)


@pytest.mark.parametrize("target", OFFSITE)
def test_login_page_hands_the_script_only_this_site(client, target: str) -> None:
    page = client.get("/login", params={"next": target}).text
    assert attribute(page, "x-data") == 'jimu.loginForm("/")'


def test_login_page_passes_next_as_a_json_literal(client) -> None:
    target = "/x'),alert(1),('"
    response = client.get("/login", params={"next": target})
    assert response.status_code == 200
    call = attribute(response.text, "x-data")
    assert call.startswith("jimu.loginForm(")
    assert call.endswith(")")
    assert json.loads(call.removeprefix("jimu.loginForm(").removesuffix(")")) == target
    assert "loginForm('" not in html.unescape(response.text)


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-eval'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    """The response's Content-Security-Policy as {directive: sources}."""
    directives = (
        d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")
    )
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.fixture
def signed_in(admin_client, admin, login):
    make_app(admin_client)
    admin_client.post("/api/apps/crm/forms/deal/records", json={"values": {"title": "合同"}})
    return login("admin", ADMIN_PASSWORD)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/apps/crm",
        "/apps/crm/roles",
        "/apps/crm/forms/deal",
        "/apps/crm/forms/deal/design",
        "/apps/crm/forms/deal/records/1",
        "/apps/nope",  # the 404 page
        "/apps/crm/forms/nope/design",
    ],
)
def test_html_pages_carry_the_policy_and_refuse_framing(signed_in, path: str) -> None:
    response = signed_in.get(path)
    assert response.headers["content-type"].startswith("text/html")
    assert policy(response) == POLICY
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_sign_in_and_forbidden_pages_carry_the_policy(client, admin_client, make_user, login):
    assert policy(client.get("/login")) == POLICY
    make_app(admin_client)
    admin_client.patch("/api/apps/crm/roles/member", json={"all_users": True})
    make_user("li")
    refused = login("li", "user-pass-1").get("/apps/crm/forms/deal/new")
    assert refused.status_code == 403
    assert policy(refused) == POLICY
    assert refused.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "path", ["/apps/crm/forms/deal/new?embed=1", "/apps/crm/forms/deal/preview"]
)
def test_pages_framed_by_the_designer_may_be_framed_by_this_site_only(signed_in, path: str) -> None:
    response = signed_in.get(path)
    assert response.status_code == 200
    assert policy(response) == {**POLICY, "frame-ancestors": "'self'"}
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_api_docs_run_their_one_inline_script_by_nonce(client) -> None:
    first, second = client.get("/docs"), client.get("/docs")
    nonce = re.search(r"'nonce-([^']+)'", policy(first)["script-src"])
    assert nonce is not None
    assert policy(first)["script-src"] == f"'self' 'unsafe-eval' 'nonce-{nonce.group(1)}'"
    assert f'<script nonce="{nonce.group(1)}">' in first.text
    assert "<script>" not in first.text
    assert nonce.group(1) not in second.text  # a fresh nonce per response
    assert first.headers["x-frame-options"] == "DENY"


def test_json_api_answers_need_no_page_policy(client, admin_client) -> None:
    for response in (client.get("/healthz"), admin_client.get("/api/apps"), client.get("/api/me")):
        assert response.headers["content-type"].startswith(
            ("application/json", "application/problem")
        )
        assert "content-security-policy" not in response.headers
        assert "x-frame-options" not in response.headers
