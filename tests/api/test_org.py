"""Organisation API as a whole: who may read and write, refusal of bad input, languages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.org_helpers import (
    GOOD_PASSWORD,
    PROBLEM_JSON,
    error_on,
    new_department,
    new_role,
    ok,
    problem,
    unchanged,
)
from tests.conftest import USER_PASSWORD, JimuClient

NEW_USER = {"username": "new.user", "display_name": "New", "password": GOOD_PASSWORD}
BIG_IDS = [0, -1, 2**31, 10**20]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def targets(admin_client, admin, make_user) -> dict[str, int]:
    """A member user, a department and a custom role to aim writes at (and the admin's ids)."""
    roles = {r["key"]: r["id"] for r in ok(admin_client.get("/api/roles"))["items"]}
    return {
        "user": make_user("member")["id"],
        "dept": new_department(admin_client, "销售部"),
        "role": new_role(admin_client, "sales", zh="销售")["id"],
        "admin": admin["id"],
        "admin_role": roles["platform_admin"],
    }


def call(client: Any, method: str, path: str, targets: dict[str, int], **kwargs: Any) -> Any:
    return client.request(method, path.format(**targets), **kwargs)


READS = [
    "/api/users",
    "/api/users/{user}",
    "/api/departments",
    "/api/departments/{dept}",
    "/api/roles",
    "/api/roles/{role}",
]

WRITES = [
    ("POST", "/api/users", NEW_USER),
    ("PATCH", "/api/users/{user}", {"display_name": "Changed"}),
    ("PATCH", "/api/users/{user}", {"roles": ["platform_admin"]}),  # no self-promotion
    ("DELETE", "/api/users/{user}", None),
    ("POST", "/api/departments", {"name": "研发部"}),
    ("PATCH", "/api/departments/{dept}", {"name": "改名"}),
    ("DELETE", "/api/departments/{dept}", None),
    ("POST", "/api/roles", {"key": "finance", "name": {"en": "Finance"}}),
    ("PATCH", "/api/roles/{role}", {"name": {"en": "Changed"}}),
    ("DELETE", "/api/roles/{role}", None),
]


def write_id(case: tuple[str, str, Any]) -> str:
    method, path, body = case
    return f"{method} {path} {sorted(body) if body else ''}".strip()


# --- permissions ---------------------------------------------------------------------------


@pytest.fixture
def member_token(targets, token_for) -> str:
    return token_for(targets["user"])


@pytest.mark.parametrize("path", READS)
def test_members_may_read(app, targets, member_token, path) -> None:
    with JimuClient(app, headers={"Authorization": f"Bearer {member_token}"}) as member:
        assert member.get(path.format(**targets)).status_code == 200


def test_members_signed_in_with_a_cookie_may_read(targets, login) -> None:
    member = login("member", USER_PASSWORD)
    for path in READS:
        assert member.get(path.format(**targets)).status_code == 200, path


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[write_id(w) for w in WRITES])
def test_members_may_not_write(
    app, targets, member_token, session_factory, method, path, body
) -> None:
    with (
        JimuClient(app, headers={"Authorization": f"Bearer {member_token}"}) as member,
        unchanged(session_factory),
    ):
        refused = problem(call(member, method, path, targets, json=body), 403)
    assert refused["code"] == "permission_denied"


def test_members_signed_in_with_a_cookie_may_not_write(targets, login, session_factory) -> None:
    member = login("member", USER_PASSWORD)
    with unchanged(session_factory):
        for method, path, body in WRITES:
            refused = problem(call(member, method, path, targets, json=body), 403)
            assert refused["code"] == "permission_denied", (method, path)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", path, None) for path in READS]
    + [*WRITES, ("POST", "/api/me/password", {"current_password": "x", "new_password": "y" * 8})],
    ids=[f"GET {path}" for path in READS]
    + [write_id(w) for w in WRITES]
    + ["POST /api/me/password"],
)
def test_anonymous_gets_401(app, targets, session_factory, method, path, body) -> None:
    with JimuClient(app) as anonymous, unchanged(session_factory):
        response = call(anonymous, method, path, targets, json=body)
    assert problem(response, 401)["code"] == "not_authenticated"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization", ["Bearer jimu_not-a-real-token", "Bearer ", "Basic YWRtaW46eA==", "token"]
)
def test_bad_credentials_get_401(app, targets, authorization) -> None:
    with JimuClient(app, headers={"Authorization": authorization}) as caller:
        response = caller.get("/api/users")
    problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


