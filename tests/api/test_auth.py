"""Signing in and out, session cookies, login throttling, CSRF and personal API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from fastapi import FastAPI
from itsdangerous import Signer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from jimu.platform.apps.models import App
from jimu.platform.auth.models import ApiToken, LoginAttempt, LoginSession
from jimu.platform.db import transaction, utcnow
from jimu.platform.org.models import User
from jimu.platform.settings import Settings
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, JimuClient

WRONG_LOGIN = "Wrong username or password."
LOGIN = "/api/auth/login"


def problem(response: Any, status: int) -> dict[str, Any]:
    """Asserts ``response`` is a problem document with ``status`` and returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    return body


def set_cookies(response: Any) -> dict[str, Any]:
    """The cookies a response sets, parsed with their attributes."""
    parsed: dict[str, Any] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            parsed[name] = morsel
    return parsed


def count(factory: sessionmaker[Session], model: Any, *where: Any) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def credentials(username: str, password: str = USER_PASSWORD) -> dict[str, str]:
    return {"username": username, "password": password}


@pytest.fixture
def li(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """An ordinary member."""
    return make_user("li.lei", display_name="李雷")


@pytest.fixture
def anonymous(app: FastAPI) -> Any:
    """Opens plain clients (no automatic CSRF header), closed after the test."""
    opened: list[TestClient] = []

    def open_client(**kwargs: Any) -> TestClient:
        c = TestClient(app, **kwargs)
        c.__enter__()
        opened.append(c)
        return c

    yield open_client
    for c in opened:
        c.__exit__(None, None, None)


# --- signing in ------------------------------------------------------------------------------


def test_login_sets_an_httponly_samesite_lax_cookie_and_a_session_row(
    client: JimuClient, li: dict[str, Any], settings: Settings, session_factory: Any
) -> None:
    response = client.post(LOGIN, json=credentials("li.lei"), headers={"User-Agent": "pytest-ua"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == li["id"]
    assert body["user"]["username"] == "li.lei"
    assert body["user"]["display_name"] == "李雷"
    assert body["expires_at"]

    cookie = set_cookies(response)["jimu_session"]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == settings.session_hours * 3600
    assert not cookie["secure"]  # the test settings run without HTTPS

    with session_factory() as session:
        rows = list(session.scalars(select(LoginSession).where(LoginSession.user_id == li["id"])))
        user = session.get(User, li["id"])
        assert user is not None
        assert user.last_login_at is not None
    assert len(rows) == 1
    row = rows[0]
    assert row.user_agent == "pytest-ua"
    assert row.expires_at > utcnow() + timedelta(hours=settings.session_hours - 1)
    assert row.id not in cookie.value  # only a hash of the secret is stored

    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["auth"] == "session"


def test_each_login_opens_its_own_session(
    client: JimuClient, li: dict[str, Any], app: FastAPI, session_factory: Any
) -> None:
    with JimuClient(app) as other:
        assert other.post(LOGIN, json=credentials("li.lei")).status_code == 200
    assert client.post(LOGIN, json=credentials("li.lei")).status_code == 200
    assert count(session_factory, LoginSession, LoginSession.user_id == li["id"]) == 2


def test_login_strips_spaces_around_the_username(client: JimuClient, li: dict[str, Any]) -> None:
    response = client.post(LOGIN, json=credentials("  li.lei  "))
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "li.lei"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("li.lei", "wrong-password"),
        ("nobody", USER_PASSWORD),
        ("inactive", USER_PASSWORD),
        ("LI.LEI", USER_PASSWORD),
    ],
    ids=["wrong-password", "unknown-user", "inactive-user", "other-case"],
)
def test_failed_logins_all_get_the_same_401(
    client: JimuClient,
    li: dict[str, Any],
    make_user: Callable[..., dict[str, Any]],
    session_factory: Any,
    username: str,
    password: str,
) -> None:
    make_user("inactive", is_active=False)
    response = client.post(LOGIN, json=credentials(username, password))
    body = problem(response, 401)
    assert body["code"] == "not_authenticated"
    assert body["title"] == "Not signed in"
    assert body["detail"] == WRONG_LOGIN
    assert "errors" not in body
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "jimu_session" not in set_cookies(response)
    assert "jimu_session" not in client.cookies
    assert count(session_factory, LoginSession) == 0
    with session_factory() as session:
        attempts = list(session.scalars(select(LoginAttempt)))
    assert [(a.username, a.succeeded) for a in attempts] == [(username, False)]


def test_wrong_login_message_in_chinese(client: JimuClient, li: dict[str, Any]) -> None:
    response = client.post(
        LOGIN, json=credentials("li.lei", "nope-nope"), headers={"Accept-Language": "zh-CN"}
    )
    body = problem(response, 401)
    assert body["title"] == "未登录"
    assert body["detail"] == "用户名或密码错误。"
    assert response.headers["content-language"] == "zh-CN"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"username": "li.lei"},
        {"password": USER_PASSWORD},
        {"username": "", "password": USER_PASSWORD},
        {"username": "li.lei", "password": ""},
        {"username": "li.lei", "password": USER_PASSWORD, "remember": True},
        {"username": ["li.lei"], "password": USER_PASSWORD},
    ],
)
def test_malformed_login_bodies_are_422(
    client: JimuClient, li: dict[str, Any], session_factory: Any, payload: dict[str, Any]
) -> None:
    body = problem(client.post(LOGIN, json=payload), 422)
    assert body["code"] == "validation_failed"
    assert body["errors"]
    assert count(session_factory, LoginSession) == 0


