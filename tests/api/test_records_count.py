"""List totals: exact up to the count limit, then "at least" (``total_exact`` false)."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.form_engine import records

URL = "/api/apps/crm/forms/note/records"


@pytest.fixture
def notes(admin_client: Any) -> None:
    admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}})
    spec = {
        "key": "note",
        "name": {"en": "Note"},
        "fields": [{"key": "n", "type": "number", "label": {"en": "N"}, "decimals": 0}],
    }
    assert admin_client.post("/api/apps/crm/forms", json=spec).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/note/publish").status_code == 200
    bulk = admin_client.post(f"{URL}/bulk", json={"create": [{"n": i} for i in range(12)]})
    assert bulk.status_code == 200, bulk.text


def test_small_results_are_counted_exactly(admin_client: Any, notes: None) -> None:
    page = admin_client.get(URL, params={"filter": "n >= 2", "page_size": 3}).json()
    assert (page["total"], page["total_exact"], len(page["items"])) == (10, True, 3)


def test_counting_stops_at_the_limit(
    admin_client: Any, notes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "COUNT_LIMIT", 5)
    page = admin_client.get(URL, params={"filter": "n >= 2", "page_size": 3, "page": 3}).json()
    assert (page["total"], page["total_exact"]) == (5, False)
    assert [item["n"] for item in page["items"]] == ["5", "4", "3"]  # pages go on past it
    exact = admin_client.get(URL, params={"filter": "n >= 7"}).json()
    assert (exact["total"], exact["total_exact"]) == (5, True)