# --- bad input -----------------------------------------------------------------------------

# (method, path, body, field, code): every case must be refused with 422 naming ``field``.
BAD_INPUT: list[tuple[str, str, Any, str, str | None]] = [
    # create user: wrong types
    ("POST", "/api/users", {**NEW_USER, "username": 123}, "username", "string_type"),
    ("POST", "/api/users", {**NEW_USER, "display_name": ["x"]}, "display_name", "string_type"),
    ("POST", "/api/users", {**NEW_USER, "password": 12345678}, "password", "string_type"),
    ("POST", "/api/users", {**NEW_USER, "is_active": "maybe"}, "is_active", "bool_parsing"),
    ("POST", "/api/users", {**NEW_USER, "is_active": None}, "is_active", "bool_type"),
    ("POST", "/api/users", {**NEW_USER, "main_department_id": "x"}, "main_department_id", None),
    ("POST", "/api/users", {**NEW_USER, "supervisor_id": 1.5}, "supervisor_id", None),
    ("POST", "/api/users", {**NEW_USER, "roles": "sales"}, "roles", "list_type"),
    ("POST", "/api/users", {**NEW_USER, "roles": [1]}, "roles[0]", "string_type"),
    ("POST", "/api/users", {**NEW_USER, "roles": {"sales": 1}}, "roles", "list_type"),
    ("POST", "/api/users", {**NEW_USER, "email": 5}, "email", "string_type"),
    ("POST", "/api/users", {**NEW_USER, "email": "not-an-email"}, "email", "value_error"),
    ("POST", "/api/users", {**NEW_USER, "locale": "fr"}, "locale", "string_pattern_mismatch"),
    ("POST", "/api/users", {**NEW_USER, "phone": "call me"}, "phone", "string_pattern_mismatch"),
    ("POST", "/api/users", {**NEW_USER, "phone": "+" + "1" * 32}, "phone", "string_too_long"),
    # create user: bad values and missing or unknown fields
    ("POST", "/api/users", {**NEW_USER, "username": "有 空格"}, "username", None),
    ("POST", "/api/users", {**NEW_USER, "username": "x"}, "username", None),
    ("POST", "/api/users", {**NEW_USER, "display_name": "  "}, "display_name", None),
    ("POST", "/api/users", {**NEW_USER, "display_name": "x" * 101}, "display_name", None),
    ("POST", "/api/users", {**NEW_USER, "password": "short"}, "password", "string_too_short"),
    ("POST", "/api/users", {"display_name": "N", "password": GOOD_PASSWORD}, "username", "missing"),
    ("POST", "/api/users", {**NEW_USER, "is_admin": True}, "is_admin", "extra_forbidden"),
    ("POST", "/api/users", {**NEW_USER, "password_hash": "x"}, "password_hash", "extra_forbidden"),
    ("POST", "/api/users", {**NEW_USER, "id": 5}, "id", "extra_forbidden"),
    # NUL is refused for the whole body, before the fields are looked at
    ("POST", "/api/users", {**NEW_USER, "display_name": "a\x00b"}, "body", "nul_character"),
    ("POST", "/api/users", {**NEW_USER, "roles": ["sa\x00les"]}, "body", "nul_character"),
    ("POST", "/api/users", {**NEW_USER, "password": "pass\x00word"}, "body", "nul_character"),
    # create user: ids out of range
    *[
        ("POST", "/api/users", {**NEW_USER, field: value}, field, None)
        for field in ("main_department_id", "supervisor_id")
        for value in BIG_IDS
    ],
    # change user
    ("PATCH", "/api/users/{user}", {"display_name": 5}, "display_name", "string_type"),
    ("PATCH", "/api/users/{user}", {"is_active": []}, "is_active", "bool_type"),
    ("PATCH", "/api/users/{user}", {"roles": [None]}, "roles[0]", "string_type"),
    ("PATCH", "/api/users/{user}", {"roles": ["Bad Key"]}, "roles[0]", None),
    ("PATCH", "/api/users/{user}", {"username": "renamed"}, "username", "extra_forbidden"),
    ("PATCH", "/api/users/{user}", {"last_login_at": None}, "last_login_at", "extra_forbidden"),
    ("PATCH", "/api/users/{user}", {"display_name": "\x00"}, "body", "nul_character"),
    ("PATCH", "/api/users/{user}", {"email": "a\x00@example.com"}, "body", "nul_character"),
    *[
        ("PATCH", "/api/users/{user}", {field: value}, field, None)
        for field in ("main_department_id", "supervisor_id")
        for value in BIG_IDS
    ],
    # own password
    ("POST", "/api/me/password", {"current_password": 1, "new_password": "x" * 8},
     "current_password", "string_type"),
    ("POST", "/api/me/password", {"current_password": "x", "new_password": "\x00" * 8},
     "body", "nul_character"),
    ("POST", "/api/me/password", {"current_password": "x", "new_password": "y" * 8, "u": 1},
     "u", "extra_forbidden"),
    # departments
    ("POST", "/api/departments", {"name": 5}, "name", "string_type"),
    ("POST", "/api/departments", {"name": ""}, "name", "string_too_short"),
    ("POST", "/api/departments", {"name": "x" * 101}, "name", "string_too_long"),
    ("POST", "/api/departments", {}, "name", "missing"),
    ("POST", "/api/departments", {"name": "x", "parent_id": "top"}, "parent_id", None),
    ("POST", "/api/departments", {"name": "x", "parent_id": [1]}, "parent_id", None),
    ("POST", "/api/departments", {"name": "x", "sort_order": "first"}, "sort_order", None),
    ("POST", "/api/departments", {"name": "x", "sort_order": 1.5}, "sort_order", None),
    ("POST", "/api/departments", {"name": "x", "sort_order": 10**20}, "sort_order", None),
    ("POST", "/api/departments", {"name": "x", "member_count": 3}, "member_count",
     "extra_forbidden"),
    ("POST", "/api/departments", {"name": "a\x00"}, "body", "nul_character"),
    *[
        ("POST", "/api/departments", {"name": "x", field: value}, field, None)
        for field in ("parent_id", "head_id")
        for value in BIG_IDS
    ],
    ("PATCH", "/api/departments/{dept}", {"name": {"zh": "x"}}, "name", "string_type"),
    ("PATCH", "/api/departments/{dept}", {"sort_order": -(10**7)}, "sort_order", None),
    ("PATCH", "/api/departments/{dept}", {"id": 7}, "id", "extra_forbidden"),
    ("PATCH", "/api/departments/{dept}", {"name": "\x00"}, "body", "nul_character"),
    *[
        ("PATCH", "/api/departments/{dept}", {field: value}, field, None)
        for field in ("parent_id", "head_id")
        for value in BIG_IDS
    ],
    # roles
    ("POST", "/api/roles", {"key": 5, "name": {"en": "R"}}, "key", "string_type"),
    ("POST", "/api/roles", {"name": {"en": "R"}}, "key", "missing"),
    ("POST", "/api/roles", {"key": "r", "name": {"en": "R"}, "description": 5}, "description",
     "string_type"),
    ("POST", "/api/roles", {"key": "r", "name": {"en": "R"}, "is_system": True}, "is_system",
     "extra_forbidden"),
    ("POST", "/api/roles", {"key": "r", "name": {"en": "R\x00"}}, "body", "nul_character"),
    ("POST", "/api/roles", {"key": "r", "name": {"en": "R"}, "description": "\x00"}, "body",
     "nul_character"),
    ("PATCH", "/api/roles/{role}", {"name": ["R"]}, "name", None),
    ("PATCH", "/api/roles/{role}", {"member_count": 0}, "member_count", "extra_forbidden"),
    ("PATCH", "/api/roles/{role}", {"description": "\x00"}, "body", "nul_character"),
]  # fmt: skip

