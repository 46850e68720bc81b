"""Sign-in, sessions, CSRF, throttling and personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from jimu.platform.apps.models import App
from jimu.platform.auth.models import ApiToken, LoginSession
from jimu.platform.db import transaction, utcnow
from tests.conftest import USER_PASSWORD, JimuClient


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def test_login_sets_a_hardened_session_cookie(client, make_user, session_factory) -> None:
    user = make_user("li.lei")
    response = client.post(
        "/api/auth/login", json={"username": "li.lei", "password": USER_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "li.lei"
    cookie = response.headers["set-cookie"]
    assert "jimu_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    with session_factory() as session:
        rows = session.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user["id"])
        )
    assert rows == 1
    me = client.get("/api/me").json()
    assert me["auth"] == "session"
    assert me["is_platform_admin"] is False


@pytest.mark.parametrize(
    ("username", "password"),
    [("li.lei", "wrong-password"), ("nobody", USER_PASSWORD), ("inactive", USER_PASSWORD)],
)
def test_bad_logins_get_the_same_401(client, make_user, username, password) -> None:
    make_user("li.lei")
    make_user("inactive", is_active=False)
    body = _problem(
        client.post("/api/auth/login", json={"username": username, "password": password}), 401
    )
    assert body["detail"] == "Wrong username or password."


def test_passwords_and_hashes_never_come_back(admin_client) -> None:
    created = admin_client.post(
        "/api/users",
        json={"username": "han", "display_name": "Han", "password": "secret-pass-9"},
    )
    listed = admin_client.get("/api/users")
    for response in (created, listed, admin_client.get("/api/me")):
        assert "secret-pass-9" not in response.text
        assert "argon2" not in response.text
        assert "password" not in response.text


def test_logout_ends_the_session(client, make_user) -> None:
    make_user("li.lei")
    client.post("/api/auth/login", json={"username": "li.lei", "password": USER_PASSWORD})
    cookie = client.cookies.get("jimu_session")
    client.get("/api/me")
    assert client.post("/api/auth/logout").status_code == 204
    client.cookies.set("jimu_session", cookie)
    _problem(client.get("/api/me"), 401)


def test_tampered_unknown_and_expired_sessions_are_401(client, make_user, session_factory) -> None:
    make_user("li.lei")
    client.post("/api/auth/login", json={"username": "li.lei", "password": USER_PASSWORD})
    good = client.cookies.get("jimu_session")
    client.cookies.set("jimu_session", good[:-3] + "abc")
    _problem(client.get("/api/me"), 401)
    client.cookies.set("jimu_session", "not-a-session")
    _problem(client.get("/api/me"), 401)
    with transaction(session_factory) as session:
        session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    client.cookies.set("jimu_session", good)
    _problem(client.get("/api/me"), 401)


def test_repeated_failures_are_throttled_per_username(client, make_user) -> None:
    make_user("li.lei")
    make_user("han")
    for _ in range(5):
        _problem(
            client.post("/api/auth/login", json={"username": "li.lei", "password": "nope-nope"}),
            401,
        )
    throttled = client.post(
        "/api/auth/login", json={"username": "li.lei", "password": USER_PASSWORD}
    )
    body = _problem(throttled, 429)
    assert int(throttled.headers["retry-after"]) > 0
    assert body["code"] == "too_many_requests"
    ok = client.post("/api/auth/login", json={"username": "han", "password": USER_PASSWORD})
    assert ok.status_code == 200


def test_cookie_writes_need_the_csrf_header(login, admin, session_factory) -> None:
    admin_session: JimuClient = login("admin", "admin-pass-1")
    body = {"key": "crm", "name": {"zh": "客户"}}
    missing = admin_session.post("/api/apps", json=body, headers={"X-CSRFToken": ""})
    assert _problem(missing, 403)["code"] == "csrf_failed"
    wrong = admin_session.post("/api/apps", json=body, headers={"X-CSRFToken": "forged"})
    assert _problem(wrong, 403)["code"] == "csrf_failed"
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(App)) == 0
    assert admin_session.post("/api/apps", json=body).status_code == 201


def test_bearer_tokens_need_no_csrf_header(admin_client) -> None:
    response = admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    assert response.status_code == 201


def test_token_lifecycle(login, make_user, app) -> None:
    make_user("li.lei")
    session_client = login("li.lei", USER_PASSWORD)
    created = session_client.post(
        "/api/auth/tokens", json={"name": "script", "expires_in_days": 30}
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("jimu_")
    listed = session_client.get("/api/auth/tokens").json()
    assert [t["name"] for t in listed] == ["script"]
    assert token not in str(listed)

    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        assert bearer.get("/api/me").json()["auth"] == "token"
        revoked = session_client.delete(f"/api/auth/tokens/{created.json()['id']}")
        assert revoked.status_code == 204
        _problem(bearer.get("/api/me"), 401)


def test_expired_and_foreign_tokens(app, make_user, token_for, session_factory) -> None:
    mine = make_user("li.lei")
    other = make_user("han")
    token = token_for(mine["id"])
    foreign = token_for(other["id"])
    with transaction(session_factory) as session:
        foreign_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == other["id"]))
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == mine["id"])
            .values(expires_at=utcnow() + timedelta(days=1))
        )
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        _problem(bearer.delete(f"/api/auth/tokens/{foreign_id}"), 404)
    with JimuClient(app, headers={"Authorization": f"Bearer {foreign}"}) as bearer:
        assert bearer.get("/api/me").status_code == 200
    with transaction(session_factory) as session:
        session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as bearer:
        _problem(bearer.get("/api/me"), 401)


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer ", "Token x", "Bearer nope"])
def test_malformed_authorization_is_401(app, clean_db, header) -> None:
    with JimuClient(app, headers={"Authorization": header}) as c:
        body = _problem(c.get("/api/me"), 401)
        assert body["code"] == "not_authenticated"


def test_change_own_password(login, make_user, client) -> None:
    make_user("li.lei")
    me = login("li.lei", USER_PASSWORD)
    wrong = me.post(
        "/api/me/password", json={"current_password": "nope", "new_password": "new-pass-123"}
    )
    assert _problem(wrong, 422)["errors"][0]["field"] == "current_password"
    ok = me.post(
        "/api/me/password",
        json={"current_password": USER_PASSWORD, "new_password": "new-pass-123"},
    )
    assert ok.status_code == 204
    assert (
        client.post(
            "/api/auth/login", json={"username": "li.lei", "password": "new-pass-123"}
        ).status_code
        == 200
    )
