"""Every error is an RFC 9457 problem document, in the caller's language, and leaks nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.testclient import TestClient

from jimu.engines.errors import BadRequest, Conflict, PermissionDenied
from jimu.engines.i18n import text
from jimu.platform.app import create_app
from jimu.platform.apps.models import App
from jimu.platform.db import make_engine
from jimu.platform.deps import SessionDep
from jimu.platform.settings import Settings
from tests.conftest import JimuClient

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "instance"}


def problem(response: Any, status: int) -> dict[str, Any]:
    """Asserts ``response`` is a complete problem document with ``status``; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["content-language"] in ("en", "zh-CN")
    body = response.json()
    assert PROBLEM_FIELDS <= set(body), body
    assert body["status"] == status
    assert body["type"] == f"urn:jimu:problem:{body['code']}"
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert "Traceback" not in response.text
    return body


def app_count(session_factory: Any) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(App)) or 0


@pytest.fixture
def member_client(
    app: FastAPI, make_user: Callable[..., dict[str, Any]], token_for: Callable[[int], str]
) -> Iterator[JimuClient]:
    member = make_user("member")
    with JimuClient(app, headers={"Authorization": f"Bearer {token_for(member['id'])}"}) as c:
        yield c


# --- every 4xx is a problem document ---------------------------------------------------------


def test_every_kind_of_4xx_is_a_problem_document(
    admin_client: JimuClient, member_client: JimuClient, client: JimuClient
) -> None:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    json_header = {"content-type": "application/json"}
    cases = [
        (client.get("/api/me"), 401, "not_authenticated"),
        (member_client.post("/api/apps", json={"key": "x", "name": {"en": "X"}}), 403, None),
        (admin_client.get("/api/apps/nope"), 404, "not_found"),
        (admin_client.get("/api/no-such-route"), 404, "http_404"),
        (admin_client.put("/api/apps"), 405, "http_405"),
        (admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "B"}}), 409, None),
        (admin_client.post("/api/apps", json={"key": "BAD"}), 422, "validation_failed"),
        (admin_client.post("/api/apps", content=b"{", headers=json_header), 400, None),
        (
            admin_client.post("/api/apps", content=b"x" * 70_000, headers=json_header),
            413,
            "body_too_large",
        ),
        (admin_client.get("/api/users", params={"page": 0}), 422, "validation_failed"),
        (admin_client.get("/api/users/abc"), 422, "validation_failed"),
        (admin_client.get("/static/no-such-file.js"), 404, "http_404"),
    ]
    for response, status, code in cases:
        body = problem(response, status)
        if code:
            assert body["code"] == code, body


def test_throttled_logins_are_problem_documents_too(
    client: JimuClient, make_user: Callable[..., dict[str, Any]], settings: Settings
) -> None:
    make_user("li.lei")
    for _ in range(settings.login_max_failures):
        problem(
            client.post("/api/auth/login", json={"username": "li.lei", "password": "nope-nope"}),
            401,
        )
    response = client.post("/api/auth/login", json={"username": "li.lei", "password": "x"})
    problem(response, 429)
    assert int(response.headers["retry-after"]) > 0


def test_validation_problems_list_every_field(admin_client: JimuClient) -> None:
    body = problem(
        admin_client.post("/api/apps", json={"key": 5, "name": "CRM", "sort_order": "x"}), 422
    )
    assert body["title"] == "Validation failed"
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
    assert {e["field"] for e in body["errors"]} == {"key", "name", "sort_order"}
    assert body["detail"] == "3 field(s) are invalid: key, name, sort_order."


def test_nested_fields_are_reported_with_their_path(admin_client: JimuClient) -> None:
    body = problem(
        admin_client.post("/api/apps", json={"key": "crm", "name": {"en": ["CRM"]}}), 422
    )
    assert [e["field"] for e in body["errors"]] == ["name.en"]


def test_a_missing_body_is_422(admin_client: JimuClient) -> None:
    body = problem(admin_client.post("/api/apps"), 422)
    assert body["errors"][0]["code"] == "missing"


def test_a_non_object_body_is_422(admin_client: JimuClient) -> None:
    for payload in ([], "crm", 5, None):
        problem(admin_client.post("/api/apps", json=payload), 422)