# --- signing out and cookie checks -----------------------------------------------------------


def test_logout_deletes_the_session_and_the_cookie_stops_working(
    login: Callable[[str, str], JimuClient],
    li: dict[str, Any],
    anonymous: Any,
    session_factory: Any,
) -> None:
    me = login("li.lei", USER_PASSWORD)
    stolen = me.cookies.get("jimu_session")
    assert count(session_factory, LoginSession) == 1

    response = me.post("/api/auth/logout")
    assert response.status_code == 204
    assert response.content == b""
    cleared = set_cookies(response)["jimu_session"]
    assert cleared.value == "" or int(cleared["max-age"] or 0) <= 0
    assert count(session_factory, LoginSession) == 0

    problem(me.get("/api/me"), 401)
    replay = anonymous(cookies={"jimu_session": stolen})
    body = problem(replay.get("/api/me"), 401)
    assert body["code"] == "not_authenticated"


def test_logout_only_ends_the_callers_session(
    login: Callable[[str, str], JimuClient], li: dict[str, Any], session_factory: Any
) -> None:
    laptop = login("li.lei", USER_PASSWORD)
    phone = login("li.lei", USER_PASSWORD)
    assert laptop.post("/api/auth/logout").status_code == 204
    problem(laptop.get("/api/me"), 401)
    assert phone.get("/api/me").status_code == 200
    assert count(session_factory, LoginSession) == 1


def test_logout_needs_a_caller(client: JimuClient) -> None:
    problem(client.post("/api/auth/logout"), 401)


def test_logout_with_a_token_ends_nothing(
    login: Callable[[str, str], JimuClient],
    li: dict[str, Any],
    app: FastAPI,
    token_for: Callable[[int], str],
    session_factory: Any,
) -> None:
    browser = login("li.lei", USER_PASSWORD)
    with JimuClient(app, headers={"Authorization": f"Bearer {token_for(li['id'])}"}) as bearer:
        assert bearer.post("/api/auth/logout").status_code == 204
        assert bearer.get("/api/me").status_code == 200
    assert browser.get("/api/me").status_code == 200
    assert count(session_factory, LoginSession) == 1


def _sign(secret: str, raw: str) -> str:
    return Signer(secret, salt="jimu.session").sign(raw).decode()


