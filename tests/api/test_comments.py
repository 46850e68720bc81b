"""Comments on records: .../records/{id}/comments."""

from __future__ import annotations

from tests.api.org_helpers import problem
from tests.api.web_helpers import grant_members, make_app, open_to_everyone

RECORDS = "/api/apps/crm/forms/deal/records"


def _record(client) -> int:
    created = client.post(RECORDS, json={"values": {"title": "合同"}})
    assert created.status_code == 201, created.text
    return int(created.json()["_id"])


def test_comment_list_add_delete(admin_client, make_user, login) -> None:
    make_app(admin_client)
    record = _record(admin_client)
    url = f"{RECORDS}/{record}/comments"
    first = admin_client.post(url, json={"body": "  请尽快跟进  "})
    assert first.status_code == 201, first.text
    assert first.json()["body"] == "请尽快跟进"
    assert first.json()["author_name"] == "管理员 Admin"
    second = admin_client.post(url, json={"body": "OK"})
    assert [c["body"] for c in admin_client.get(url).json()] == ["请尽快跟进", "OK"]
    assert admin_client.delete(f"{url}/{second.json()['id']}").status_code == 204
    assert [c["body"] for c in admin_client.get(url).json()] == ["请尽快跟进"]


def test_members_comment_where_they_see_the_record(admin_client, make_user, login) -> None:
    make_app(admin_client)
    record = _record(admin_client)
    url = f"{RECORDS}/{record}/comments"
    first = admin_client.post(url, json={"body": "admin"}).json()
    make_user("li")
    li = login("li", "user-pass-1")
    problem(li.get(url), 404)  # not a member of the app
    open_to_everyone(admin_client)
    problem(li.post(url, json={"body": "x"}), 404)  # a member who may not read deals
    grant_members(admin_client, "deal", "view_all")
    own = li.post(url, json={"body": "li"})
    assert own.status_code == 201
    problem(li.delete(f"{url}/{first['id']}"), 403)
    assert li.delete(f"{url}/{own.json()['id']}").status_code == 204
    grant_members(admin_client, "deal", "view_all_edit_own")  # includes managing comments
    assert li.delete(f"{url}/{first['id']}").status_code == 204


def test_comments_need_a_visible_record_and_good_input(admin_client) -> None:
    make_app(admin_client)
    record = _record(admin_client)
    url = f"{RECORDS}/{record}/comments"
    problem(admin_client.get(f"{RECORDS}/999/comments"), 404)
    problem(admin_client.post(f"{RECORDS}/999/comments", json={"body": "x"}), 404)
    for body, field in (({"body": ""}, "body"), ({"body": "x" * 5001}, "body"), ({}, "body")):
        found = problem(admin_client.post(url, json=body), 422)
        assert found["errors"][0]["field"] == field
    problem(admin_client.delete(f"{url}/12345"), 404)
    other = _record(admin_client)
    comment = admin_client.post(f"{RECORDS}/{other}/comments", json={"body": "x"}).json()
    problem(admin_client.delete(f"{url}/{comment['id']}"), 404)
    admin_client.delete(f"{RECORDS}/{record}")
    problem(admin_client.get(url), 404)


def test_comments_can_be_turned_off(admin_client) -> None:
    make_app(admin_client)
    record = _record(admin_client)
    spec = admin_client.get("/api/apps/crm/forms/deal").json()["draft"]
    spec["options"]["allow_comments"] = False
    assert admin_client.put("/api/apps/crm/forms/deal", json=spec).status_code == 200
    assert admin_client.post("/api/apps/crm/forms/deal/publish").status_code == 200
    problem(admin_client.get(f"{RECORDS}/{record}/comments"), 403)
