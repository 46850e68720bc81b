"""GET /api/apps/{app}/forms/{form}/logic: a form's formulas and rules as JsonLogic."""

from __future__ import annotations

from tests.api.org_helpers import problem
from tests.api.web_helpers import make_app, open_to_everyone


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