# --- malformed JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b'{"key": "crm",', b"{key: 'crm'}", b'{"key": "crm"} trailing', b"\x00", b"nonsense", b"{{}"],
    ids=["truncated", "single-quotes", "trailing", "nul", "word", "braces"],
)
def test_malformed_json_is_400(admin_client: JimuClient, session_factory: Any, raw: bytes) -> None:
    response = admin_client.post(
        "/api/apps", content=raw, headers={"content-type": "application/json"}
    )
    body = problem(response, 400)
    assert body["code"] == "malformed_json"
    assert body["title"] == "Malformed request body"
    assert body["detail"] == "The body is not valid JSON."
    assert body["errors"][0]["field"] == "body"
    assert app_count(session_factory) == 0


def test_body_that_is_not_utf8_is_400(admin_client: JimuClient, session_factory: Any) -> None:
    response = admin_client.post(
        "/api/apps", content=b'\xff\xfe{"key"', headers={"content-type": "application/json"}
    )
    problem(response, 400)
    assert app_count(session_factory) == 0


def test_malformed_json_in_chinese(admin_client: JimuClient) -> None:
    response = admin_client.post(
        "/api/apps",
        content=b"{",
        headers={"content-type": "application/json", "Accept-Language": "zh-CN"},
    )
    body = problem(response, 400)
    assert body["title"] == "请求内容格式错误"
    assert body["detail"] == "请求内容不是有效的 JSON。"


# --- oversized bodies ------------------------------------------------------------------------


def _oversized_app(settings: Settings) -> bytes:
    filler = b"x" * (settings.max_body_bytes + 1)
    return b'{"key": "crm", "name": {"en": "CRM"}, "description": "' + filler + b'"}'


def test_a_declared_oversized_body_is_413_and_writes_nothing(
    admin_client: JimuClient, settings: Settings, session_factory: Any
) -> None:
    body = _oversized_app(settings)
    response = admin_client.post(
        "/api/apps", content=body, headers={"content-type": "application/json"}
    )
    problem_body = problem(response, 413)
    assert problem_body["code"] == "body_too_large"
    assert problem_body["title"] == "Request body too large"
    assert str(settings.max_body_bytes) in problem_body["detail"]
    assert problem_body["errors"][0]["field"] == "body"
    assert app_count(session_factory) == 0


