"""Attachment, image and signature files: upload, use in a record, download, and every way a
file may be refused (size, type, someone else's, another form's, another record's)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import Session

from jimu.engines.blobs import LocalBlobStore
from jimu.form_engine.files import File
from jimu.platform.app import create_app
from jimu.platform.forms import files_api
from jimu.platform.settings import Settings
from tests.conftest import JimuClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"contract " * 100
MB = 1024 * 1024
BASE = "/api/apps/crm/forms"


def field(key: str, type_: str = "text", **props: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": key, "en": key.title()}, **props}


DOCS = {
    "key": "docs",
    "name": {"zh": "文档", "en": "Docs"},
    "fields": [
        field("title"),
        field("files", "attachment", max_files=2, max_size_mb=1),
        field("pdfs", "attachment", accept=[".pdf", "image/*"]),
        field("pics", "image"),
        field("sign", "signature"),
        field("lines", "subform", fields=[field("note"), field("photo", "image")]),
        field("pages", "attachment", accept=[".html", ".svg"]),
    ],
}
OTHER = {"key": "other", "name": {"en": "Other"}, "fields": [field("files", "attachment")]}


@pytest.fixture
def crm(admin_client: JimuClient) -> None:
    assert admin_client.post("/api/apps", json={"key": "crm", "name": {"en": "CRM"}}).is_success
    for spec in (DOCS, OTHER):
        assert admin_client.post(BASE, json=spec).status_code == 201
        published = admin_client.post(f"{BASE}/{spec['key']}/publish")
        assert published.status_code == 200, published.text
    members = {"actions": ["view", "create", "edit", "delete"], "edit_scope": {"type": "own"}}
    everyone = admin_client.patch(
        "/api/apps/crm/roles/member",
        json={"all_users": True, "permissions": {"docs": members, "other": members}},
    )
    assert everyone.status_code == 200, everyone.text


@pytest.fixture
def member(
    app: FastAPI, make_user: Callable[..., dict[str, Any]], token_for: Callable[[int], str]
) -> Iterator[Callable[[str], JimuClient]]:
    """Signs in members by name with Bearer tokens."""
    opened: list[JimuClient] = []

    def client(username: str) -> JimuClient:
        user = make_user(username)
        c = JimuClient(app, headers={"Authorization": f"Bearer {token_for(user['id'])}"})
        c.__enter__()
        c.user_id = user["id"]  # type: ignore[attr-defined]
        opened.append(c)
        return c

    yield client
    for c in opened:
        c.__exit__(None, None, None)


def upload(
    client: JimuClient, key: str, name: str, content: bytes, form: str = "docs"
) -> dict[str, Any]:
    response = client.post(f"{BASE}/{form}/files?field={key}", files={"file": (name, content)})
    assert response.status_code == 201, response.text
    return response.json()


def create(client: JimuClient, **values: Any) -> Any:
    return client.post(f"{BASE}/docs/records", json={"values": values})


def stored(db_engine: sa.Engine) -> list[File]:
    with Session(db_engine) as session:
        return list(session.scalars(sa.select(File).order_by(File.created_at)))


def blobs(app: FastAPI) -> set[Path]:
    root = app.state.settings.data_dir / "files"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_upload_attach_download_round_trip(
    crm: None, member: Callable[[str], JimuClient], app: FastAPI, engine: sa.Engine
) -> None:
    li = member("li")
    name = "合同 2026（终版）.pdf"
    uploaded = upload(li, "files", name, PDF)
    assert uploaded == {
        "id": uploaded["id"],
        "name": name,
        "size": len(PDF),
        "content_type": "application/pdf",
    }
    pending = li.get(f"{BASE}/docs/files/{uploaded['id']}")
    assert pending.status_code == 200
    assert pending.content == PDF

    # the client's name and size are ignored: the record stores what was uploaded
    created = create(li, title="a", files=[{"id": uploaded["id"], "name": "x.exe", "size": 1}])
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["files"] == [uploaded]
    [row] = stored(engine)
    assert row.record_id == record["_id"]
    assert row.uploaded_by == li.user_id  # type: ignore[attr-defined]
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    path = app.state.settings.data_dir / "files" / row.id[:2] / row.id
    assert path.read_bytes() == PDF

    download = li.get(f"{BASE}/docs/records/{record['_id']}/files/{uploaded['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    disposition.encode("latin-1")  # the fallback name is plain ASCII

    # attached: no longer a pending upload; the record's own file stays usable on update
    assert li.get(f"{BASE}/docs/files/{uploaded['id']}").status_code == 404
    again = li.patch(
        f"{BASE}/docs/records/{record['_id']}",
        json={"values": {"files": record["files"]}, "version": record["_version"]},
    )
    assert again.status_code == 200, again.text
    assert again.json()["files"] == [uploaded]


def test_images_signatures_and_sub_form_files(
    crm: None, member: Callable[[str], JimuClient]
) -> None:
    li = member("li")
    pic = upload(li, "pics", "photo.jpg", JPEG)
    assert pic["content_type"] == "image/jpeg"
    sign = upload(li, "sign", "sign.png", PNG)
    photo = upload(li, "lines.photo", "现场.png", PNG)
    created = create(
        li,
        pics=[pic],
        sign=[sign],
        lines=[{"note": "a", "photo": [{"id": photo["id"]}]}],
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["lines"][0]["photo"] == [photo]
    url = f"{BASE}/docs/records/{record['_id']}/files/{photo['id']}"
    assert li.get(url).content == PNG


def test_uploads_bigger_than_the_body_limit_pass_through(
    crm: None, admin_client: JimuClient, app: FastAPI
) -> None:
    big = PDF + b"x" * (app.state.settings.max_body_bytes * 2)
    assert upload(admin_client, "files", "big.pdf", big)["size"] == len(big)
    # other requests keep the ordinary limit
    response = create(admin_client, title="x" * (app.state.settings.max_body_bytes * 2))
    assert response.status_code == 413


def test_a_file_over_the_field_limit_is_413_and_nothing_is_stored(
    crm: None, admin_client: JimuClient, app: FastAPI, engine: sa.Engine
) -> None:
    before = blobs(app)
    response = admin_client.post(
        f"{BASE}/docs/files?field=files", files={"file": ("big.pdf", PDF + b"x" * MB)}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "files"
    assert "files" in response.json()["detail"]
    signature = admin_client.post(
        f"{BASE}/docs/files?field=sign", files={"file": ("s.png", PNG + b"\x00" * (2 * MB))}
    )
    assert signature.status_code == 413
    assert stored(engine) == []
    assert blobs(app) == before


def test_a_body_over_the_upload_limit_is_413(
    crm: None,
    admin: dict[str, Any],
    token_for: Callable[[int], str],
    engine: sa.Engine,
    settings: Settings,
) -> None:
    limits = dataclasses.replace(settings, max_body_bytes=1000, max_upload_bytes=100_000)
    small = create_app(limits, engine)
    headers = {"Authorization": f"Bearer {token_for(admin['id'])}"}
    with JimuClient(small, headers=headers) as c:
        response = c.post(
            f"{BASE}/docs/files?field=files", files={"file": ("a.pdf", PDF + b"x" * 300_000)}
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "files"
        assert c.post(
            f"{BASE}/docs/files?field=files", files={"file": ("a.pdf", PDF + b"x" * 50_000)}
        ).is_success
        # no declared length: the stream is counted and cut off
        boundary = "jimu-test-boundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()

        def chunks(count: int) -> Iterator[bytes]:
            yield head + PDF
            for _ in range(count):
                yield b"x" * 10_000
            yield f"\r\n--{boundary}--\r\n".encode()

        def send(count: int) -> Any:
            return c.post(
                f"{BASE}/docs/files?field=files",
                content=chunks(count),
                headers={"content-type": f"multipart/form-data; boundary={boundary}"},
            )

        assert send(3).status_code == 201
        streamed = send(40)
        assert streamed.status_code == 413, streamed.text
        assert streamed.json()["errors"][0]["field"] == "files"
    assert len(stored(engine)) == 2


@pytest.mark.parametrize(
    ("key", "name", "content", "reason"),
    [
        ("files", "setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "exe"),
        ("files", "page.html", b"<html><script>alert(1)</script></html>", "html"),
        ("files", "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        ("files", "report.pdf", b"MZ\x90\x00" + b"\x00" * 64, "Programs"),
        ("pics", "fake.png", b"this is only text pretending to be a picture", "PNG"),
        ("sign", "sign.jpg", JPEG, "PNG"),
        ("pdfs", "notes.txt", b"plain words", ".pdf"),
        ("pdfs", "logo.svg", b"<svg/>", ".pdf"),
        ("files", "empty.pdf", b"", "empty"),
    ],
)
def test_types_a_field_does_not_take_are_422(
    crm: None, admin_client: JimuClient, engine: sa.Engine, key, name, content, reason
) -> None:
    response = admin_client.post(f"{BASE}/docs/files?field={key}", files={"file": (name, content)})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == key
    assert reason in error["message"]
    assert stored(engine) == []


def test_accepted_types(crm: None, admin_client: JimuClient) -> None:
    assert upload(admin_client, "pdfs", "a.PDF", PDF)["content_type"] == "application/pdf"
    assert upload(admin_client, "pdfs", "p.png", PNG)["content_type"] == "image/png"
    assert upload(admin_client, "files", "data.csv", b"a,b\n1,2\n")["name"] == "data.csv"
    clean = upload(admin_client, "files", "../../etc/pa<ss>wd.txt ", b"x")["name"]
    assert clean == "pa_ss_wd.txt"


def test_upload_needs_a_file_field(crm: None, admin_client: JimuClient) -> None:
    for key in ("title", "nope", "lines.note"):
        response = admin_client.post(
            f"{BASE}/docs/files?field={key}", files={"file": ("a.pdf", PDF)}
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "field"
    missing = admin_client.post(f"{BASE}/docs/files?field=files")
    assert missing.status_code == 422


def test_a_file_of_another_form_or_field_is_refused(
    crm: None, admin_client: JimuClient, engine: sa.Engine
) -> None:
    elsewhere = upload(admin_client, "files", "a.pdf", PDF, form="other")
    other_field = upload(admin_client, "pdfs", "b.pdf", PDF)
    response = create(admin_client, files=[{"id": elsewhere["id"]}, {"id": other_field["id"]}])
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("files", "file_not_found")
    assert elsewhere["id"] in error["message"]
    assert other_field["id"] in error["message"]
    unknown = create(admin_client, files=[{"id": "A" * 22}])
    assert unknown.json()["errors"][0]["code"] == "file_not_found"
    assert all(row.record_id is None for row in stored(engine))


def test_someone_elses_upload_is_refused(crm: None, member: Callable[[str], JimuClient]) -> None:
    li, wang = member("li"), member("wang")
    mine = upload(li, "files", "a.pdf", PDF)
    taken = create(wang, files=[mine])
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["code"] == "file_not_found"
    assert wang.get(f"{BASE}/docs/files/{mine['id']}").status_code == 404
    assert li.get(f"{BASE}/docs/files/{mine['id']}").status_code == 200


def test_a_file_of_another_record_is_refused(
    crm: None, member: Callable[[str], JimuClient]
) -> None:
    li = member("li")
    mine = upload(li, "files", "a.pdf", PDF)
    first = create(li, files=[mine])
    assert first.status_code == 201
    second = create(li, files=[mine])
    assert second.status_code == 422
    assert second.json()["errors"][0]["code"] == "file_not_found"


def test_download_only_through_the_record_that_uses_the_file(
    crm: None, member: Callable[[str], JimuClient]
) -> None:
    li = member("li")
    mine = upload(li, "files", "a.pdf", PDF)
    pending = upload(li, "files", "b.pdf", PDF)
    first = create(li, files=[mine]).json()
    second = create(li, title="b").json()
    records = f"{BASE}/docs/records"
    assert li.get(f"{records}/{first['_id']}/files/{mine['id']}").status_code == 200
    assert li.get(f"{records}/{second['_id']}/files/{mine['id']}").status_code == 404
    assert li.get(f"{records}/{first['_id']}/files/{pending['id']}").status_code == 404
    assert li.get(f"{records}/{first['_id']}/files/{'B' * 22}").status_code == 404
    assert li.get(f"{records}/999/files/{mine['id']}").status_code == 404
    assert li.get(f"{BASE}/other/records/{first['_id']}/files/{mine['id']}").status_code == 404
    assert li.get(f"{records}/{first['_id']}/files/bad..id").status_code in (404, 422)
    assert li.delete(f"{records}/{first['_id']}").status_code == 204
    assert li.get(f"{records}/{first['_id']}/files/{mine['id']}").status_code == 404


def test_download_needs_the_right_to_view_the_record(
    crm: None, member: Callable[[str], JimuClient], admin_client: JimuClient
) -> None:
    li, wang = member("li"), member("wang")
    mine = upload(li, "files", "a.pdf", PDF)
    record = create(li, files=[mine]).json()
    url = f"{BASE}/docs/records/{record['_id']}/files/{mine['id']}"
    assert wang.get(url).status_code == 200  # members view all records
    own_only = admin_client.put(
        "/api/apps/crm/roles/member/forms/docs", json={"preset": "manage_own"}
    )
    assert own_only.status_code == 200, own_only.text
    assert wang.get(url).status_code == 404  # the record is outside wang's scope now
    assert li.get(url).status_code == 200


def test_max_files(crm: None, admin_client: JimuClient) -> None:
    three = [upload(admin_client, "files", f"{i}.pdf", PDF) for i in range(3)]
    response = create(admin_client, files=three)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "too_many"
    assert create(admin_client, files=three[:2]).status_code == 201
    malformed = create(admin_client, files=[{"name": "no id"}])
    assert malformed.status_code == 422


def test_one_upload_cannot_go_to_two_records_of_a_bulk(
    crm: None, admin_client: JimuClient, engine: sa.Engine
) -> None:
    mine = upload(admin_client, "files", "a.pdf", PDF)
    response = admin_client.post(
        f"{BASE}/docs/records/bulk",
        json={"create": [{"files": [mine]}, {"files": [mine]}]},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "create[1].files"
    assert admin_client.get(f"{BASE}/docs/records").json()["total"] == 0
    assert [row.record_id for row in stored(engine)] == [None]


# --- hidden fields and the type a file is served as -----------------------------------------


def test_files_of_a_field_hidden_from_the_user_do_not_exist_for_them(
    crm: None, member: Callable[[str], JimuClient], admin_client: JimuClient
) -> None:
    li = member("li")
    pending = upload(li, "files", "mine.pdf", PDF)
    files, pic, photo = (
        upload(admin_client, "files", "a.pdf", PDF),
        upload(admin_client, "pics", "b.png", PNG),
        upload(admin_client, "lines.photo", "c.png", PNG),
    )
    record = create(admin_client, files=[files], pics=[pic], lines=[{"photo": [photo]}]).json()
    url = f"{BASE}/docs/records/{record['_id']}/files"
    assert li.get(f"{url}/{files['id']}").status_code == 200
    hide = {"preset": "manage_all", "fields": {"files": "hidden", "lines": "hidden"}}
    assert admin_client.put("/api/apps/crm/roles/member/forms/docs", json=hide).is_success

    assert li.get(f"{url}/{pic['id']}").status_code == 200
    for hidden in (files, photo):
        refused = li.get(f"{url}/{hidden['id']}")
        assert refused.status_code == 404
        assert refused.json()["detail"] == f"File '{hidden['id']}' was not found."
    assert li.get(f"{BASE}/docs/files/{pending['id']}").status_code == 404
    for key in ("files", "lines.photo"):  # as if the field did not exist
        response = li.post(f"{BASE}/docs/files?field={key}", files={"file": ("d.pdf", PDF)})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["code"] == "not_a_file_field"
    assert admin_client.get(f"{url}/{files['id']}").status_code == 200


def test_images_and_signatures_are_named_after_their_content(
    crm: None, admin_client: JimuClient
) -> None:
    pic = upload(admin_client, "pics", "x.html", PNG)
    assert (pic["name"], pic["content_type"]) == ("x.png", "image/png")
    sign = upload(admin_client, "sign", "sign.svg", PNG)
    assert sign["name"] == "sign.png"
    assert upload(admin_client, "pics", "photo", JPEG)["name"] == "photo.jpg"
    assert upload(admin_client, "pics", "IMG_1.JPEG", JPEG)["name"] == "IMG_1.JPEG"
    assert upload(admin_client, "files", "scan.txt", PDF)["name"] == "scan.pdf"
    record = create(admin_client, pics=[pic], sign=[sign]).json()
    assert record["pics"][0]["name"] == "x.png"
    for item in (pic, sign):
        download = admin_client.get(f"{BASE}/docs/records/{record['_id']}/files/{item['id']}")
        assert download.headers["content-type"] == "image/png"
        disposition = download.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f'filename="{item["name"]}"' in disposition
        assert ".html" not in disposition
        assert ".svg" not in disposition


def test_pages_and_scripts_an_attachment_accepts_are_sent_as_plain_bytes(
    crm: None, admin_client: JimuClient, engine: sa.Engine
) -> None:
    page = upload(admin_client, "pages", "page.html", b"<html><script>alert(1)</script></html>")
    logo = upload(admin_client, "pages", "logo.svg", b"<svg onload='alert(1)'/>")
    assert page["content_type"] == logo["content_type"] == "application/octet-stream"
    record = create(admin_client, pages=[page, logo]).json()
    legacy = upload(admin_client, "files", "old.txt", b"plain words")
    with Session(engine) as session, session.begin():  # a row kept by an older version
        session.execute(
            sa.update(File)
            .where(File.id == legacy["id"])
            .values(content_type="text/html; charset=utf-8")
        )
    old = create(admin_client, files=[{"id": legacy["id"]}]).json()
    for record_id, item in ((record["_id"], page), (record["_id"], logo), (old["_id"], legacy)):
        download = admin_client.get(f"{BASE}/docs/records/{record_id}/files/{item['id']}")
        assert download.status_code == 200
        assert download.headers["content-type"] == "application/octet-stream"
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["x-content-type-options"] == "nosniff"


class _RemoteStore:
    """A store that is not a local folder: files come back as a stream."""

    def __init__(self, inner: LocalBlobStore) -> None:
        self.inner = inner

    def write(self, key: str, chunks: Any) -> None:
        self.inner.write(key, chunks)

    def open(self, key: str) -> Any:
        return self.inner.open(key)

    def local_path(self, key: str) -> None:
        return None

    def delete(self, key: str) -> None:
        self.inner.delete(key)


def test_files_go_through_the_blob_store(
    crm: None,
    member: Callable[[str], JimuClient],
    app: FastAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _RemoteStore(LocalBlobStore(tmp_path))
    monkeypatch.setattr(files_api, "blob_store", lambda settings: store)
    li = member("li")
    uploaded = upload(li, "files", "a.pdf", PDF)
    assert (tmp_path / "files" / uploaded["id"][:2] / uploaded["id"]).read_bytes() == PDF
    record = create(li, title="a", files=[{"id": uploaded["id"]}]).json()
    download = li.get(f"{BASE}/docs/records/{record['_id']}/files/{uploaded['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    store.delete(f"files/{uploaded['id'][:2]}/{uploaded['id']}")
    missing = li.get(f"{BASE}/docs/records/{record['_id']}/files/{uploaded['id']}")
    assert missing.status_code == 404
