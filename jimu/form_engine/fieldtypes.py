"""The field type registry: everything the platform knows about each field type, in one place.

Storage, coercion, the expression type formulas see, display as text, report aggregations,
import parsing, the designer's palette and what the pages' scripts need all read from
``FIELD_TYPES``; adding a field type is adding a spec model and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any, Literal

import sqlalchemy as sa

from jimu.engines.expr.types import BOOL, DATE, DATETIME, DEPARTMENT, NUMBER, TEXT, USER, Type
from jimu.engines.i18n import Label
from jimu.form_engine import cells as c
from jimu.form_engine import display as d
from jimu.form_engine import spec as s
from jimu.form_engine import values as v
from jimu.form_engine.columns import DecimalColumn, LocalDateTime, for_expression_type

Storage = Literal["column", "link", "child"]
Coerce = Callable[[Any, Any], Any]
Show = Callable[[Any, Any, d.DisplayContext], str]
Parse = Callable[[Any, Any, c.CellContext], Any]

COUNT = frozenset({"count"})
COUNTS = frozenset({"count", "count_distinct"})
ORDERED = COUNTS | {"min", "max"}
NUMERIC = ORDERED | {"sum", "avg"}
AGGREGATIONS = ("count", "count_distinct", "sum", "avg", "min", "max")


@dataclass(frozen=True)
class ColumnContext:
    """What a column type may depend on besides the field.

    Attributes:
        results: result types of the form's formulas by field key.
        forms: the app's forms by key (a lookup's column follows its source field's).
    """

    results: Mapping[str, Type] = field(default_factory=dict)
    forms: Mapping[str, s.FormSpec] = field(default_factory=dict)


ColumnFactory = Callable[[Any, ColumnContext], Any]


@dataclass(frozen=True)
class Browser:
    """What the pages' scripts need about a field type (served to them as JSON).

    Attributes:
        preview: the designer canvas's picture of the input (HTML).
        props: the type's own properties the designer's properties pane offers.
        simple_default: the designer offers a text box for the default value.
        input: the HTML input type of a value typed in list filters and bulk edits.
        filter: the kind of condition the record list builds (``text``, ``number``,
            ``date``, ``datetime``, ``checkbox``, ``select``, ``member``, ``department``);
            None when the list does not filter by it.
        column: among a record list's first columns by default.
        nowrap: list cells keep to one line.
        sortable: the record list sorts by it.
        bulk_edit: the record list's bulk edit sets it.
    """

    preview: str = '<div class="fake"></div>'
    props: tuple[str, ...] = ()
    simple_default: bool = False
    input: str = "text"
    filter: str | None = None
    column: bool = True
    nowrap: bool = False
    sortable: bool = True
    bulk_edit: bool = False


@dataclass(frozen=True)
class FieldType:
    """One field type.

    Attributes:
        key: the spec's ``type``.
        model: the pydantic model of its spec.
        label: its name in the designer's palette.
        group: its palette group, ``basic`` or ``advanced``.
        storage: ``column`` (one typed column) or ``child`` (a child table of rows); a field
            of a type that ``refers_to`` something and takes several keeps them in a
            ``link`` table (see :meth:`storage_of`).
        column: the column type of a field (None: no column of its own).
        coerce: checks a submitted value and returns the value to store (``values``);
            None when clients never send one (computed types, sub-forms).
        computed: the system computes the value (clients never send it).
        expr_type: the expression type of its value (of one value, for types that
            ``refers_to``); None when formulas cannot read it or it depends on the field
            (a formula's result, a lookup's source).
        refers_to: what its ids point at: ``users``, ``departments`` or ``records``.
        many: its value is a list.
        files: its value is uploaded files.
        empty_text: an empty string is a value, not a blank.
        free_text: people type any text (values of other types convert to it as text).
        follows_source: its column type follows another field (a formula's result, a
            lookup's source) rather than the field's own properties.
        indexed: its column is always indexed (looked up by value).
        show: the value as text people read (print, exports; ``display``).
        aggregations: what a report may compute over it: count, count_distinct, sum, avg,
            min, max (a formula's and a lookup's by their result: :func:`aggregations`).
        date_grains: a report may group it by day, week, month, quarter or year.
        parse: an imported cell as the API value (``cells``); None when it is not imported.
        defaults: the properties of a new field in the designer.
        in_subform: a sub-form row may hold it.
        browser: what the pages' scripts need.
    """

    key: str
    model: type[s.BaseField]
    label: Label
    group: Literal["basic", "advanced"]
    show: Show
    column: ColumnFactory | None = None
    coerce: Coerce | None = None
    storage: Literal["column", "child"] = "column"
    computed: bool = False
    expr_type: Type | None = None
    refers_to: Literal["users", "departments", "records"] | None = None
    many: bool = False
    files: bool = False
    empty_text: bool = False
    free_text: bool = False
    follows_source: bool = False
    indexed: bool = False
    aggregations: frozenset[str] = COUNTS
    date_grains: bool = False
    parse: Parse | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    in_subform: bool = True
    browser: Browser = field(default_factory=Browser)

    def storage_of(self, f: Any) -> Storage:
        """Where the values of field ``f`` live: its column, a link table or a child table."""
        if self.refers_to is not None and getattr(f, "multiple", False):
            return "link"
        return self.storage

    @property
    def scalar(self) -> bool:
        """Formulas read it as ``expr_type`` whatever the field's properties."""
        return self.expr_type is not None and self.refers_to is None

    def for_browser(self) -> dict[str, Any]:
        """The type as the pages' scripts read it."""
        return {
            "label": {"zh": self.label.zh, "en": self.label.en},
            "group": self.group,
            "storage": self.storage,
            "computed": self.computed,
            "expr": str(self.expr_type) if self.expr_type else None,
            "links": self.refers_to is not None,
            "many": self.many,
            "files": self.files,
            "empty_text": self.empty_text,
            "aggregations": [a for a in AGGREGATIONS if a in self.aggregations],
            "date_grains": self.date_grains,
            "in_subform": self.in_subform,
            **asdict(self.browser),
        }


def _formula_column(f: Any, ctx: ColumnContext) -> Any:
    result = ctx.results.get(f.key)
    return for_expression_type(result, f.decimals) if result else sa.Text()


def _lookup_column(f: Any, ctx: ColumnContext) -> Any:
    for form in ctx.forms.values():
        via = form.field(f.relation)
        if isinstance(via, s.RelationField):
            target = ctx.forms.get(via.target_form)
            source = target.field(f.source_field) if target else None
            if source is not None and FIELD_TYPES[source.type].scalar:
                return column_type(source, {}, ctx.forms)
    return sa.Text()


def _fixed(kind: Callable[[], Any]) -> ColumnFactory:
    return lambda f, ctx: kind()


def _string(length: int) -> ColumnFactory:
    return lambda f, ctx: sa.String(length)


def _label(en: str, zh: str) -> Label:
    return Label(en=en, zh=zh)


OPTIONS = (
    {"key": "opt1", "label": {"zh": "选项1", "en": "Option 1"}},
    {"key": "opt2", "label": {"zh": "选项2", "en": "Option 2"}},
)
NUMBER_INPUT = Browser(input="number", filter="number", nowrap=True)
PREVIEW = '<div class="fake">{}</div>'
COMPUTED_PREVIEW = '<div class="fake computed">{}</div>'

# fmt: off
_TYPES = (
    # -- basic -------------------------------------------------------------------------------
    FieldType(
        "text", s.TextField, _label("Single-line text", "单行文本"), "basic", d.show_text,
        column=lambda f, ctx: sa.String(f.max_length), coerce=v.coerce_text, expr_type=TEXT,
        empty_text=True, free_text=True, parse=c.parse_text,
        browser=Browser(props=("max_length", "pattern", "unique"), simple_default=True,
                        filter="text", bulk_edit=True),
    ),
    FieldType(
        "textarea", s.TextAreaField, _label("Multi-line text", "多行文本"), "basic",
        d.show_text, column=_fixed(sa.Text), coerce=v.coerce_text, expr_type=TEXT,
        empty_text=True, free_text=True, parse=c.parse_text,
        browser=Browser(preview='<div class="fake tall"></div>', props=("max_length",),
                        simple_default=True, filter="text", column=False, bulk_edit=True),
    ),
    FieldType(
        "richtext", s.RichTextField, _label("Rich text", "富文本"), "basic", d.show_richtext,
        column=_fixed(sa.Text), coerce=v.coerce_richtext, expr_type=TEXT, empty_text=True,
        free_text=True, aggregations=COUNT, parse=c.parse_text,
        browser=Browser(preview='<div class="fake tall"><b>B</b> <i>I</i> <u>U</u></div>',
                        column=False),
    ),
    FieldType(
        "number", s.NumberField, _label("Number", "数字"), "basic", d.show_number,
        column=lambda f, ctx: DecimalColumn(f.decimals), coerce=v.coerce_number,
        expr_type=NUMBER, aggregations=NUMERIC, parse=c.parse_number, defaults={"decimals": 0},
        browser=replace(NUMBER_INPUT, props=("decimals", "min", "unique"),
                        simple_default=True, bulk_edit=True),
    ),
    FieldType(
        "amount", s.AmountField, _label("Amount", "金额"), "basic", d.show_amount,
        column=lambda f, ctx: DecimalColumn(f.decimals), coerce=v.coerce_number,
        expr_type=NUMBER, aggregations=NUMERIC, parse=c.parse_number,
        defaults={"currency": "CNY", "decimals": 2},
        browser=replace(NUMBER_INPUT, props=("decimals", "min", "currency"),
                        simple_default=True, bulk_edit=True),
    ),
    FieldType(
        "percent", s.PercentField, _label("Percent", "百分比"), "basic", d.show_percent,
        column=lambda f, ctx: DecimalColumn(f.decimals + 2), coerce=v.coerce_number,
        expr_type=NUMBER, aggregations=NUMERIC, parse=c.parse_percent, defaults={"decimals": 2},
        browser=replace(NUMBER_INPUT, props=("decimals", "min"), simple_default=True,
                        bulk_edit=True),
    ),
    FieldType(
        "rating", s.RatingField, _label("Rating", "评分"), "basic", d.show_rating,
        column=_fixed(sa.Integer), coerce=v.coerce_rating, expr_type=NUMBER,
        aggregations=NUMERIC, parse=c.parse_rating, defaults={"max": 5},
        browser=replace(NUMBER_INPUT, preview='<div class="fake-stars">★★★★★</div>',
                        bulk_edit=True),
    ),
    FieldType(
        "date", s.DateField, _label("Date", "日期"), "basic", d.show_date,
        column=_fixed(sa.Date), coerce=v.coerce_date, expr_type=DATE, aggregations=ORDERED,
        date_grains=True, parse=c.parse_date,
        browser=Browser(preview=PREVIEW.format("YYYY-MM-DD"), props=("unique",),
                        simple_default=True, input="date", filter="date", nowrap=True,
                        bulk_edit=True),
    ),
    FieldType(
        "datetime", s.DateTimeField, _label("Date & time", "日期时间"), "basic",
        d.show_datetime, column=_fixed(LocalDateTime), coerce=v.coerce_datetime,
        expr_type=DATETIME, aggregations=ORDERED, date_grains=True, parse=c.parse_datetime,
        browser=Browser(preview=PREVIEW.format("YYYY-MM-DD HH:MM"), simple_default=True,
                        input="datetime-local", filter="datetime", nowrap=True,
                        bulk_edit=True),
    ),
    FieldType(
        "time", s.TimeField, _label("Time", "时间"), "basic", d.show_time,
        column=_fixed(sa.Time), coerce=v.coerce_time, expr_type=TEXT, aggregations=ORDERED,
        parse=c.parse_time,
        browser=Browser(preview=PREVIEW.format("HH:MM"), simple_default=True, nowrap=True,
                        bulk_edit=True),
    ),
    FieldType(
        "select", s.SelectField, _label("Single select", "单选"), "basic", d.show_select,
        column=_string(100), coerce=v.coerce_select, expr_type=TEXT, parse=c.parse_select,
        defaults={"options": OPTIONS, "display": "dropdown"},
        browser=Browser(preview=PREVIEW.format("▾"), props=("options",), filter="select",
                        nowrap=True, bulk_edit=True),
    ),
    FieldType(
        "multiselect", s.MultiSelectField, _label("Multi select", "多选"), "basic",
        d.show_multiselect, column=_fixed(sa.JSON), coerce=v.coerce_multiselect, many=True,
        aggregations=COUNT, parse=c.parse_multiselect, defaults={"options": OPTIONS},
        browser=Browser(preview='<div class="fake-check">☐ ☐ ☐</div>', props=("options",),
                        sortable=False),
    ),
    FieldType(
        "checkbox", s.CheckboxField, _label("Checkbox", "复选框"), "basic", d.show_checkbox,
        column=_fixed(sa.Boolean), coerce=v.coerce_checkbox, expr_type=BOOL,
        parse=c.parse_checkbox,
        browser=Browser(preview='<div class="fake-check">☐</div>', filter="checkbox",
                        bulk_edit=True),
    ),
    FieldType(
        "phone", s.PhoneField, _label("Phone", "电话"), "basic", d.show_text,
        column=_string(100), coerce=v.coerce_text, expr_type=TEXT, free_text=True,
        parse=c.parse_text,
        browser=Browser(props=("unique",), simple_default=True, filter="text", bulk_edit=True),
    ),
    FieldType(
        "email", s.EmailField, _label("E-mail", "邮箱"), "basic", d.show_text,
        column=_string(254), coerce=v.coerce_email, expr_type=TEXT, free_text=True,
        parse=c.parse_text,
        browser=Browser(props=("unique",), simple_default=True, filter="text", bulk_edit=True),
    ),
    FieldType(
        "url", s.UrlField, _label("Link", "链接"), "basic", d.show_text,
        column=_string(2048), coerce=v.coerce_url, expr_type=TEXT, free_text=True,
        parse=c.parse_text,
        browser=Browser(simple_default=True, filter="text", bulk_edit=True),
    ),
    FieldType(
        "address", s.AddressField, _label("Address", "地址"), "basic", d.show_address,
        column=_fixed(sa.JSON), coerce=v.coerce_address, aggregations=COUNT,
        parse=c.parse_address, defaults={"with_detail": True},
        browser=Browser(preview=PREVIEW.format("▾ ▾ ▾")),
    ),
    FieldType(
        "location", s.LocationField, _label("Location", "定位"), "basic", d.show_location,
        column=_fixed(sa.JSON), coerce=v.coerce_location, aggregations=COUNT,
        parse=c.parse_location,
        browser=Browser(preview=PREVIEW.format("lat, lng"), column=False),
    ),
    FieldType(
        "attachment", s.AttachmentField, _label("Attachment", "附件"), "basic", d.show_files,
        column=_fixed(sa.JSON), coerce=v.coerce_files, many=True, files=True,
        aggregations=COUNT, defaults={"max_files": 10},
        browser=Browser(preview=PREVIEW.format("↑"), props=("max_files",)),
    ),
    FieldType(
        "image", s.ImageField, _label("Image", "图片"), "basic", d.show_files,
        column=_fixed(sa.JSON), coerce=v.coerce_files, many=True, files=True,
        aggregations=COUNT, defaults={"max_files": 9},
        browser=Browser(preview=PREVIEW.format("↑ ▣"), props=("max_files",)),
    ),
    FieldType(
        "signature", s.SignatureField, _label("Signature", "手写签名"), "basic", d.show_files,
        column=_fixed(sa.JSON), coerce=v.coerce_files, many=True, files=True,
        aggregations=COUNT,
        browser=Browser(preview='<div class="fake tall">✎</div>', column=False),
    ),
    # -- advanced ----------------------------------------------------------------------------
    FieldType(
        "member", s.MemberField, _label("Member", "成员"), "advanced", d.show_members,
        column=_fixed(sa.Integer), coerce=v.coerce_ids, expr_type=USER, refers_to="users",
        indexed=True, parse=c.parse_members, defaults={"multiple": False},
        browser=Browser(preview=PREVIEW.format("@"), props=("multiple",), filter="member"),
    ),
    FieldType(
        "department", s.DepartmentField, _label("Department", "部门"), "advanced",
        d.show_departments, column=_fixed(sa.Integer), coerce=v.coerce_ids,
        expr_type=DEPARTMENT, refers_to="departments", indexed=True,
        parse=c.parse_departments, defaults={"multiple": False},
        browser=Browser(preview=PREVIEW.format("@"), props=("multiple",), filter="department"),
    ),
    FieldType(
        "relation", s.RelationField, _label("Related record", "关联数据"), "advanced",
        d.show_relation, column=_fixed(sa.Integer), coerce=v.coerce_ids, refers_to="records",
        indexed=True, parse=c.parse_relation, defaults={"target_form": "", "multiple": False},
        browser=Browser(preview=PREVIEW.format("↗"), props=("multiple",)),
    ),
    FieldType(
        "lookup", s.LookupField, _label("Lookup", "他表字段"), "advanced", d.show_computed,
        column=_lookup_column, computed=True, follows_source=True, indexed=True,
        defaults={"relation": "", "source_field": ""}, in_subform=False,
        browser=Browser(preview=COMPUTED_PREVIEW.format("↪")),
    ),
    FieldType(
        "subform", s.SubformField, _label("Sub-form", "子表单"), "advanced", d.show_rows,
        storage="child", many=True, aggregations=COUNT, defaults={"fields": []},
        in_subform=False, browser=Browser(column=False, sortable=False),
    ),
    FieldType(
        "serial", s.SerialField, _label("Serial number", "流水号"), "advanced", d.show_text,
        column=_string(100), computed=True, expr_type=TEXT, indexed=True,
        defaults={"pattern": "NO-{YYYY}{MM}-{0000}"}, in_subform=False,
        browser=Browser(preview=COMPUTED_PREVIEW.format("#0001"), props=("unique",),
                        filter="text", nowrap=True),
    ),
    FieldType(
        "formula", s.FormulaField, _label("Formula", "公式"), "advanced", d.show_computed,
        column=_formula_column, computed=True, follows_source=True, defaults={"formula": ""},
        browser=replace(NUMBER_INPUT, preview=COMPUTED_PREVIEW.format("fx"),
                        props=("decimals",)),
    ),
    FieldType(
        "rollup", s.RollupField, _label("Rollup", "汇总"), "advanced", d.show_computed,
        column=lambda f, ctx: DecimalColumn(None), computed=True, expr_type=NUMBER,
        aggregations=NUMERIC, defaults={"formula": ""}, in_subform=False,
        browser=replace(NUMBER_INPUT, preview=COMPUTED_PREVIEW.format("Σ")),
    ),
)
# fmt: on

FIELD_TYPES: dict[str, FieldType] = {t.key: t for t in _TYPES}
COMPUTED = frozenset(k for k, t in FIELD_TYPES.items() if t.computed)
EXPRESSION_TYPES: dict[str, Type] = {
    str(t.expr_type): t.expr_type for t in _TYPES if t.expr_type is not None
}


def storage_of(f: Any) -> Storage:
    """Where the values of field ``f`` live: its column, a link table or a child table."""
    return FIELD_TYPES[f.type].storage_of(f)


def column_type(f: Any, results: Mapping[str, Type], forms: Mapping[str, s.FormSpec]) -> Any | None:
    """The column type of a field stored in its own column; None when it is not."""
    kind = FIELD_TYPES[f.type]
    if kind.column is None or kind.storage_of(f) != "column":
        return None
    return kind.column(f, ColumnContext(results, forms))


def coerce(f: Any, value: Any) -> Any:
    """The value to store for field ``f``; blank stays None. Raises ``values.Invalid``."""
    kind = FIELD_TYPES[f.type]
    if value is None or (value == "" and not kind.empty_text):
        return None
    if kind.coerce is None:
        raise KeyError(f"{f.type} fields take no submitted values")
    return kind.coerce(value, f)


def show(f: Any, value: Any, ctx: d.DisplayContext | None = None) -> str:
    """The value of field ``f`` as text people read; blank is empty."""
    if value is None or value == "" or value == []:
        return ""
    return FIELD_TYPES[f.type].show(value, f, ctx or d.DisplayContext())


def parse_cell(f: Any, cell: Any, ctx: c.CellContext | None = None) -> Any:
    """An imported cell as the API value of field ``f``; a blank cell is None."""
    kind = FIELD_TYPES[f.type]
    if kind.parse is None:
        raise KeyError(f"{f.type} fields are not imported")
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    return kind.parse(cell, f, ctx or c.CellContext())


def _by_result(result: Type | None) -> tuple[frozenset[str], bool]:
    if result == NUMBER:
        return NUMERIC, False
    if result in (DATE, DATETIME):
        return ORDERED, True
    return COUNTS, False


def aggregations(f: Any, result: Type | None = None) -> frozenset[str]:
    """What a report may compute over field ``f`` (``result``: a formula's or lookup's type)."""
    kind = FIELD_TYPES[f.type]
    if kind.follows_source:
        return _by_result(result)[0]
    return COUNT if kind.storage_of(f) == "link" else kind.aggregations


def has_date_grains(f: Any, result: Type | None = None) -> bool:
    """Whether a report may group field ``f`` by day, week, month, quarter or year."""
    kind = FIELD_TYPES[f.type]
    return _by_result(result)[1] if kind.follows_source else kind.date_grains


@cache
def browser_table() -> dict[str, dict[str, Any]]:
    """Every field type as the pages' scripts read it (``jimu.fieldType`` in jimu.js)."""
    return {key: t.for_browser() for key, t in FIELD_TYPES.items()}