def test_tampered_forged_and_unknown_cookies_are_401(
    client: JimuClient, li: dict[str, Any], anonymous: Any, settings: Settings
) -> None:
    assert client.post(LOGIN, json=credentials("li.lei")).status_code == 200
    good: str = client.cookies.get("jimu_session")
    raw, _, signature = good.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    candidates = {
        "bad signature": f"{raw}.{flipped}",
        "changed secret": f"{raw[:-1]}{'x' if raw[-1] != 'x' else 'y'}.{signature}",
        "no signature": raw,
        "garbage": "not-a-session",
        "signed with another key": _sign("some-other-secret", raw),
        "validly signed, never issued": _sign(settings.secret_key, secrets.token_urlsafe(32)),
        "non-ascii": "%E4%BC%9A%E8%AF%9D",
    }
    for name, value in candidates.items():
        c = anonymous(cookies={"jimu_session": value})
        body = problem(c.get("/api/me"), 401)
        assert body["code"] == "not_authenticated", name
    assert anonymous(cookies={"jimu_session": good}).get("/api/me").status_code == 200


def test_an_expired_session_is_401(
    login: Callable[[str, str], JimuClient], li: dict[str, Any], session_factory: Any
) -> None:
    me = login("li.lei", USER_PASSWORD)
    with transaction(session_factory) as session:
        session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    body = problem(me.get("/api/me"), 401)
    assert body["detail"] == "Your session has expired; sign in again."


def test_expired_sessions_are_swept_on_the_next_login(
    client: JimuClient, li: dict[str, Any], session_factory: Any
) -> None:
    assert client.post(LOGIN, json=credentials("li.lei")).status_code == 200
    with transaction(session_factory) as session:
        session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(days=1)))
    assert client.post(LOGIN, json=credentials("li.lei")).status_code == 200
    with session_factory() as session:
        rows = list(session.scalars(select(LoginSession)))
    assert len(rows) == 1
    assert rows[0].expires_at > utcnow()


def test_a_deactivated_users_session_is_401(
    login: Callable[[str, str], JimuClient], li: dict[str, Any], session_factory: Any
) -> None:
    me = login("li.lei", USER_PASSWORD)
    with transaction(session_factory) as session:
        session.execute(update(User).where(User.id == li["id"]).values(is_active=False))
    problem(me.get("/api/me"), 401)


# --- throttling ------------------------------------------------------------------------------


def test_the_sixth_attempt_after_five_failures_is_429_even_with_the_right_password(
    client: JimuClient, li: dict[str, Any], settings: Settings, session_factory: Any
) -> None:
    for _ in range(settings.login_max_failures):
        problem(client.post(LOGIN, json=credentials("li.lei", "wrong-password")), 401)
    response = client.post(LOGIN, json=credentials("li.lei"))
    body = problem(response, 429)
    assert body["code"] == "too_many_requests"
    retry_after = int(response.headers["retry-after"])
    assert 0 < retry_after <= settings.login_window_minutes * 60 + 1
    assert body["retry_after"] == retry_after
    assert str(retry_after) in body["detail"]
    assert "jimu_session" not in set_cookies(response)
    assert count(session_factory, LoginSession) == 0
    # a throttled attempt is not even counted
    assert count(session_factory, LoginAttempt) == settings.login_max_failures


def test_four_failures_still_let_the_right_password_in(
    client: JimuClient, li: dict[str, Any], settings: Settings
) -> None:
    for _ in range(settings.login_max_failures - 1):
        problem(client.post(LOGIN, json=credentials("li.lei", "wrong-password")), 401)
    assert client.post(LOGIN, json=credentials("li.lei")).status_code == 200


