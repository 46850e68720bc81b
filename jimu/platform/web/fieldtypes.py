"""The designer's palette: field types from the registry, their group, label and a new field's
defaults, and the layout items."""

from __future__ import annotations

from typing import Any

from jimu.form_engine.fieldtypes import FIELD_TYPES
from jimu.platform.web.render import pick_label

LAYOUT_TYPES: list[tuple[str, str, str]] = [
    ("section", "Section", "分组"),
    ("tab", "Tab", "标签页"),
    ("columns", "Columns", "多列"),
    ("divider", "Divider", "分割线"),
]


def palette(locale: str) -> dict[str, Any]:
    """The palette for the designer's script: field types and layout items with labels."""
    return {
        "fields": [
            {
                "type": kind.key,
                "group": kind.group,
                "label": kind.label.pick(locale),
                "names": {"en": kind.label.en, "zh": kind.label.zh},
                "defaults": dict(kind.defaults),
                "in_subform": kind.in_subform,
            }
            for kind in FIELD_TYPES.values()
        ],
        "layout": [
            {
                "type": kind,
                "label": pick_label({"en": en, "zh": zh}, locale),
                "names": {"en": en, "zh": zh},
            }
            for kind, en, zh in LAYOUT_TYPES
        ],
    }
