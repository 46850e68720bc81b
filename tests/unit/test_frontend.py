"""Browser libraries come pinned from the npm registry and are served locally, never from a CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = json.loads((ROOT / "frontend" / "package.json").read_text())
LOCK = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
TEMPLATES = ROOT / "jimu" / "platform" / "templates"


def test_every_browser_dependency_is_pinned_exactly() -> None:
    for name, version in PACKAGE["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"


def test_htmx_stays_on_major_version_2() -> None:
    assert PACKAGE["dependencies"]["htmx.org"].startswith("2.")


def test_lockfile_records_no_download_addresses() -> None:
    for path, entry in LOCK["packages"].items():
        assert "resolved" not in entry, path


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))
)
def test_templates_load_nothing_from_other_hosts(template: str) -> None:
    source = (TEMPLATES / template).read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", source)


AREAS = {"shell", "components", "forms", "records", "roles"}


def test_templates_and_scripts_live_in_the_folder_of_their_area() -> None:
    static = ROOT / "jimu" / "platform" / "static"
    loose = [p.name for p in TEMPLATES.iterdir() if p.is_file()]
    loose += [p.name for p in static.iterdir() if p.is_file()]
    assert loose == []
    assert {p.name for p in TEMPLATES.iterdir()} == AREAS
    assert {p.name for p in static.iterdir()} - {"vendor"} == AREAS
