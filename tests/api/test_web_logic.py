"""GET /api/apps/{app}/forms/{form}/logic: a form's formulas and rules as JsonLogic."""

from __future__ import annotations

from tests.api.org_helpers import problem
from tests.api.web_helpers import field, make_app, open_to_everyone


def test_logic_of_a_published_form(admin_client) -> None:
    make_app(admin_client)
    logic = admin_client.get("/api/apps/crm/forms/deal/logic").json()
    fields = logic["fields"]
    assert fields["total"]["formula"] == {
        "j.mul": [{"j.SUM": [{"map": [{"var": "lines"}, {"var": "qty"}]}]}, 2]
    }
    assert fields["note"]["visible"] == {"j.bool": [{"var": "vip"}]}
    assert fields["note"]["required"] == {"j.gt": [{"var": "amount"}, 100]}
    assert fields["due"]["default"] == {"j.add": [{"var": "_ctx.today"}, 7]}
    assert fields["code"]["validations"][0]["message"]["en"] == "Four letters"
    assert logic["order"][:1] == ["total"]
    assert logic["types"]["total"] == "number"
    assert "title" not in fields


def test_draft_logic_is_for_admins_and_unpublished_forms_refuse_the_live_one(
    admin_client, make_user, login
) -> None:
    make_app(admin_client, publish=False)
    draft = admin_client.get("/api/apps/crm/forms/deal/logic?draft=true")
    assert draft.status_code == 200
    assert "total" in draft.json()["fields"]
    problem(admin_client.get("/api/apps/crm/forms/deal/logic"), 409)
    make_user("li")
    user = login("li", "user-pass-1")
    problem(user.get("/api/apps/crm/forms/deal/logic?draft=true"), 404)  # not in the app
    open_to_everyone(admin_client)
    problem(user.get("/api/apps/crm/forms/deal/logic?draft=true"), 403)  # a member, no admin


def test_logic_of_unknown_forms_and_bad_keys(admin_client) -> None:
    make_app(admin_client)
    body = problem(admin_client.get("/api/apps/crm/forms/nope/logic"), 404)
    assert "nope" in body["detail"]
    problem(admin_client.get("/api/apps/crm/forms/Bad-Key/logic"), 422)
    problem(admin_client.get("/api/apps/crm/forms/deal/logic?draft=maybe"), 422)


def test_logic_needs_sign_in(client) -> None:
    problem(client.get("/api/apps/crm/forms/deal/logic"), 401)


ORDER = {
    "key": "order",
    "name": {"en": "Order"},
    "fields": [
        field("title"),
        field(
            "lines",
            "subform",
            fields=[
                field("qty", "number", decimals=0),
                field("price", "amount"),
                field("big", "formula", formula='IF(subtotal > 100, "big", "small")'),
                field("subtotal", "formula", formula="qty * price"),
            ],
        ),
        field("total", "formula", formula="SUM(lines.subtotal)"),
        field("picked", "formula", formula="SUMIF(lines.qty, lines.qty > LEN(title))"),
        field("twice", "formula", formula="picked * 2"),
    ],
}


def test_row_formulas_come_per_sub_form_before_the_forms_own(admin_client) -> None:
    make_app(admin_client)
    assert admin_client.post("/api/apps/crm/forms", json=ORDER).status_code == 201
    assert admin_client.post("/api/apps/crm/forms/order/publish").status_code == 200
    logic = admin_client.get("/api/apps/crm/forms/order/logic").json()
    rows = logic["rows"]["lines"]
    assert rows["order"] == ["subtotal", "big"]
    assert rows["fields"]["subtotal"] == {"j.mul": [{"var": "qty"}, {"var": "price"}]}
    assert rows["fields"]["big"]["j.IF"][0] == {"j.gt": [{"var": "subtotal"}, 100]}
    assert rows["types"] == {"subtotal": "number", "big": "text"}
    assert logic["fields"]["total"]["formula"] == {
        "j.SUM": [{"map": [{"var": "lines"}, {"var": "subtotal"}]}]
    }
    assert logic["order"] == ["total"]
    assert logic["types"]["total"] == "number"
    assert "lines.subtotal" not in logic["types"]
    # a formula the browser cannot compute, and one reading it, are left to the server
    assert set(logic["server_only"]) == {"picked.formula", "twice.formula"}
    draft = admin_client.get("/api/apps/crm/forms/order/logic?draft=true").json()
    assert draft["rows"] == logic["rows"]


def test_forms_without_row_formulas_have_no_rows(admin_client) -> None:
    make_app(admin_client)
    logic = admin_client.get("/api/apps/crm/forms/deal/logic").json()
    assert logic["rows"] == {}
