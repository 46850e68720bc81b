"""The sources of computed fields across forms, and how hidden-ness spreads (no database)."""

from __future__ import annotations

from typing import Any

import pytest

from jimu.form_engine import spec as s
from jimu.form_engine.access import FormGrant
from jimu.form_engine.derived import app_sources, derive, first_hidden, path_nodes


def f(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"en": key}, **props}


def form(key: str, *fields: dict[str, Any]) -> s.FormSpec:
    return s.FormSpec.model_validate({"key": key, "name": {"en": key}, "fields": list(fields)})


COMPANY = form("company", f("name"), f("rating", "number"))
CUSTOMER = form(
    "customer",
    f("name"),
    f("credit", "number"),
    f("company", "relation", target_form="company"),
    f("band", "formula", formula="credit * 2"),
    f("total", "rollup", formula="SUM(deal.cost)"),
)
DEAL = form(
    "deal",
    f("cost", "number"),
    f("secret"),
    f("customer", "relation", target_form="customer"),
    f("len", "formula", formula="LEN(secret)"),
    f("len2", "formula", formula="len + 1"),
    f("owner_is_me", "formula", formula="_owner = CURRENT_USER()"),
    f("band_seen", "lookup", relation="customer", source_field="band"),
    f("rating", "formula", formula="customer.company.rating"),
    f("copied", linkage={"relation": "customer", "source_field": "name"}),
    f(
        "lines",
        "subform",
        fields=[
            f("qty", "number"),
            f("buyer", "relation", target_form="customer"),
            f("buyer_credit", "lookup", relation="buyer", source_field="credit"),
        ],
    ),
)
FORMS = {x.key: x for x in (COMPANY, CUSTOMER, DEAL)}


@pytest.mark.parametrize(
    ("start", "path", "row_of", "expected"),
    [
        ("deal", "secret", None, {("deal", "secret")}),
        ("deal", "customer.credit", None, {("deal", "customer"), ("customer", "credit")}),
        (
            "deal",
            "customer.company.rating",
            None,
            {("deal", "customer"), ("customer", "company"), ("company", "rating")},
        ),
        ("deal", "lines.qty", None, {("deal", "lines"), ("deal", "lines.qty")}),
        ("deal", "_owner", None, set()),
        ("customer", "deal.cost", None, {("deal", "customer"), ("deal", "cost")}),
        ("deal", "buyer.credit", "lines", {("deal", "lines.buyer"), ("customer", "credit")}),
        ("deal", "nothing.here", None, set()),
    ],
)
def test_path_nodes(start: str, path: str, row_of: str | None, expected: set[Any]) -> None:
    assert path_nodes(FORMS, start, path, row_of) == expected


def test_every_kind_of_computed_field_has_its_sources() -> None:
    graph = app_sources(FORMS)
    assert graph[("deal", "len")] == {("deal", "secret")}
    assert graph[("deal", "len2")] == {("deal", "len")}
    assert graph[("deal", "band_seen")] == {("deal", "customer"), ("customer", "band")}
    assert graph[("deal", "copied")] == {("deal", "customer"), ("customer", "name")}
    assert ("company", "rating") in graph[("deal", "rating")]
    assert graph[("deal", "lines.buyer_credit")] == {
        ("deal", "lines.buyer"),
        ("customer", "credit"),
    }
    assert graph[("customer", "total")] == {("deal", "customer"), ("deal", "cost")}
    assert not graph.get(("deal", "owner_is_me"))  # meta fields are never hidden


def test_hidden_spreads_transitively_and_across_forms() -> None:
    graph = app_sources(FORMS)
    hidden = {("customer", "credit"), ("deal", "secret")}
    because = derive(graph, lambda node: node in hidden)
    assert because[("deal", "len")] == (("deal", "secret"),)
    assert because[("deal", "len2")] == (("deal", "len"),)
    assert because[("customer", "band")] == (("customer", "credit"),)
    assert because[("deal", "band_seen")] == (("customer", "band"),)
    assert because[("deal", "lines.buyer_credit")] == (("customer", "credit"),)
    assert ("deal", "copied") not in because
    assert ("customer", "total") not in because


def test_nothing_hidden_hides_nothing() -> None:
    assert derive(app_sources(FORMS), lambda node: False) == {}


def test_a_loop_of_sources_ends() -> None:
    graph = {("a", "x"): frozenset({("a", "y")}), ("a", "y"): frozenset({("a", "x"), ("a", "z")})}
    because = derive(graph, lambda node: node == ("a", "z"))
    assert set(because) == {("a", "x"), ("a", "y")}


def test_a_form_that_no_longer_validates_hides_what_it_computes() -> None:
    broken = {"deal": DEAL, "company": COMPANY}  # the customer form is gone
    because = derive(app_sources(broken), lambda node: False)
    assert ("deal", "band_seen") in because
    assert ("deal", "len") in because


def test_first_hidden_follows_relations() -> None:
    grant = FormGrant(
        actions=frozenset({"view"}),
        fields={"cost": "read", "customer": "read"},
        default_mode="hidden",
        forms={"customer": {"credit": "hidden", "name": "read", "company": "read"}},
    )
    paths = ["cost", "customer.name", "customer.credit"]
    assert first_hidden(grant, FORMS, "deal", paths) == "customer.credit"
    assert first_hidden(grant, FORMS, "deal", paths[:2]) is None
    assert first_hidden(grant, FORMS, "deal", ["customer.company.rating"]) is not None
