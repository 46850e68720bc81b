"""An organisation, an app and records for the permission tests.

Departments (5 levels): HQ > Sales > East > East-1 > East-1-a, and Sales > West.
Users and their supervisors: boss (Sales), east_mgr (East, under boss), rep_a (East-1, under
east_mgr), rep_b (East-1-a, under rep_a), west_rep (West, under east_mgr: a subordinate in
another department), other (HQ). Each owns one lead; regions alternate east / west.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from jimu.platform.db import transaction
from jimu.platform.org.models import Department
from tests.conftest import JimuClient

APP = "/api/apps/crm"
LEADS = f"{APP}/forms/lead/records"
DEALS = f"{APP}/forms/deal/records"
USERS = ("boss", "east_mgr", "rep_a", "rep_b", "west_rep", "other")
REGIONS = {"boss": "east", "east_mgr": "west", "rep_a": "east", "rep_b": "west"}
REGIONS |= {"west_rep": "west", "other": "east"}
# user -> (main department, supervisor)
PLACEMENT: dict[str, tuple[str, str | None]] = {
    "boss": ("sales", None),
    "east_mgr": ("east", "boss"),
    "rep_a": ("east1", "east_mgr"),
    "rep_b": ("east1a", "rep_a"),
    "west_rep": ("west", "east_mgr"),
    "other": ("hq", None),
}
TREE: dict[str, str | None] = {
    "hq": None,
    "sales": "hq",
    "east": "sales",
    "east1": "east",
    "east1a": "east1",
    "west": "sales",
}


def expected_scope(scope: str, user: str) -> set[str]:
    """The owners whose leads a scope reaches for ``user``, worked out from the org chart."""
    department = PLACEMENT[user][0]

    def below(d: str | None, top: str) -> bool:
        while d is not None:
            if d == top:
                return True
            d = TREE[d]
        return False

    def reports_to(u: str | None) -> bool:
        while u is not None:
            if u == user:
                return True
            u = PLACEMENT[u][1]
        return False

    rules = {
        "all": lambda o: True,
        "none": lambda o: False,
        "own": lambda o: o == user,
        "department": lambda o: PLACEMENT[o][0] == department,
        "department_tree": lambda o: below(PLACEMENT[o][0], department),
        "subordinates": reports_to,
        "custom": lambda o: REGIONS[o] == "east",
    }
    return {o for o in USERS if rules[scope](o)}


def f(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    """A field of a spec."""
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


LEAD = {
    "key": "lead",
    "name": {"zh": "线索", "en": "Lead"},
    "title_field": "name",
    "owner_field": "owner_user",
    "fields": [
        f("name", required=True),
        f(
            "region",
            "select",
            options=[
                {"key": "east", "label": {"en": "East"}},
                {"key": "west", "label": {"en": "W"}},
            ],
        ),
        f("amount", "number"),
        f("secret"),
        f("owner_user", "member"),
        f("helpers", "member", multiple=True, share="edit"),
        f("watcher", "member", share="view"),
    ],
}
DEAL = {
    "key": "deal",
    "name": {"en": "Deal"},
    "title_field": "title",
    "fields": [f("title", required=True), f("lead", "relation", target_form="lead")],
}


@dataclass
class World:
    """The arranged organisation: user ids, clients, lead ids by owner."""

    admin: JimuClient
    ids: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    clients: dict[str, JimuClient] = field(default_factory=dict)
    leads: dict[str, int] = field(default_factory=dict)

    def role(self, key: str, permission: dict[str, Any], **members: Any) -> None:
        """Creates a role with one permission set on ``lead`` (and view all on deal)."""
        body = {
            "key": key,
            "name": {"en": key},
            "members": {"users": [self.ids[u] for u in members.get("users", [])]},
            "permissions": {"lead": permission, "deal": {"actions": ["view"]}},
        }
        if "departments" in members:
            body["members"]["departments"] = [self.departments[d] for d in members["departments"]]
        if members.get("all_users"):
            body["all_users"] = True
        response = self.admin.post(f"{APP}/roles", json=body)
        assert response.status_code == 201, response.text

    def visible(self, user: str, **params: Any) -> set[str]:
        """Owners of the leads the user lists."""
        response = self.clients[user].get(LEADS, params={"page_size": 200, **params})
        assert response.status_code == 200, response.text
        by_id = {v: k for k, v in self.leads.items()}
        return {by_id[item["_id"]] for item in response.json()["items"]}


def build_world(
    app: FastAPI,
    admin_client: JimuClient,
    make_user: Callable[..., dict[str, Any]],
    token_for: Callable[[int], str],
    session_factory: sessionmaker[Session],
) -> World:
    """Creates the departments, users, the app, its forms and one lead per user."""
    world = World(admin_client)
    with transaction(session_factory) as session:
        world.departments = _departments(session)
    for name in USERS:
        department, supervisor = PLACEMENT[name]
        user = make_user(
            name,
            main_department_id=world.departments[department],
            supervisor_id=world.ids[supervisor] if supervisor else None,
        )
        world.ids[name] = user["id"]
        client = JimuClient(app, headers={"Authorization": f"Bearer {token_for(user['id'])}"})
        world.clients[name] = client.__enter__()
    created_app = admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    assert created_app.status_code == 201, created_app.text
    for spec in (LEAD, DEAL):
        assert admin_client.post(f"{APP}/forms", json=spec).status_code == 201
        assert admin_client.post(f"{APP}/forms/{spec['key']}/publish").status_code == 200
    for name in USERS:
        values = {
            "name": f"lead of {name}",
            "region": REGIONS[name],
            "amount": len(name),
            "secret": f"secret-{name}",
            "owner_user": world.ids[name],
        }
        created = admin_client.post(LEADS, json={"values": values})
        assert created.status_code == 201, created.text
        world.leads[name] = created.json()["_id"]
    return world


def _departments(session: Session) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, parent in TREE.items():
        row = Department(name=name, parent_id=ids[parent] if parent else None)
        session.add(row)
        session.flush()
        ids[name] = row.id
    return ids