def test_a_streamed_oversized_body_without_content_length_is_413(
    admin_client: JimuClient, settings: Settings, session_factory: Any
) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b'{"key": "crm", "name": {"en": "CRM"}, "description": "'
        for _ in range(settings.max_body_bytes // 4096 + 2):
            sent.append(4096)
            yield b"x" * 4096
        yield b'"}'

    response = admin_client.post(
        "/api/apps", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert problem(response, 413)["code"] == "body_too_large"
    assert sum(sent) > settings.max_body_bytes
    assert app_count(session_factory) == 0


def test_a_small_streamed_body_goes_through(admin_client: JimuClient, session_factory: Any) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"key": "crm", '
        yield b'"name": {"en": "CRM"}}'

    response = admin_client.post(
        "/api/apps", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert app_count(session_factory) == 1


def test_a_body_at_the_limit_is_not_413(admin_client: JimuClient, settings: Settings) -> None:
    head = b'{"key": "crm", "name": {"en": "CRM"}, "description": "'
    tail = b'"}'
    filler = b"x" * (settings.max_body_bytes - len(head) - len(tail))
    response = admin_client.post(
        "/api/apps", content=head + filler + tail, headers={"content-type": "application/json"}
    )
    body = problem(response, 422)  # the description is too long, but the body was read
    assert [e["field"] for e in body["errors"]] == ["description"]


def test_an_oversized_body_is_refused_before_authentication(
    client: JimuClient, settings: Settings
) -> None:
    response = client.post(
        "/api/auth/login", content=_oversized_app(settings), headers={"content-type": "text/plain"}
    )
    problem(response, 413)


def test_an_oversized_cookie_request_is_413_and_writes_nothing(
    login: Callable[[str, str], JimuClient],
    admin: dict[str, Any],
    settings: Settings,
    session_factory: Any,
) -> None:
    browser = login("admin", "admin-pass-1")
    response = browser.post(
        "/api/apps", content=_oversized_app(settings), headers={"content-type": "application/json"}
    )
    problem(response, 413)
    assert app_count(session_factory) == 0


def test_oversized_bodies_answer_in_chinese(admin_client: JimuClient, settings: Settings) -> None:
    response = admin_client.post(
        "/api/apps",
        content=_oversized_app(settings),
        headers={"content-type": "application/json", "Accept-Language": "zh-CN,zh;q=0.9"},
    )
    body = problem(response, 413)
    assert body["title"] == "请求内容过大"
    assert body["detail"] == f"请求内容最多 {settings.max_body_bytes} 字节。"


# --- unknown routes and wrong methods --------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/apps/crm/nothing", "/nope", "/api"])
def test_unknown_routes_are_404(admin_client: JimuClient, path: str) -> None:
    body = problem(admin_client.get(path), 404)
    assert body["code"] == "http_404"
    assert body["title"] == "Not found"


def test_unknown_routes_are_404_even_anonymously(client: JimuClient) -> None:
    problem(client.post("/api/nothing-here", json={}), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/api/apps"),
        ("DELETE", "/api/apps"),
        ("POST", "/api/me"),
        ("PUT", "/api/auth/login"),
        ("GET", "/api/auth/logout"),
        ("PATCH", "/healthz"),
    ],
)
def test_wrong_methods_are_405(admin_client: JimuClient, method: str, path: str) -> None:
    response = admin_client.request(method, path)
    body = problem(response, 405)
    assert body["code"] == "http_405"
    assert body["title"] == "Method not allowed"
    assert response.headers["allow"]


def test_405_names_an_allowed_method(admin_client: JimuClient) -> None:
    response = admin_client.request("DELETE", "/api/me")
    problem(response, 405)
    assert response.headers.get_list("allow") == ["GET"]


# --- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_path", "method", "status", "title"),
    [
        ("/api/me", "GET", 401, "未登录"),
        ("/api/no-such-route", "GET", 404, "未找到"),
        ("/api/apps", "PUT", 405, "不支持的请求方法"),
    ],
)
def test_accept_language_zh_cn_gives_chinese_titles(
    client: JimuClient, request_path: str, method: str, status: int, title: str
) -> None:
    response = client.request(method, request_path, headers={"Accept-Language": "zh-CN"})
    body = problem(response, status)
    assert body["title"] == title
    assert response.headers["content-language"] == "zh-CN"


def test_chinese_validation_messages(admin_client: JimuClient) -> None:
    response = admin_client.post(
        "/api/apps",
        json={"name": {"en": "X"}, "sort_order": "x"},
        headers={"Accept-Language": "zh"},
    )
    body = problem(response, 422)
    assert body["title"] == "数据校验失败"
    assert body["detail"] == "2 个字段无效：key, sort_order。"
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages == {"key": "必填项。", "sort_order": "应为整数。"}


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, "Not signed in"),
        ("en-US", "Not signed in"),
        ("fr-FR", "Not signed in"),
        ("zh-CN", "未登录"),
        ("zh", "未登录"),
        ("zh-TW", "未登录"),
        ("en;q=0.5, zh-CN;q=0.9", "未登录"),
        ("zh-CN;q=0.3, en;q=0.8", "Not signed in"),
        ("fr, zh-CN;q=0.5", "未登录"),
        ("q=;;,,", "Not signed in"),
    ],
)
def test_language_follows_accept_language_quality(
    client: JimuClient, accept_language: str | None, expected: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    assert problem(client.get("/api/me", headers=headers), 401)["title"] == expected


def test_the_language_cookie_wins_over_accept_language(client: JimuClient) -> None:
    client.cookies.set("jimu_lang", "zh-CN")
    body = problem(client.get("/api/me", headers={"Accept-Language": "en"}), 401)
    assert body["title"] == "未登录"
    client.cookies.set("jimu_lang", "klingon")  # unknown values are ignored
    assert problem(client.get("/api/me", headers={"Accept-Language": "en"}), 401)["title"] == (
        "Not signed in"
    )


# --- server errors ---------------------------------------------------------------------------


@pytest.fixture
def broken(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """A fresh app with extra routes that fail in every way the error handlers know."""
    app = create_app(settings, engine)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2 at /srv/jimu/app.py")

    @app.post("/boom-after-write")
    def boom_after_write(session: SessionDep) -> None:
        session.add(App(key="half", name={"en": "Half written"}))
        session.flush()
        raise KeyError("missing")

    @app.get("/integrity")
    def integrity() -> None:
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: apps.key"))

    @app.get("/data")
    def data() -> None:
        raise DataError("INSERT ...", {}, Exception("value too long for type varchar(40)"))

    @app.get("/operational")
    def operational() -> None:
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    @app.get("/typed/{kind}")
    def typed(kind: str) -> None:
        errors = {
            "bad": BadRequest(text("Bad thing.", "坏事。")),
            "conflict": Conflict(text("Clash.", "冲突了。")),
            "denied": PermissionDenied(text("No.", "不行。")),
        }
        raise errors[kind]

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_500_is_a_problem_document_without_a_stack_trace(broken: TestClient) -> None:
    response = broken.get("/boom")
    body = problem(response, 500)
    assert body["code"] == "server_error"
    assert body["title"] == "Internal server error"
    assert body["detail"] == "Something went wrong on the server; the change was not saved."
    for leak in ("Traceback", "RuntimeError", "secret internals", "hunter2", "/srv/jimu", ".py"):
        assert leak not in response.text, leak


def test_a_500_in_chinese(broken: TestClient) -> None:
    body = problem(broken.get("/boom", headers={"Accept-Language": "zh-CN"}), 500)
    assert body["title"] == "服务器内部错误"
    assert body["detail"] == "服务器出错，本次修改未保存。"


def test_a_500_rolls_back_what_the_request_wrote(broken: TestClient, session_factory: Any) -> None:
    body = problem(broken.post("/boom-after-write"), 500)
    assert "missing" not in body["detail"]
    assert app_count(session_factory) == 0


@pytest.mark.parametrize(
    ("path", "status", "code", "leak"),
    [
        ("/integrity", 409, "conflict", "UNIQUE constraint"),
        ("/data", 400, "invalid_value", "varchar"),
        ("/operational", 503, "database_busy", "could not connect"),
    ],
)
def test_database_errors_become_problems_without_details(
    broken: TestClient, path: str, status: int, code: str, leak: str
) -> None:
    response = broken.get(path)
    body = problem(response, status)
    assert body["code"] == code
    assert leak not in response.text
    assert "INSERT" not in response.text
    assert "SELECT" not in response.text
    if status == 503:
        assert response.headers["retry-after"] == "2"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("bad", 400, "bad_request"),
        ("conflict", 409, "conflict"),
        ("denied", 403, "permission_denied"),
    ],
)
def test_typed_errors_map_to_their_status(
    broken: TestClient, kind: str, status: int, code: str
) -> None:
    body = problem(broken.get(f"/typed/{kind}"), status)
    assert body["code"] == code
    assert "errors" not in body


