"""Form specs: the pydantic models of a form's JSON (fields, layout, options).

A form is metadata an analyst edits in the designer; publishing turns it into a table.
Every field type is one class, discriminated by ``type``; what else the platform knows of
each type (storage, coercion, display ...) is in the field type registry (``fieldtypes``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from jimu.engines.i18n import Label as Label
from jimu.engines.i18n import bilingual_error
from jimu.engines.text import JsonData

SCHEMA_VERSION = 1
FIELD_KEY = r"^[a-z][a-z0-9_]{0,39}$"
RESERVED_KEYS = frozenset(
    {
        "id",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "owner",
        "version",
        "deleted_at",
        "parent_id",
        "position",
        "record_id",
        "target_id",
    }
)

FieldKey = Annotated[str, StringConstraints(pattern=FIELD_KEY)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Formula = Annotated[str, StringConstraints(max_length=10_000)]


class Spec(BaseModel):
    """Base of every spec model: unknown properties are refused."""

    model_config = ConfigDict(extra="forbid")


class ValidationRule(Spec):
    """A condition every record must meet, with the message shown when it does not."""

    formula: Formula
    message: Label


class Option(Spec):
    """A choice of a select field: the key is stored, the label shown."""

    key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    label: Label
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None


class Linkage(Spec):
    """Fill this field from a related record's field when the relation changes (数据联动)."""

    relation: FieldKey
    source_field: FieldKey


class BaseField(Spec):
    """What every field has."""

    key: FieldKey
    label: Label
    help: Label | None = None
    required: bool = False
    required_when: Formula | None = None
    unique: bool = False
    read_only: bool = False
    hidden: bool = False
    visible_when: Formula | None = None
    default: JsonData = None
    default_formula: Formula | None = None
    validations: list[ValidationRule] = Field(default_factory=list, max_length=20)
    filterable: bool = False
    linkage: Linkage | None = None

    @field_validator("key")
    @classmethod
    def _not_reserved(cls, key: str) -> str:
        if key in RESERVED_KEYS:
            raise bilingual_error(
                "reserved_key",
                f"'{key}' is reserved for system columns.",
                f"“{key}”是系统保留字段。",
            )
        return key


class TextField(BaseField):
    """Single-line text (单行文本)."""

    type: Literal["text"]
    min_length: int | None = Field(default=None, ge=0)
    max_length: int = Field(default=200, ge=1, le=10_000)
    pattern: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise bilingual_error(
                    "bad_pattern", f"Not a valid pattern: {exc}", f"正则表达式无效：{exc}"
                ) from None
        return pattern


class TextAreaField(BaseField):
    """Multi-line text (多行文本)."""

    type: Literal["textarea"]
    max_length: int = Field(default=10_000, ge=1, le=1_000_000)


class RichTextField(BaseField):
    """Rich text, stored as sanitised HTML (富文本)."""

    type: Literal["richtext"]
    max_length: int = Field(default=100_000, ge=1, le=1_000_000)


class NumberField(BaseField):
    """A number with optional bounds and decimals (数字)."""

    type: Literal["number"]
    decimals: int = Field(default=2, ge=0, le=10)
    min: Decimal | None = None
    max: Decimal | None = None


class AmountField(BaseField):
    """Money: exact decimal with a currency (金额)."""

    type: Literal["amount"]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    decimals: int = Field(default=2, ge=0, le=6)
    min: Decimal | None = None
    max: Decimal | None = None


class PercentField(BaseField):
    """A percentage, stored as a fraction (百分比: 12.5% is 0.125)."""

    type: Literal["percent"]
    decimals: int = Field(default=2, ge=0, le=6)
    min: Decimal | None = None
    max: Decimal | None = None


class RatingField(BaseField):
    """Stars from 0 to ``max`` (评分)."""

    type: Literal["rating"]
    max: int = Field(default=5, ge=1, le=10)


class DateField(BaseField):
    """A date (日期)."""

    type: Literal["date"]


class DateTimeField(BaseField):
    """A date and time (日期时间)."""

    type: Literal["datetime"]


class TimeField(BaseField):
    """A time of day (时间)."""

    type: Literal["time"]


class SelectField(BaseField):
    """One option (单选): radio buttons or a dropdown."""

    type: Literal["select"]
    options: list[Option] = Field(min_length=1, max_length=500)
    display: Literal["radio", "dropdown"] = "dropdown"


class MultiSelectField(BaseField):
    """Several options (多选), stored as a list of option keys."""

    type: Literal["multiselect"]
    options: list[Option] = Field(min_length=1, max_length=500)
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1)


class CheckboxField(BaseField):
    """Yes or no (复选框)."""

    type: Literal["checkbox"]


class MemberField(BaseField):
    """One or several users (成员)."""

    type: Literal["member"]
    multiple: bool = False
    share: Literal["none", "view", "edit"] = Field(
        default="none",
        description="the members in this field may view (or edit) the record (协作人)",
    )


class DepartmentField(BaseField):
    """One or several departments (部门)."""

    type: Literal["department"]
    multiple: bool = False


