"""Types of the expression language and the field catalogue formulas are checked against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jimu.engines.i18n import Text, text

SCALARS = ("number", "text", "bool", "date", "datetime", "user", "department")


@dataclass(frozen=True)
class Type:
    """A static type.

    Attributes:
        kind: number, text, bool, date, datetime, user, department, record, list, null, any.
        item: the element type of a list.
        schema: the fields of a record (a related record, the current user ...).
        source: for a list, the collection it iterates (lists from different collections
            cannot be combined element-wise).
    """

    kind: str
    item: Type | None = None
    schema: Schema | None = field(default=None, compare=False, hash=False)
    source: str | None = None

    def __str__(self) -> str:
        if self.kind == "list" and self.item is not None:
            return f"list<{self.item}>"
        if self.kind == "record" and self.schema is not None:
            return f"record<{self.schema.name}>"
        return self.kind

    @property
    def is_list(self) -> bool:
        """Whether values of this type are lists (one per collection item)."""
        return self.kind == "list"

    def scalar(self) -> Type:
        """The element type of a list, or the type itself."""
        return self.item if self.kind == "list" and self.item is not None else self


NUMBER = Type("number")
TEXT = Type("text")
BOOL = Type("bool")
DATE = Type("date")
DATETIME = Type("datetime")
USER = Type("user")
DEPARTMENT = Type("department")
NULL = Type("null")
ANY = Type("any")

TYPE_NAMES: dict[str, Text] = {
    "number": text("number", "数字"),
    "text": text("text", "文本"),
    "bool": text("true/false", "逻辑值"),
    "date": text("date", "日期"),
    "datetime": text("date-time", "日期时间"),
    "user": text("member", "成员"),
    "department": text("department", "部门"),
    "record": text("record", "记录"),
    "list": text("list", "列表"),
    "null": text("blank", "空值"),
    "any": text("any value", "任意值"),
}


def type_name(t: Type) -> Text:
    """The type's name for people."""
    if t.kind == "list" and t.item is not None:
        inner = type_name(t.item)
        return text("list of {t}", "{t}列表", t=inner)
    return TYPE_NAMES.get(t.kind, text(t.kind, t.kind))


def list_of(item: Type, source: str) -> Type:
    """A list type over ``source``."""
    return Type("list", item=item, source=source)


@dataclass(frozen=True)
class FieldInfo:
    """One field a formula may read.

    Attributes:
        key: the ASCII key formulas use.
        type: its value type; a single relation is a record, a sub-form or a to-many
            relation is a list of records.
        label: zh/en labels, so analysts can write ``[合同金额]``.
        column: the SQL column (defaults to the key); for a single relation, the foreign key.
        target: the schema of the related records (relations, sub-forms).
        parent_column: for a collection, the column of the item table pointing back here.
    """

    key: str
    type: Type
    label: dict[str, str] = field(default_factory=dict)
    column: str | None = None
    target: Schema | None = None
    parent_column: str | None = None


@dataclass(eq=False)
class Schema:
    """The fields of one form (or of users), as formulas see them.

    Attributes:
        name: the form key, for messages.
        fields: by key.
        table: the SQLAlchemy table holding the records (for the SQL backend).
    """

    name: str
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    table: Any = None
    id_column: str = "id"

    def add(self, info: FieldInfo) -> Schema:
        """Adds a field and returns the schema (for chaining)."""
        self.fields[info.key] = info
        return self

    def by_label(self, label: str) -> FieldInfo | None:
        """The field whose zh or en label (or key) is ``label``."""
        wanted = label.strip()
        for info in self.fields.values():
            if wanted == info.key or wanted in info.label.values():
                return info
        return None


def relation(
    key: str, target: Schema, *, label: dict[str, str] | None = None, column: str | None = None
) -> FieldInfo:
    """A single relation field: ``key.field`` reads the related record."""
    return FieldInfo(key, Type("record", schema=target), label or {}, column or f"{key}_id", target)


def collection(
    key: str, target: Schema, parent_column: str, *, label: dict[str, str] | None = None
) -> FieldInfo:
    """A sub-form or to-many relation: ``key.field`` is a list, to aggregate."""
    item = Type("record", schema=target)
    return FieldInfo(key, list_of(item, key), label or {}, None, target, parent_column)


META_FIELDS: tuple[tuple[str, Type, str, dict[str, str]], ...] = (
    ("_id", Type("number"), "id", {"zh": "记录编号", "en": "Record ID"}),
    ("_created_at", Type("datetime"), "created_at", {"zh": "创建时间", "en": "Created at"}),
    ("_updated_at", Type("datetime"), "updated_at", {"zh": "更新时间", "en": "Updated at"}),
    ("_created_by", Type("user"), "created_by", {"zh": "创建人", "en": "Created by"}),
    ("_updated_by", Type("user"), "updated_by", {"zh": "更新人", "en": "Updated by"}),
    ("_owner", Type("user"), "owner", {"zh": "负责人", "en": "Owner"}),
)


def with_meta(schema: Schema) -> Schema:
    """Adds the record meta fields every form table has (``_id``, ``_owner`` ...)."""
    for key, kind, column, label in META_FIELDS:
        schema.fields.setdefault(key, FieldInfo(key, kind, dict(label), column))
    return schema
