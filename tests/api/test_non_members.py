"""To a user who holds no role in an app, the app does not exist: every endpoint under
``/api/apps/{app}`` answers 404 "App not found", exactly as for a missing app (an existence
oracle otherwise). Members who lack a right still get 403."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from jimu.platform.app import create_app
from jimu.platform.db import make_engine
from jimu.platform.settings import Settings
from tests.conftest import JimuClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


DEAL = {
    "key": "deal",
    "name": {"en": "Deal"},
    "title_field": "title",
    "fields": [field("title"), field("files", "attachment")],
}

# a body the endpoint would accept from an admin: the refusal must not depend on the body
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/apps/{app}"): {"sort_order": 1},
    ("POST", "/api/apps/{app}/forms"): {**DEAL, "key": "memo"},
    ("PUT", "/api/apps/{app}/forms/{form}"): DEAL,
    ("POST", "/api/apps/{app}/forms/{form}/records"): {"values": {"title": "x"}},
    ("POST", "/api/apps/{app}/forms/{form}/records/bulk"): {"create": [{"title": "x"}]},
    ("PATCH", "/api/apps/{app}/forms/{form}/records/{record_id}"): {
        "values": {"title": "y"},
        "version": 1,
    },
    ("POST", "/api/apps/{app}/roles"): {"key": "buyers", "name": {"en": "Buyers"}},
    ("PATCH", "/api/apps/{app}/roles/{role}"): {"description": "x"},
    ("PUT", "/api/apps/{app}/roles/{role}/forms/{form}"): {"preset": "view_all"},
    ("PUT", "/api/apps/{app}/menu"): {"items": [{"type": "form", "key": "deal"}]},
    ("POST", "/api/apps/{app}/forms/{form}/views"): {"name": "v"},
    ("PATCH", "/api/apps/{app}/forms/{form}/views/{view_id}"): {"name": "w"},
    ("POST", "/api/apps/{app}/forms/{form}/records/{record_id}/comments"): {"body": "hi"},
    ("POST", "/api/apps/{app}/formulas/catalogue"): {"kind": "form", "form": "deal"},
    ("POST", "/api/apps/{app}/formulas/check"): {
        "expression": "1",
        "context": {"kind": "form", "form": "deal"},
    },
}


def _app_operations() -> list[tuple[str, str, bool]]:
    """(method, path, takes a body) of every app-scoped operation of the API."""
    with tempfile.TemporaryDirectory() as tmp:
        throwaway = create_app(
            Settings(data_dir=Path(tmp), database_url="sqlite://", secret_key="schema-only"),
            make_engine("sqlite://"),
        )
        paths = throwaway.openapi()["paths"]
    return sorted(
        (method.upper(), path, "requestBody" in operation)
        for path, operations in paths.items()
        if path.startswith("/api/apps/{app}")
        for method, operation in operations.items()
    )


OPERATIONS = _app_operations()


@pytest.fixture
def crm(admin_client: JimuClient, make_user: Callable[..., dict[str, Any]]) -> dict[str, str]:
    """App ``crm`` with a published form, a record and its file, a deleted record, a pending
    upload, a role, a view, a comment; the values of the path parameters."""
    assert admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).is_success
    assert admin_client.post("/api/apps/crm/forms", json=DEAL).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/deal/publish").status_code == 200
    base = "/api/apps/crm/forms/deal"
    uploaded = admin_client.post(f"{base}/files?field=files", files={"file": ("a.png", PNG)})
    assert uploaded.status_code == 201, uploaded.text
    pending = admin_client.post(f"{base}/files?field=files", files={"file": ("b.png", PNG)})
    file_id, pending_id = uploaded.json()["id"], pending.json()["id"]
    record = admin_client.post(
        f"{base}/records", json={"values": {"title": "a", "files": [{"id": file_id}]}}
    )
    assert record.status_code == 201, record.text
    deleted = admin_client.post(f"{base}/records", json={"values": {"title": "gone"}}).json()
    assert admin_client.delete(f"{base}/records/{deleted['_id']}").status_code == 204
    role = {"key": "sales", "name": {"en": "Sales"}}
    assert admin_client.post("/api/apps/crm/roles", json=role).status_code == 201
    view = admin_client.post(f"{base}/views", json={"name": "Mine", "shared": True})
    assert view.status_code == 201, view.text
    comment = admin_client.post(f"{base}/records/1/comments", json={"body": "first"})
    assert comment.status_code == 201, comment.text
    outsider = make_user("outsider")
    return {
        "app": "crm",
        "form": "deal",
        "record_id": "1",
        "role": "sales",
        "view_id": str(view.json()["id"]),
        "comment_id": str(comment.json()["id"]),
        "version": "1",
        "file_id": file_id,
        "pending_id": pending_id,
        "deleted_id": str(deleted["_id"]),
        "outsider": str(outsider["id"]),
    }


def _call(client: JimuClient, method: str, path: str, values: dict[str, str]) -> Any:
    values = dict(values)
    if path.endswith("/forms/{form}/files/{file_id}"):
        values["file_id"] = values["pending_id"]
    if path.endswith("/restore"):
        values["record_id"] = values["deleted_id"]
    url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    params = {"user": values["outsider"]} if path.endswith("/explain") else {}
    if method == "POST" and path.endswith("/files"):
        return client.post(url, params={"field": "files"}, files={"file": ("c.png", PNG)})
    body = BODIES.get((method, path))
    return client.request(method, url, params=params, json=body)


@pytest.mark.parametrize(
    ("method", "path", "has_body"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_a_non_member_gets_404_on_every_app_endpoint(
    app: FastAPI,
    admin_client: JimuClient,
    crm: dict[str, str],
    token_for: Callable[[int], str],
    method: str,
    path: str,
    has_body: bool,
) -> None:
    assert not has_body or (method, path) in BODIES or path.endswith("/files"), (
        "give this endpoint a valid body in BODIES"
    )
    as_admin = _call(admin_client, "GET" if method == "DELETE" else method, path, crm)
    assert as_admin.status_code != 404, as_admin.text  # the thing asked for exists
    outsider = {"Authorization": f"Bearer {token_for(int(crm['outsider']))}"}
    with JimuClient(app, headers=outsider) as client:
        response = _call(client, method, path, crm)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "App 'crm' was not found."
        missing = _call(client, method, path, {**crm, "app": "nope"})
        assert missing.status_code == 404, missing.text
        assert missing.json()["detail"] == "App 'nope' was not found."
        if "{form}" in path:  # nor may the answer tell which forms the app has
            no_form = _call(client, method, path, {**crm, "form": "nope"})
            assert no_form.json()["detail"] == "App 'crm' was not found.", no_form.text


ADMIN_ONLY = [
    ("GET", "/api/apps/{app}/roles"),
    ("GET", "/api/apps/{app}/roles/{role}"),
    ("PATCH", "/api/apps/{app}/roles/{role}"),
    ("PUT", "/api/apps/{app}/roles/{role}/forms/{form}"),
    ("GET", "/api/apps/{app}/forms/{form}/records/{record_id}/explain"),
    ("GET", "/api/apps/{app}/forms/{form}/publish-plan"),
    ("POST", "/api/apps/{app}/forms/{form}/publish"),
    ("PUT", "/api/apps/{app}/menu"),
    ("PATCH", "/api/apps/{app}"),
    ("POST", "/api/apps/{app}/formulas/catalogue"),
    ("POST", "/api/apps/{app}/formulas/check"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ONLY, ids=[" ".join(o) for o in ADMIN_ONLY])
def test_a_member_without_the_right_gets_403(
    app: FastAPI,
    admin_client: JimuClient,
    crm: dict[str, str],
    token_for: Callable[[int], str],
    method: str,
    path: str,
) -> None:
    opened = admin_client.patch("/api/apps/crm/roles/member", json={"all_users": True})
    assert opened.status_code == 200, opened.text
    member = {"Authorization": f"Bearer {token_for(int(crm['outsider']))}"}
    with JimuClient(app, headers=member) as client:
        response = _call(client, method, path, crm)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "permission_denied"