class PhoneField(BaseField):
    """A mainland mobile or landline number (电话); the pattern is configurable."""

    type: Literal["phone"]
    pattern: Annotated[str, StringConstraints(max_length=500)] = (
        r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"
    )


class EmailField(BaseField):
    """An e-mail address (邮箱)."""

    type: Literal["email"]


class UrlField(BaseField):
    """A web address (链接)."""

    type: Literal["url"]


class AddressField(BaseField):
    """Province / city / district / detail (地址)."""

    type: Literal["address"]
    with_detail: bool = True


class LocationField(BaseField):
    """A point: latitude, longitude and a label (定位)."""

    type: Literal["location"]


class AttachmentField(BaseField):
    """Uploaded files (附件)."""

    type: Literal["attachment"]
    max_files: int = Field(default=10, ge=1, le=100)
    max_size_mb: int = Field(default=20, ge=1, le=1024)
    accept: list[Annotated[str, StringConstraints(max_length=100)]] = Field(default_factory=list)


class ImageField(BaseField):
    """Uploaded images (图片)."""

    type: Literal["image"]
    max_files: int = Field(default=9, ge=1, le=100)
    max_size_mb: int = Field(default=10, ge=1, le=200)


class SignatureField(BaseField):
    """A handwritten signature image (手写签名)."""

    type: Literal["signature"]


class SerialField(BaseField):
    """An automatic number such as ``HT-{YYYY}{MM}-{0000}`` (流水号)."""

    type: Literal["serial"]
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=100)] = (
        "{YYYY}{MM}{DD}{0000}"
    )
    reset: Literal["never", "year", "month", "day"] = "never"


class FormulaField(BaseField):
    """A value computed from other fields, stored and indexed (公式)."""

    type: Literal["formula"]
    formula: Formula
    decimals: int | None = Field(default=None, ge=0, le=10)


class RelationField(BaseField):
    """Records of another form of the same app (关联数据)."""

    type: Literal["relation"]
    target_form: FieldKey
    display_field: FieldKey | None = None
    multiple: bool = False


class LookupField(BaseField):
    """A field read through a relation, kept fresh (他表字段)."""

    type: Literal["lookup"]
    relation: FieldKey
    source_field: FieldKey


class RollupField(BaseField):
    """An aggregate over a relation or sub-form, maintained on every write (汇总)."""

    type: Literal["rollup"]
    formula: Formula


class SubformField(BaseField):
    """Rows of a child table (子表单)."""

    type: Literal["subform"]
    fields: list[ScalarField] = Field(min_length=1, max_length=100)
    min_rows: int = Field(default=0, ge=0)
    max_rows: int = Field(default=500, ge=1, le=10_000)


# the fields a sub-form row may hold; a form's fields are these, rollups and sub-forms
AnyScalarField = (
    TextField
    | TextAreaField
    | RichTextField
    | NumberField
    | AmountField
    | PercentField
    | RatingField
    | DateField
    | DateTimeField
    | TimeField
    | SelectField
    | MultiSelectField
    | CheckboxField
    | MemberField
    | DepartmentField
    | PhoneField
    | EmailField
    | UrlField
    | AddressField
    | LocationField
    | AttachmentField
    | ImageField
    | SignatureField
    | SerialField
    | FormulaField
    | RelationField
    | LookupField
)
ScalarField = Annotated[AnyScalarField, Field(discriminator="type")]
FieldSpec = Annotated[AnyScalarField | RollupField | SubformField, Field(discriminator="type")]


class LayoutItem(Spec):
    """A section, tab, divider or row of columns arranging fields by key."""

    type: Literal["section", "tab", "divider", "columns"]
    label: Label | None = None
    fields: list[FieldKey] = Field(default_factory=list)
    children: list[LayoutItem] = Field(default_factory=list, max_length=50)


class FormOptions(Spec):
    """Form-wide switches."""

    allow_comments: bool = True
    allow_print: bool = True
    submit_label: Label | None = None
    hidden_values: Literal["clear", "keep"] = Field(
        default="clear",
        description="what happens to a field's value while its visibility rule hides it",
    )


class FormSpec(Spec):
    """One form: its fields in order, their layout and options.

    Attributes:
        title_field: the field shown as a record's title (in lists, pickers, relations).
        owner_field: the member field that owns a record (data permissions), if any.
    """

    schema_version: Literal[1] = 1
    key: FieldKey
    name: Label
    description: Text | None = None
    fields: list[FieldSpec] = Field(default_factory=list, max_length=500)
    layout: list[LayoutItem] = Field(default_factory=list, max_length=200)
    title_field: FieldKey | None = None
    owner_field: FieldKey | None = None
    options: FormOptions = Field(default_factory=FormOptions)

    def field(self, key: str) -> Any:
        """The field with ``key``, or None."""
        return next((f for f in self.fields if f.key == key), None)


def form_json_schema() -> dict[str, Any]:
    """The JSON Schema of a form spec, for outside tools (``jimu schema form``)."""
    return FormSpec.model_json_schema()