# Path ids out of range, for every endpoint that takes one.
ID_PATHS = [
    ("PATCH", "/api/users/{id}", {"display_name": "X"}, "user_id"),
    ("DELETE", "/api/users/{id}", None, "user_id"),
    ("PATCH", "/api/departments/{id}", {"name": "X"}, "department_id"),
    ("DELETE", "/api/departments/{id}", None, "department_id"),
    ("PATCH", "/api/roles/{id}", {"name": {"en": "X"}}, "role_id"),
    ("DELETE", "/api/roles/{id}", None, "role_id"),
]
for _method, _path, _body, _field in ID_PATHS:
    for _ident in ("0", "-1", "2147483648", "100000000000000000000", "abc", "1.5"):
        BAD_INPUT.append((_method, _path.replace("{id}", _ident), _body, _field, None))


def bad_input_id(case: tuple[str, str, Any, str, str | None]) -> str:
    method, path, _, field, _ = case
    return f"{method} {path} {field}"


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "code"),
    BAD_INPUT,
    ids=[bad_input_id(case) for case in BAD_INPUT],
)
def test_bad_input_is_422_naming_the_field(
    admin_client, targets, session_factory, method, path, body, field, code
) -> None:
    with unchanged(session_factory):
        refused = problem(call(admin_client, method, path, targets, json=body), 422)
    error = error_on(refused, field)
    if code is not None:
        assert error["code"] == code
    assert error["message"]
    assert field in refused["detail"]


