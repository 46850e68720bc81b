"""Page templates put values into JavaScript only as JSON literals, and run no inline script.

Alpine and htmx evaluate some attributes as JavaScript. HTML escaping does not protect a
value written inside quotes there (``x-data="f('{{ value }}')"`` runs ``value``'s code once
the browser decodes the attribute), so every interpolation in such an attribute must go
through the ``js`` filter. The Content-Security-Policy forbids inline handlers and scripts.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from jimu.platform.web.render import TEMPLATES, to_js

TEMPLATE_DIR = Path(TEMPLATES.env.loader.searchpath[0])  # type: ignore[union-attr]
TEMPLATE_FILES = sorted(TEMPLATE_DIR.rglob("*.html"))

# JS expressions the widget macros assemble from `|js` pieces and pass on by name
ASSEMBLED = {"model", "path", "row_path"}
ATTRIBUTE = re.compile(r"""\s([@:\w.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SLOT = re.compile(r"\x00(\d+)\x00")


def _scripted(name: str) -> bool:
    """Attributes whose value Alpine or htmx evaluates as JavaScript."""
    return (
        name.startswith(("@", ":", "x-on:", "x-bind:", "hx-on"))
        or (name.startswith("x-") and name not in ("x-ref", "x-cloak", "x-transition"))
        or name.startswith("on")
    )


def _split(source: str) -> tuple[str, list[list[str]]]:
    """The template's text with each ``{{ … }}`` as a numbered slot, and each slot's tokens."""
    text: list[str] = []
    slots: list[list[str]] = []
    current: list[str] | None = None
    for _, kind, value in TEMPLATES.env.lex(source):
        if kind == "data":
            text.append(value)
        elif kind == "variable_begin":
            current = []
        elif kind == "variable_end" and current is not None:
            text.append(f"\x00{len(slots)}\x00")
            slots.append(current)
            current = None
        elif current is not None and kind != "whitespace":
            current.append(value)
    return "".join(text), slots


def _safe(tokens: list[str]) -> bool:
    return tokens[-2:] == ["|", "js"] or (len(tokens) == 1 and tokens[0] in ASSEMBLED)


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: p.name)
def test_values_enter_scripted_attributes_only_as_json(template: Path) -> None:
    text, slots = _split(template.read_text(encoding="utf-8"))
    bad = []
    for match in ATTRIBUTE.finditer(text):
        name, value = match.group(1), match.group(2) or match.group(3) or ""
        if not _scripted(name):
            continue
        for slot in SLOT.finditer(value):
            tokens = slots[int(slot.group(1))]
            if not _safe(tokens):
                bad.append(f"{name}: {{{{ {' '.join(tokens)} }}}}")
    assert not bad, f"{template.name}: use the js filter in " + "; ".join(bad)


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: p.name)
def test_macros_build_no_quoted_js_strings(template: Path) -> None:
    """A JS expression passed to a macro (``values["key"]``) is built with ``|js`` too."""
    quoted = [
        f"line {line}: {value}"
        for line, kind, value in TEMPLATES.env.lex(template.read_text(encoding="utf-8"))
        if kind == "string" and ("'" in value[1:-1] or '"' in value[1:-1])
    ]
    assert not quoted, f"{template.name}: quotes inside template strings: {quoted}"


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: p.name)
def test_no_inline_handlers_or_scripts(template: Path) -> None:
    text, _ = _split(template.read_text(encoding="utf-8"))
    handlers = [m.group(1) for m in ATTRIBUTE.finditer(text) if m.group(1).startswith("on")]
    assert not handlers, f"{template.name}: inline handlers {handlers}"
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, f"{template.name}: {tag}"


@pytest.mark.parametrize(
    "value",
    ["crm", "x'),alert(1),('", 'a"b</script><b>', "line\u2028two", 42, None, {"k": ["v"]}],
)
def test_js_filter_survives_an_attribute_and_reads_back(value: object) -> None:
    rendered = TEMPLATES.env.from_string('<i x-data="f({{ v|js }})"></i>').render(v=value)
    attribute = rendered.split('x-data="', 1)[1].rsplit('"></i>', 1)[0]
    assert '"' not in attribute
    assert "<" not in attribute
    assert html.unescape(attribute) == f"f({to_js(value)})"
    assert json.loads(html.unescape(attribute)[2:-1]) == value