def test_throttled_logins_answer_in_chinese(
    client: JimuClient, li: dict[str, Any], settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        client.post(LOGIN, json=credentials("li.lei", "wrong-password"))
    response = client.post(LOGIN, json=credentials("li.lei"), headers={"Accept-Language": "zh"})
    body = problem(response, 429)
    assert body["title"] == "请求过于频繁"
    assert "秒后重试" in body["detail"]


def test_failures_for_one_user_do_not_block_another(
    client: JimuClient,
    li: dict[str, Any],
    make_user: Callable[..., dict[str, Any]],
    settings: Settings,
) -> None:
    make_user("han.meimei")
    for _ in range(settings.login_max_failures):
        problem(client.post(LOGIN, json=credentials("li.lei", "wrong-password")), 401)
    problem(client.post(LOGIN, json=credentials("li.lei")), 429)
    ok = client.post(LOGIN, json=credentials("han.meimei"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["username"] == "han.meimei"


def test_failures_for_an_unknown_username_are_throttled_too(
    client: JimuClient, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        problem(client.post(LOGIN, json=credentials("ghost")), 401)
    problem(client.post(LOGIN, json=credentials("ghost")), 429)


def test_failures_older_than_the_window_are_forgotten(
    client: JimuClient, li: dict[str, Any], settings: Settings, session_factory: Any
) -> None:
    for _ in range(settings.login_max_failures):
        client.post(LOGIN, json=credentials("li.lei", "wrong-password"))
    problem(client.post(LOGIN, json=credentials("li.lei")), 429)
    past = utcnow() - timedelta(minutes=settings.login_window_minutes + 1)
    with transaction(session_factory) as session:
        session.execute(update(LoginAttempt).values(attempted_at=past))
    assert client.post(LOGIN, json=credentials("li.lei")).status_code == 200


def from_address(app: FastAPI, address: str) -> JimuClient:
    """A client whose requests come from ``address``."""
    client = JimuClient(app, client=(address, 50000))
    client.__enter__()
    return client


def test_failures_from_another_address_do_not_lock_a_user_out(
    app: FastAPI, li: dict[str, Any], settings: Settings
) -> None:
    attacker, owner = from_address(app, "203.0.113.9"), from_address(app, "198.51.100.7")
    try:
        for _ in range(settings.login_max_failures):
            problem(attacker.post(LOGIN, json=credentials("li.lei", "wrong-password")), 401)
        problem(attacker.post(LOGIN, json=credentials("li.lei")), 429)
        signed_in = owner.post(LOGIN, json=credentials("li.lei"))
        assert signed_in.status_code == 200, signed_in.text
    finally:
        attacker.__exit__(None, None, None)
        owner.__exit__(None, None, None)


def test_one_address_failing_for_many_usernames_is_throttled(
    app: FastAPI, li: dict[str, Any], settings: Settings
) -> None:
    spray, owner = from_address(app, "203.0.113.9"), from_address(app, "198.51.100.7")
    try:
        limit = settings.login_max_failures * 4
        for index in range(limit):
            problem(spray.post(LOGIN, json=credentials(f"guess{index}", "wrong")), 401)
        problem(spray.post(LOGIN, json=credentials("li.lei")), 429)
        assert owner.post(LOGIN, json=credentials("li.lei")).status_code == 200
    finally:
        spray.__exit__(None, None, None)
        owner.__exit__(None, None, None)


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(login: Callable[[str, str], JimuClient], admin: dict[str, Any]) -> JimuClient:
    """A platform admin signed in with the session cookie (and the CSRF cookie)."""
    c = login("admin", ADMIN_PASSWORD)
    assert c.cookies.get("jimu_csrftoken")
    return c


def _without_csrf_header(app: FastAPI, browser: JimuClient, anonymous: Any, **extra: str) -> Any:
    """A plain client with the browser's cookies that sends no X-CSRFToken by itself."""
    cookies = {name: browser.cookies.get(name) for name in ("jimu_session", "jimu_csrftoken")}
    cookies.update(extra)
    return anonymous(cookies={k: v for k, v in cookies.items() if v is not None})


def _app_row(session_factory: Any, key: str) -> App | None:
    with session_factory() as session:
        return session.scalar(select(App).where(App.key == key))


def test_cookie_writes_without_the_csrf_header_are_403_and_write_nothing(
    app: FastAPI, admin_browser: JimuClient, anonymous: Any, session_factory: Any
) -> None:
    assert admin_browser.post("/api/apps", json={"key": "kept", "name": {"en": "Kept"}}).is_success
    bare = _without_csrf_header(app, admin_browser, anonymous)
    attempts = [
        bare.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}),
        bare.patch("/api/apps/kept", json={"name": {"en": "Changed"}}),
        bare.delete("/api/apps/kept"),
        bare.post("/api/auth/tokens", json={"name": "sneaky"}),
        bare.post("/api/auth/logout"),
    ]
    for response in attempts:
        body = problem(response, 403)
        assert body["code"] == "csrf_failed"
        assert body["errors"][0]["field"] == "X-CSRFToken"
    assert _app_row(session_factory, "crm") is None
    kept = _app_row(session_factory, "kept")
    assert kept is not None
    assert kept.name == {"zh": "", "en": "Kept"}
    assert count(session_factory, ApiToken) == 0
    assert count(session_factory, LoginSession) == 1
    assert bare.get("/api/me").status_code == 200  # reads need no header


@pytest.mark.parametrize(
    "value", ["", "forged", "a.b.c", "other-client"], ids=["empty", "forged", "junk", "stolen"]
)
def test_cookie_writes_with_a_wrong_csrf_header_are_403(
    app: FastAPI,
    admin_browser: JimuClient,
    anonymous: Any,
    session_factory: Any,
    value: str,
) -> None:
    if value == "other-client":
        other = anonymous()
        other.get("/healthz")
        value = other.cookies.get("jimu_csrftoken")  # validly signed, but not this browser's
        assert value
        assert value != admin_browser.cookies.get("jimu_csrftoken")
    bare = _without_csrf_header(app, admin_browser, anonymous)
    headers = {"X-CSRFToken": value}
    body = {"key": "crm", "name": {"en": "CRM"}}
    assert problem(bare.post("/api/apps", json=body, headers=headers), 403)["code"] == "csrf_failed"
    assert _app_row(session_factory, "crm") is None


def test_a_session_cookie_without_the_csrf_cookie_is_403(
    app: FastAPI, admin_browser: JimuClient, anonymous: Any, session_factory: Any
) -> None:
    token = admin_browser.cookies.get("jimu_csrftoken")
    bare = anonymous(cookies={"jimu_session": admin_browser.cookies.get("jimu_session")})
    response = bare.post(
        "/api/apps", json={"key": "crm", "name": {"en": "CRM"}}, headers={"X-CSRFToken": token}
    )
    assert problem(response, 403)["code"] == "csrf_failed"
    assert _app_row(session_factory, "crm") is None


def test_the_right_csrf_header_lets_cookie_writes_through(
    admin_browser: JimuClient, session_factory: Any
) -> None:
    created = admin_browser.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    assert created.status_code == 201
    patched = admin_browser.patch("/api/apps/crm", json={"name": {"zh": "客户"}})
    assert patched.status_code == 200
    assert admin_browser.delete("/api/apps/crm").status_code == 204
    assert _app_row(session_factory, "crm") is None


def test_csrf_problems_answer_in_chinese(
    app: FastAPI, admin_browser: JimuClient, anonymous: Any
) -> None:
    bare = _without_csrf_header(app, admin_browser, anonymous)
    response = bare.post("/api/apps", json={}, headers={"Accept-Language": "zh-CN"})
    body = problem(response, 403)
    assert body["title"] == "CSRF 校验失败"


def test_bearer_token_writes_need_no_csrf_header(
    admin_client: JimuClient, session_factory: Any
) -> None:
    assert "jimu_csrftoken" not in admin_client.cookies
    headers = {"X-CSRFToken": "ignored"}
    created = admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    assert created.status_code == 201, created.text
    patched = admin_client.patch("/api/apps/crm", json={"sort_order": 3}, headers=headers)
    assert patched.status_code == 200
    assert patched.json()["sort_order"] == 3
    assert admin_client.delete("/api/apps/crm").status_code == 204
    assert _app_row(session_factory, "crm") is None


def test_anonymous_writes_get_401_not_403(client: JimuClient) -> None:
    body = problem(client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}), 401)
    assert body["code"] == "not_authenticated"


