"""File names, types and sizes of uploads, without a database."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.blobs import LocalBlobStore
from jimu.engines.errors import NotFound, TooLarge, ValidationFailed
from jimu.form_engine import spec as s
from jimu.form_engine.files import _write, blob_key, check_type, sanitize_name, size_limit, sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
LABEL = s.Label(en="x")


def attachment(**props: Any) -> s.AttachmentField:
    return s.AttachmentField(type="attachment", key="files", label=LABEL, **props)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("合同.pdf", "合同.pdf"),
        ("C:\\Users\\li\\报价单.xlsx", "报价单.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("a\u202egpj.exe", "agpj.exe"),  # no right-to-left override to disguise the extension
        ("evil.exe. . ", "evil.exe"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        (".hidden", "hidden"),
        ("", "file"),
        ("...", "file"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_sanitize_name(given: str, kept: str) -> None:
    assert sanitize_name(given) == kept
    assert len(sanitize_name(given)) <= 255


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xdb", "image/jpeg"),
        (b"GIF89a...", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.4", "application/pdf"),
        (b"<svg/>", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(
    ("accept", "name", "head", "ok"),
    [
        ([], "a.pdf", b"%PDF-1", True),
        ([], "a.EXE", b"whatever", False),
        ([], "a.txt", b"#!/bin/sh\nrm -rf /", False),
        ([".pdf"], "a.pdf", b"%PDF-1", True),
        (["pdf"], "a.pdf", b"%PDF-1", True),
        ([".pdf"], "a.doc", b"x", False),
        (["image/*"], "a.png", PNG, True),
        (["image/*"], "a.svg", b"<svg/>", False),
        ([".svg"], "a.svg", b"<svg/>", True),
        (["application/pdf"], "scan", b"%PDF-1", True),
    ],
)
def test_attachment_types(accept: list[str], name: str, head: bytes, ok: bool) -> None:
    f = attachment(accept=accept)
    if ok:
        assert check_type("files", f, name, head)
    else:
        with pytest.raises(ValidationFailed) as caught:
            check_type("files", f, name, head)
        assert caught.value.errors[0].field == "files"


def test_images_and_signatures_are_judged_by_content() -> None:
    image = s.ImageField(type="image", key="pics", label=LABEL)
    signature = s.SignatureField(type="signature", key="sign", label=LABEL)
    assert check_type("pics", image, "x.txt", PNG) == "image/png"
    with pytest.raises(ValidationFailed):
        check_type("pics", image, "x.png", b"not a picture")
    with pytest.raises(ValidationFailed):
        check_type("sign", signature, "x.png", b"\xff\xd8\xff\xdb")
    assert size_limit(signature) == 2 * 1024 * 1024
    assert size_limit(image) == 10 * 1024 * 1024


def test_blob_keys_never_leave_the_store(tmp_path: Path) -> None:
    assert blob_key("abcdefghijklmnop") == "files/ab/abcdefghijklmnop"
    for bad in ("../../etc/passwd", "a/b" * 8, "short", "abcdefghijklmnop\n"):
        with pytest.raises(NotFound):
            blob_key(bad)
    store = LocalBlobStore(tmp_path)
    for key in ("../x", "/etc/passwd", "files/../../x", "files//x", "files/./x"):
        with pytest.raises(ValueError, match="not a blob key"):
            store.write(key, [b"x"])


def test_an_oversize_stream_leaves_nothing_behind(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    key = "files/ab/abcdefghijklmnop"
    with pytest.raises(TooLarge):
        _write(store, key, b"x" * 10, io.BytesIO(b"y" * 100), 50, "files")
    assert list(tmp_path.rglob("*.*")) == []
    assert store.local_path(key) is None
    size, digest = _write(store, key, b"x" * 10, io.BytesIO(b"y" * 10), 50, "files")
    assert (size, len(digest)) == (20, 64)
    with store.open(key) as stored:
        assert stored.read() == b"x" * 10 + b"y" * 10
    store.delete(key)
    assert store.local_path(key) is None
    with pytest.raises(FileNotFoundError):
        store.open(key)