WRITE_BODIES = [(m, p) for m, p, b in WRITES if b is not None and "platform_admin" not in str(b)]
WRITE_BODIES.append(("POST", "/api/me/password"))


@pytest.mark.parametrize(
    ("method", "path"), WRITE_BODIES, ids=[f"{m} {p}" for m, p in WRITE_BODIES]
)
@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"[]", 422),
        (b'"text"', 422),
        (b"42", 422),
        (b"null", 422),
        (b"", 422),
        (b"{", 400),
        (b'{"name": "x",}', 400),
        (b"\xff\xfe", 400),
    ],
)
def test_bodies_that_are_not_an_object_are_refused(
    admin_client, targets, session_factory, method, path, content, status
) -> None:
    with unchanged(session_factory):
        refused = problem(
            call(
                admin_client,
                method,
                path,
                targets,
                content=content,
                headers={"content-type": "application/json"},
            ),
            status,
        )
    assert refused["errors"][0]["field"] == "body"


def test_a_form_encoded_body_is_refused(admin_client, targets, session_factory) -> None:
    with unchanged(session_factory):
        response = admin_client.post("/api/departments", data={"name": "研发部"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize("ident", ["0", "2147483648", "100000000000000000000", "abc"])
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/users/", "user_id"),
        ("/api/departments/", "department_id"),
        ("/api/roles/", "role_id"),
    ],
)
def test_out_of_range_ids_in_reads_are_422(admin_client, path, field, ident) -> None:
    refused = problem(admin_client.get(path + ident), 422)
    assert error_on(refused, field)


# --- languages -----------------------------------------------------------------------------


def localized(client: Any, targets: dict[str, int], case: str, language: str | None) -> Any:
    """Sends one refused request of the given kind in ``language``."""
    headers = {"Accept-Language": language} if language else {}
    requests = {
        "extra_field": ("POST", "/api/departments", {"name": "x", "colour": "red"}),
        "missing_parent": ("POST", "/api/departments", {"name": "x", "parent_id": 999}),
        "duplicate": ("POST", "/api/users", {**NEW_USER, "username": "admin"}),
        "not_found": ("GET", "/api/users/999", None),
        "not_empty": ("DELETE", "/api/departments/{dept}", None),
        "system_role": ("DELETE", "/api/roles/{admin_role}", None),
        "self_lockout": ("DELETE", "/api/users/{admin}", None),
    }
    method, path, body = requests[case]
    return call(client, method, path, targets, json=body, headers=headers)