# --- /api/me ---------------------------------------------------------------------------------


def test_me_for_a_session_caller(login: Callable[[str, str], JimuClient], li: dict[str, Any]):
    me = login("li.lei", USER_PASSWORD).get("/api/me")
    assert me.status_code == 200
    body = me.json()
    assert body["id"] == li["id"]
    assert body["username"] == "li.lei"
    assert body["display_name"] == "李雷"
    assert body["is_platform_admin"] is False
    assert body["is_active"] is True
    assert body["auth"] == "session"
    assert body["last_login_at"] is not None


def test_me_for_a_token_caller(admin_client: JimuClient, admin: dict[str, Any]) -> None:
    body = admin_client.get("/api/me").json()
    assert body["id"] == admin["id"]
    assert body["is_platform_admin"] is True
    assert body["auth"] == "token"
    assert "platform_admin" in body["roles"]


def test_me_without_credentials_is_401(client: JimuClient) -> None:
    response = client.get("/api/me")
    body = problem(response, 401)
    assert body["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == 'Bearer realm="jimu"'
    assert "Authorization: Bearer" in body["detail"]


# --- personal API tokens ---------------------------------------------------------------------


def test_token_lifecycle(
    login: Callable[[str, str], JimuClient],
    li: dict[str, Any],
    app: FastAPI,
    session_factory: Any,
) -> None:
    me = login("li.lei", USER_PASSWORD)
    created = me.post("/api/auth/tokens", json={"name": "nightly export", "expires_in_days": 30})
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["token"]
    assert token.startswith("jimu_")
    assert len(token) > 30
    assert body["name"] == "nightly export"
    assert body["prefix"] == token[:12]
    assert body["revoked_at"] is None
    assert body["last_used_at"] is None

    with session_factory() as session:
        row = session.get(ApiToken, body["id"])
        assert row is not None
        assert row.user_id == li["id"]
        assert row.token_hash != token
        assert token not in row.token_hash
        expires_at = row.expires_at
    assert expires_at is not None
    assert timedelta(days=29) < expires_at - utcnow() <= timedelta(days=30)

    listed = me.get("/api/auth/tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [body["id"]]
    entry = listed.json()[0]
    assert "token" not in entry
    assert "token_hash" not in entry
    assert token not in listed.text
    assert token[12:] not in listed.text

    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        used = bearer.get("/api/me")
        assert used.status_code == 200
        assert used.json()["id"] == li["id"]
        assert used.json()["auth"] == "token"
        assert me.get("/api/auth/tokens").json()[0]["last_used_at"] is not None

        revoked = me.delete(f"/api/auth/tokens/{body['id']}")
        assert revoked.status_code == 204
        assert revoked.content == b""
        gone = problem(bearer.get("/api/me"), 401)
        assert gone["detail"] == "The API token is invalid, expired or revoked."
        problem(bearer.post("/api/auth/tokens", json={"name": "again"}), 401)

    listed_after = me.get("/api/auth/tokens").json()
    assert listed_after[0]["revoked_at"] is not None
    assert me.delete(f"/api/auth/tokens/{body['id']}").status_code == 204  # idempotent


def test_tokens_are_listed_newest_first_and_only_the_callers(
    admin_client: JimuClient, li: dict[str, Any], token_for: Callable[[int], str]
) -> None:
    token_for(li["id"])
    first = admin_client.post("/api/auth/tokens", json={"name": "first"}).json()
    second = admin_client.post("/api/auth/tokens", json={"name": "second"}).json()
    listed = admin_client.get("/api/auth/tokens").json()
    names = [t["name"] for t in listed]
    assert names[:2] == ["second", "first"]
    assert names == ["second", "first", "test"]  # the fixture's token, not li's
    assert first["expires_at"] is None
    assert second["token"] != first["token"]


def test_a_bearer_token_can_issue_tokens_without_csrf(admin_client: JimuClient) -> None:
    created = admin_client.post("/api/auth/tokens", json={"name": "ci"})
    assert created.status_code == 201
    assert created.json()["token"].startswith("jimu_")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "ok", "expires_in_days": 0},
        {"name": "ok", "expires_in_days": 3651},
        {"name": "ok", "expires_in_days": "soon"},
        {"name": "ok", "scopes": ["all"]},
    ],
)
def test_invalid_token_requests_are_422(
    admin_client: JimuClient, session_factory: Any, payload: dict[str, Any]
) -> None:
    body = problem(admin_client.post("/api/auth/tokens", json=payload), 422)
    assert body["errors"]
    assert count(session_factory, ApiToken) == 1


