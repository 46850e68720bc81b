"""The field types of the designer's palette: their group, label and a new field's defaults."""

from __future__ import annotations

from typing import Any

from jimu.platform.web.render import pick_label

OPTIONS = [
    {"key": "opt1", "label": {"zh": "选项1", "en": "Option 1"}},
    {"key": "opt2", "label": {"zh": "选项2", "en": "Option 2"}},
]

# (type, group, en, zh, defaults of a new field)
FIELD_TYPES: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("text", "basic", "Single-line text", "单行文本", {}),
    ("textarea", "basic", "Multi-line text", "多行文本", {}),
    ("richtext", "basic", "Rich text", "富文本", {}),
    ("number", "basic", "Number", "数字", {"decimals": 0}),
    ("amount", "basic", "Amount", "金额", {"currency": "CNY", "decimals": 2}),
    ("percent", "basic", "Percent", "百分比", {"decimals": 2}),
    ("rating", "basic", "Rating", "评分", {"max": 5}),
    ("date", "basic", "Date", "日期", {}),
    ("datetime", "basic", "Date & time", "日期时间", {}),
    ("time", "basic", "Time", "时间", {}),
    ("select", "basic", "Single select", "单选", {"options": OPTIONS, "display": "dropdown"}),
    ("multiselect", "basic", "Multi select", "多选", {"options": OPTIONS}),
    ("checkbox", "basic", "Checkbox", "复选框", {}),
    ("phone", "basic", "Phone", "电话", {}),
    ("email", "basic", "E-mail", "邮箱", {}),
    ("url", "basic", "Link", "链接", {}),
    ("address", "basic", "Address", "地址", {"with_detail": True}),
    ("location", "basic", "Location", "定位", {}),
    ("attachment", "basic", "Attachment", "附件", {"max_files": 10}),
    ("image", "basic", "Image", "图片", {"max_files": 9}),
    ("signature", "basic", "Signature", "手写签名", {}),
    ("member", "advanced", "Member", "成员", {"multiple": False}),
    ("department", "advanced", "Department", "部门", {"multiple": False}),
    ("relation", "advanced", "Related record", "关联数据", {"target_form": "", "multiple": False}),
    ("lookup", "advanced", "Lookup", "他表字段", {"relation": "", "source_field": ""}),
    ("subform", "advanced", "Sub-form", "子表单", {"fields": []}),
    ("serial", "advanced", "Serial number", "流水号", {"pattern": "NO-{YYYY}{MM}-{0000}"}),
    ("formula", "advanced", "Formula", "公式", {"formula": ""}),
    ("rollup", "advanced", "Rollup", "汇总", {"formula": ""}),
]

LAYOUT_TYPES: list[tuple[str, str, str]] = [
    ("section", "Section", "分组"),
    ("tab", "Tab", "标签页"),
    ("columns", "Columns", "多列"),
    ("divider", "Divider", "分割线"),
]

# what a sub-form may hold: stored fields and formulas over the fields of their row
NOT_IN_SUBFORM = frozenset({"subform", "rollup", "lookup", "serial"})


def palette(locale: str) -> dict[str, Any]:
    """The palette for the designer's script: field types and layout items with labels."""
    return {
        "fields": [
            {
                "type": kind,
                "group": group,
                "label": pick_label({"en": en, "zh": zh}, locale),
                "names": {"en": en, "zh": zh},
                "defaults": defaults,
                "in_subform": kind not in NOT_IN_SUBFORM,
            }
            for kind, group, en, zh, defaults in FIELD_TYPES
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