# (case, status, Chinese and English texts expected in title, detail or an error message)
LANGUAGE_CASES = [
    ("extra_field", 422, ["数据校验失败", "不允许的字段。", "1 个字段无效：colour。"],
     ["Validation failed", "Extra inputs are not permitted", "1 field(s) are invalid: colour."]),
    ("missing_parent", 422, ["数据校验失败", "部门 999 不存在。"],
     ["Validation failed", "Department 999 does not exist."]),
    ("duplicate", 409, ["冲突", "用户名“admin”已被使用。", "已被使用。"],
     ["Conflict", "Username 'admin' is taken.", "Already taken."]),
    ("not_found", 404, ["未找到", "未找到用户“999”。"], ["Not found", "User '999' was not found."]),
    ("not_empty", 409, ["冲突", "部门“销售部”下还有 1 名成员和 0 个子部门，请先移走。"],
     ["Conflict", "Department '销售部' still has 1 member(s) and 0 sub-department(s)"]),
    ("system_role", 409, ["系统内置角色不能删除。"], ["Built-in roles cannot be deleted."]),
    ("self_lockout", 422, ["不能取消自己的管理员权限或停用自己。"],
     ["You cannot remove your own admin rights or deactivate yourself."]),
]  # fmt: skip


def texts_of(body: dict[str, Any]) -> str:
    messages = [error["message"] for error in body.get("errors", [])]
    return "\n".join([body["title"], body["detail"], *messages])


@pytest.mark.parametrize(
    ("case", "status", "chinese", "english"), LANGUAGE_CASES, ids=[c[0] for c in LANGUAGE_CASES]
)
def test_errors_follow_accept_language(
    admin_client, targets, make_user, case, status, chinese, english
) -> None:
    make_user("li.lei", main_department_id=targets["dept"])
    for language in ("zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "en;q=0.3, zh;q=0.9"):
        response = localized(admin_client, targets, case, language)
        body = problem(response, status)
        assert response.headers["content-language"] == "zh-CN"
        for expected in chinese:
            assert expected in texts_of(body)
        assert CJK.search(body["title"])
    for language in ("en", "en-US,en;q=0.9", "fr-FR, en;q=0.5", None):
        response = localized(admin_client, targets, case, language)
        body = problem(response, status)
        assert response.headers["content-language"] == "en"
        for expected in english:
            assert expected in texts_of(body)
        assert not CJK.search(body["title"])


def test_auth_errors_follow_accept_language(app, targets, member_token) -> None:
    with JimuClient(app) as anonymous:
        zh = problem(anonymous.get("/api/users", headers={"Accept-Language": "zh-CN"}), 401)
        en = problem(anonymous.get("/api/users", headers={"Accept-Language": "en"}), 401)
    assert zh["title"] == "未登录"
    assert en["title"] == "Not signed in"
    with JimuClient(app, headers={"Authorization": f"Bearer {member_token}"}) as member:
        body = {"name": "x"}
        zh = problem(
            member.post("/api/departments", json=body, headers={"Accept-Language": "zh-CN"}), 403
        )
        en = problem(
            member.post("/api/departments", json=body, headers={"Accept-Language": "en"}), 403
        )
    assert (zh["title"], zh["detail"]) == ("没有权限", "只有平台管理员可以执行此操作。")
    assert (en["title"], en["detail"]) == ("Permission denied", "Only platform admins may do this.")


def test_own_password_errors_follow_accept_language(make_user, login) -> None:
    make_user("li.lei")
    me = login("li.lei", USER_PASSWORD)
    body = {"current_password": "wrong-pass-1", "new_password": "new-pass-123"}
    zh = problem(me.post("/api/me/password", json=body, headers={"Accept-Language": "zh-CN"}), 422)
    en = problem(me.post("/api/me/password", json=body, headers={"Accept-Language": "en"}), 422)
    assert error_on(zh, "current_password")["message"] == "密码错误。"
    assert error_on(en, "current_password")["message"] == "Wrong password."