def test_an_expired_token_is_401(
    app: FastAPI, li: dict[str, Any], token_for: Callable[[int], str], session_factory: Any
) -> None:
    token = token_for(li["id"])
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        assert bearer.get("/api/me").status_code == 200
        with transaction(session_factory) as session:
            session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        problem(bearer.get("/api/me"), 401)


def test_a_deactivated_users_token_is_401(
    app: FastAPI, li: dict[str, Any], token_for: Callable[[int], str], session_factory: Any
) -> None:
    token = token_for(li["id"])
    with transaction(session_factory) as session:
        session.execute(update(User).where(User.id == li["id"]).values(is_active=False))
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        problem(bearer.get("/api/me"), 401)


def test_another_users_token_cannot_be_revoked(
    admin_client: JimuClient,
    app: FastAPI,
    li: dict[str, Any],
    token_for: Callable[[int], str],
    session_factory: Any,
) -> None:
    token = token_for(li["id"])
    with session_factory() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == li["id"]))
    body = problem(admin_client.delete(f"/api/auth/tokens/{token_id}"), 404)  # even for an admin
    assert body["code"] == "not_found"
    problem(admin_client.delete("/api/auth/tokens/999999"), 404)
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        assert bearer.get("/api/me").status_code == 200
    with session_factory() as session:
        row = session.get(ApiToken, token_id)
        assert row is not None
        assert row.revoked_at is None


