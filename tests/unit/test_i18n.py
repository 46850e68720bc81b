"""Bilingual messages and language negotiation."""

from __future__ import annotations

import pytest

from jimu.engines.errors import NotFound
from jimu.engines.i18n import pick_locale, text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, zh;q=0.9", "zh-CN"),
        ("fr-FR, de;q=0.9", "en"),
        ("fr, zh;q=0.1", "zh-CN"),
        ("zh;q=bogus, en", "en"),
    ],
)
def test_pick_locale(header: str | None, expected: str) -> None:
    assert pick_locale(header) == expected


def test_text_renders_parameters_in_either_language() -> None:
    message = text("{n} users", "{n} 个用户", n=3)
    assert message.render("en") == "3 users"
    assert message.render("zh-CN") == "3 个用户"


def test_nested_text_parameters_follow_the_outer_language() -> None:
    error = NotFound(text("Department", "部门"), 7)
    assert error.detail.render("en") == "Department '7' was not found."
    assert error.detail.render("zh-CN") == "未找到部门“7”。"


def test_a_missing_parameter_leaves_the_template_instead_of_failing() -> None:
    assert text("{missing} thing", "{missing} 东西").render("en") == "{missing} thing"
