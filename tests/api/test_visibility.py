"""Visibility rules on the server: a field hidden by its rule is not required, not
validated, and its value is cleared (or kept, when the form says so)."""

from __future__ import annotations

from typing import Any

import pytest


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


STAGES = [{"key": k, "label": {"en": k}} for k in ("open", "won", "lost")]


def deal_spec(hidden_values: str = "clear") -> dict[str, Any]:
    return {
        "key": "deal",
        "name": {"zh": "商机"},
        "options": {"hidden_values": hidden_values},
        "fields": [
            field("stage", "select", options=STAGES, default="open"),
            field("lost_reason", required=True, visible_when='stage = "lost"'),
            field(
                "won_amount",
                "amount",
                visible_when='stage = "won"',
                required_when="TRUE",
                validations=[{"formula": "won_amount > 0", "message": {"en": "Must be > 0"}}],
            ),
            field(
                "competitors",
                "subform",
                visible_when='stage = "lost"',
                fields=[field("name", required=True)],
            ),
            field("reason_len", "formula", formula="LEN(lost_reason)"),
        ],
    }


def publish(client: Any, spec: dict[str, Any]) -> str:
    client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    assert client.post("/api/apps/crm/forms", json=spec).status_code == 201
    published = client.post(f"/api/apps/crm/forms/{spec['key']}/publish")
    assert published.status_code == 200, published.text
    return f"/api/apps/crm/forms/{spec['key']}/records"


def test_hidden_field_is_not_required(admin_client: Any) -> None:
    url = publish(admin_client, deal_spec())
    created = admin_client.post(url, json={"values": {"stage": "open"}})
    assert created.status_code == 201, created.text
    assert created.json()["lost_reason"] is None


def test_visible_field_is_required_and_validated(admin_client: Any) -> None:
    url = publish(admin_client, deal_spec())
    lost = admin_client.post(url, json={"values": {"stage": "lost"}})
    assert lost.status_code == 422
    assert [e["field"] for e in lost.json()["errors"]] == ["lost_reason"]
    won = admin_client.post(url, json={"values": {"stage": "won", "won_amount": "-5"}})
    assert won.status_code == 422
    assert {e["code"] for e in won.json()["errors"]} == {"rule"}
    missing = admin_client.post(url, json={"values": {"stage": "won"}})
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [
        ("won_amount", "required")
    ]


def test_values_of_hidden_fields_are_cleared(admin_client: Any) -> None:
    url = publish(admin_client, deal_spec())
    created = admin_client.post(
        url,
        json={
            "values": {
                "stage": "lost",
                "lost_reason": "price",
                "competitors": [{"name": "Acme"}],
            }
        },
    ).json()
    assert created["reason_len"] == "5"
    assert [r["name"] for r in created["competitors"]] == ["Acme"]
    moved = admin_client.patch(
        f"{url}/{created['_id']}",
        json={"version": created["_version"], "values": {"stage": "won", "won_amount": "10"}},
    )
    assert moved.status_code == 200, moved.text
    record = moved.json()
    assert record["lost_reason"] is None
    assert record["competitors"] == []
    assert record["reason_len"] == "0"  # the formula saw the cleared value
    history = admin_client.get(f"{url}/{created['_id']}/history").json()
    assert history[-1]["changes"]["lost_reason"] == ["price", None]


def test_values_sent_for_hidden_fields_are_not_stored(admin_client: Any) -> None:
    url = publish(admin_client, deal_spec())
    created = admin_client.post(url, json={"values": {"stage": "open", "lost_reason": "x"}})
    assert created.status_code == 201
    assert created.json()["lost_reason"] is None


@pytest.mark.parametrize("stage", ["open", "won"])
def test_form_can_keep_hidden_values(admin_client: Any, stage: str) -> None:
    url = publish(admin_client, deal_spec("keep"))
    values = {"stage": stage, "lost_reason": "kept"}
    if stage == "won":
        values["won_amount"] = "3"
    created = admin_client.post(url, json={"values": values})
    assert created.status_code == 201, created.text
    assert created.json()["lost_reason"] == "kept"


def test_bad_hidden_values_option_is_refused(admin_client: Any) -> None:
    spec = deal_spec()
    spec["options"] = {"hidden_values": "drop"}
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    refused = admin_client.post("/api/apps/crm/forms", json=spec)
    assert refused.status_code == 422
    assert any("hidden_values" in e["field"] for e in refused.json()["errors"])