@pytest.mark.parametrize("token_id", ["abc", "0", "-1", "1.5", "99999999999"])
def test_bad_token_ids_are_422(admin_client: JimuClient, token_id: str) -> None:
    body = problem(admin_client.delete(f"/api/auth/tokens/{token_id}"), 422)
    assert body["errors"][0]["field"] == "token_id"


def test_token_routes_need_a_caller(client: JimuClient) -> None:
    problem(client.get("/api/auth/tokens"), 401)
    problem(client.post("/api/auth/tokens", json={"name": "x"}), 401)
    problem(client.delete("/api/auth/tokens/1"), 401)


@pytest.mark.parametrize(
    "header",
    [
        "Basic YWRtaW46YWRtaW4tcGFzcy0x",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Token jimu_abc",
        "jimu_abc",
        "Bearer jimu_not-a-real-token",
        "Bearer not-even-jimu",
    ],
)
def test_malformed_or_unknown_authorization_is_401(
    app: FastAPI, admin: dict[str, Any], header: str
) -> None:
    with JimuClient(app, headers={"Authorization": header}) as c:
        response = c.get("/api/me")
    body = problem(response, 401)
    assert body["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == 'Bearer realm="jimu"'


def test_the_bearer_scheme_is_case_insensitive(
    app: FastAPI, admin: dict[str, Any], token_for: Callable[[int], str]
) -> None:
    token = token_for(admin["id"])
    with JimuClient(app, headers={"Authorization": f"bearer {token}"}) as c:
        assert c.get("/api/me").status_code == 200


def test_a_malformed_authorization_header_is_not_excused_by_a_session_cookie(
    login: Callable[[str, str], JimuClient], li: dict[str, Any]
) -> None:
    me = login("li.lei", USER_PASSWORD)
    problem(me.get("/api/me", headers={"Authorization": "Basic abc"}), 401)
    assert me.get("/api/me").status_code == 200


# --- secrets never come back -----------------------------------------------------------------


def test_passwords_and_hashes_never_appear_in_responses(
    admin_client: JimuClient,
    client: JimuClient,
    li: dict[str, Any],
    session_factory: Any,
) -> None:
    secret = "Very-Secret-Pass-42"
    with session_factory() as session:
        hashes = [h for h in session.scalars(select(User.password_hash)) if h]
    responses = [
        admin_client.post(
            "/api/users", json={"username": "han", "display_name": "Han", "password": secret}
        ),
        admin_client.get("/api/users"),
        admin_client.get(f"/api/users/{li['id']}"),
        admin_client.patch(f"/api/users/{li['id']}", json={"password": secret}),
        admin_client.get("/api/me"),
        admin_client.get("/api/auth/tokens"),
        client.post(LOGIN, json=credentials("han", "wrong-" + secret)),
        client.post(LOGIN, json=credentials("han", "x" * 300)),
        client.post(LOGIN, json=credentials("han", secret)),
        client.get("/api/me"),
        client.post(
            "/api/me/password",
            json={"current_password": "wrong-" + secret, "new_password": "short"},
        ),
        client.post(
            "/api/me/password",
            json={"current_password": "wrong-" + secret, "new_password": secret + "-new"},
        ),
    ]
    assert responses[0].status_code == 201
    assert responses[8].status_code == 200
    with session_factory() as session:
        hashes += [h for h in session.scalars(select(User.password_hash)) if h]
    for response in responses:
        text = response.text
        assert secret not in text, response.request.url
        assert "x" * 300 not in text
        assert "password_hash" not in text
        assert "$argon2" not in text
        for password_hash in hashes:
            assert password_hash not in text


# --- changing one's own password -------------------------------------------------------------

NEW_PASSWORD = "brand-new-pass-9"
CHANGE = {"current_password": USER_PASSWORD, "new_password": NEW_PASSWORD}


def bearer(app: FastAPI, token: str) -> JimuClient:
    client = JimuClient(app, headers={"Authorization": f"Bearer {token}"})
    client.__enter__()
    return client


def test_changing_ones_password_ends_the_other_sessions_and_tokens(
    app: FastAPI,
    li: dict[str, Any],
    login: Callable[[str, str], JimuClient],
    token_for: Callable[[int], str],
) -> None:
    here, elsewhere = login("li.lei", USER_PASSWORD), login("li.lei", USER_PASSWORD)
    script = bearer(app, token_for(li["id"]))
    try:
        assert script.get("/api/me").status_code == 200
        assert here.post("/api/me/password", json=CHANGE).status_code == 204
        problem(elsewhere.get("/api/me"), 401)
        problem(script.get("/api/me"), 401)
        assert here.get("/api/me").status_code == 200  # the session that changed it
        assert [t["revoked_at"] is not None for t in here.get("/api/auth/tokens").json()] == [True]
    finally:
        script.__exit__(None, None, None)


def test_changing_ones_password_with_a_token_keeps_that_token_only(
    app: FastAPI,
    li: dict[str, Any],
    login: Callable[[str, str], JimuClient],
    token_for: Callable[[int], str],
) -> None:
    browser = login("li.lei", USER_PASSWORD)
    used, other = bearer(app, token_for(li["id"])), bearer(app, token_for(li["id"]))
    try:
        assert used.post("/api/me/password", json=CHANGE).status_code == 204
        assert used.get("/api/me").status_code == 200
        problem(other.get("/api/me"), 401)
        problem(browser.get("/api/me"), 401)
    finally:
        used.__exit__(None, None, None)
        other.__exit__(None, None, None)


def test_an_admin_setting_their_own_password_ends_their_other_sessions(
    admin: dict[str, Any],
    login: Callable[[str, str], JimuClient],
) -> None:
    here, elsewhere = login("admin", ADMIN_PASSWORD), login("admin", ADMIN_PASSWORD)
    changed = here.patch(f"/api/users/{admin['id']}", json={"password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    problem(elsewhere.get("/api/me"), 401)
    assert here.get("/api/me").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/"), ("GET", "/api/me"), ("POST", "/api/auth/tokens")]
)
def test_a_sessions_use_is_noted_by_reading_and_writing_requests_alike(
    admin: dict[str, Any],
    login: Callable[[str, str], JimuClient],
    session_factory: sessionmaker[Session],
    method: str,
    path: str,
) -> None:
    browser = login("admin", ADMIN_PASSWORD)
    long_ago = utcnow() - timedelta(hours=1)
    with transaction(session_factory) as session:
        session.execute(update(LoginSession).values(last_seen_at=long_ago))
    body = {"name": "x"} if method == "POST" else None
    response = browser.request(method, path, json=body)
    assert response.status_code in (200, 201), response.text
    with transaction(session_factory, read_only=True) as session:
        seen = session.scalar(select(func.max(LoginSession.last_seen_at)))
    assert seen is not None
    assert seen > long_ago + timedelta(minutes=30)
