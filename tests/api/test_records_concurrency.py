"""Concurrent writers: serial numbers never repeat or skip; stale updates lose cleanly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import JimuClient

FORM = {
    "key": "contract",
    "name": {"zh": "合同"},
    "fields": [
        {"key": "no", "type": "serial", "label": {"zh": "编号"}, "pattern": "HT-{0000}"},
        {"key": "title", "type": "text", "label": {"zh": "标题"}},
    ],
}
URL = "/api/apps/crm/forms/contract/records"


@pytest.fixture
def contract(admin_client) -> None:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    admin_client.post("/api/apps/crm/forms", json=FORM)
    assert admin_client.post("/api/apps/crm/forms/contract/publish").status_code == 200


def test_fifty_parallel_creates_get_fifty_consecutive_numbers(
    app, admin, token_for, contract
) -> None:
    token = token_for(admin["id"])

    def create(index: int) -> Any:
        with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
            return c.post(URL, json={"values": {"title": f"#{index}"}})

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(create, range(50)))
    assert [r.status_code for r in responses] == [201] * 50
    numbers = sorted(r.json()["no"] for r in responses)
    assert numbers == [f"HT-{n:04d}" for n in range(1, 51)]


def test_a_refused_create_does_not_use_up_a_number(admin_client, contract) -> None:
    assert admin_client.post(URL, json={"values": {"title": "a"}}).json()["no"] == "HT-0001"
    assert admin_client.post(URL, json={"values": {"title": 5}}).status_code == 422
    assert admin_client.post(URL, json={"values": {"title": "b"}}).json()["no"] == "HT-0002"


def test_two_updates_from_the_same_version_one_wins(
    app, admin, token_for, admin_client, contract
) -> None:
    record = admin_client.post(URL, json={"values": {"title": "a"}}).json()
    token = token_for(admin["id"])

    def update(title: str) -> Any:
        with JimuClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
            return c.patch(
                f"{URL}/{record['_id']}", json={"version": 1, "values": {"title": title}}
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(update, ["left", "right"]))
    assert sorted(r.status_code for r in responses) == [200, 409]
    final = admin_client.get(f"{URL}/{record['_id']}").json()
    winner = next(r for r in responses if r.status_code == 200).json()
    assert final["title"] == winner["title"]
    assert final["_version"] == 2