def test_healthz_reports_an_unreachable_database_as_503(tmp_path: Path, settings: Settings) -> None:
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'jimu.db'}")
    app = create_app(settings, unreachable)
    # no lifespan: a database that is down at start-up is not what this checks
    response = TestClient(app, raise_server_exceptions=False).get("/healthz")
    body = problem(response, 503)
    assert body["code"] == "database_unavailable"
    assert "missing-dir" not in response.text
    unreachable.dispose()


def test_healthz_when_the_database_is_up(client: JimuClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_ids_beyond_the_database_integer_range_are_422_not_500(admin_client: JimuClient) -> None:
    huge = 2**63
    form = {
        "key": "contract",
        "name": {"en": "Contract"},
        "fields": [{"key": "title", "type": "text", "label": {"en": "Title"}}],
    }
    assert admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).is_success
    assert admin_client.post("/api/apps/crm/forms", json=form).is_success
    assert admin_client.post("/api/apps/crm/forms/contract/publish").is_success
    records = "/api/apps/crm/forms/contract/records"
    cases = [
        (admin_client.get(f"/api/users/{huge}"), "user_id"),
        (admin_client.get("/api/users", params={"department_id": huge}), "department_id"),
        (admin_client.delete(f"/api/auth/tokens/{huge}"), "token_id"),
        (admin_client.get(f"{records}/{huge}"), "record_id"),
        (admin_client.post(f"{records}/bulk", json={"delete": [huge]}), "delete[0]"),
        (admin_client.post(f"{records}/bulk", json={"delete": [0]}), "delete[0]"),
    ]
    for response, field in cases:
        body = problem(response, 422)
        assert [e["field"] for e in body["errors"]] == [field]
