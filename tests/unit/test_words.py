"""Each page hands its scripts the word lists of its areas, and those hold every word they use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jimu.platform.web.messages import AREAS, UI, browser_words

PLATFORM = Path(__file__).resolve().parents[2] / "jimu" / "platform"

# the areas whose words each area's pages hand to the browser (the shared widgets' always)
PAGES = {
    "components": (),
    "forms": ("forms",),
    "records": ("records", "permissions"),
    "roles": ("roles", "permissions"),
}
LITERAL = re.compile(r"""\bw\(\s*['"](\w+)['"]\s*\)|words\.(\w+)|words\[['"](\w+)['"]\]""")
PREFIX = re.compile(r"""\bw\(\s*['"](\w+_)['"]\s*\+""")


def _source(area: str) -> str:
    files = sorted((PLATFORM / "static" / area).rglob("*.js"))
    files += sorted((PLATFORM / "templates" / area).rglob("*.html"))
    return "\n".join(p.read_text() for p in files)


def test_a_word_belongs_to_one_area() -> None:
    assert sum(len(words) for words in AREAS.values()) == len(UI)


@pytest.mark.parametrize("area", sorted(PAGES))
def test_scripts_use_only_the_words_their_pages_hand_them(area: str) -> None:
    source = _source(area)
    handed = browser_words("en", *PAGES[area])
    used = {next(k for k in m.groups() if k) for m in LITERAL.finditer(source)}
    assert used, f"{area}: no word use found (has the way scripts read words changed?)"
    assert sorted(used - set(handed)) == []
    for prefix in set(PREFIX.findall(source)):
        assert any(key.startswith(prefix) for key in handed), f"{area}: {prefix}…"


def test_the_page_frame_hands_no_words_to_scripts() -> None:
    assert not LITERAL.search(_source("shell"))


def test_a_page_hands_over_only_its_areas() -> None:
    designer = browser_words("zh-CN", "forms")
    assert designer["publish"] == "发布"
    assert "confirm_delete_role" not in designer
    assert "bulk_delete" not in designer
    assert len(designer) < len(UI) / 2
