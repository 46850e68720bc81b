"""App roles and their per-form permission sets, as the API and template apps write them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from jimu.engines.i18n import bilingual_error
from jimu.form_engine.access import ACTIONS
from jimu.platform.schemas import Id, Key, Label, StrictModel

Action = Literal["view", "create", "edit", "delete", "import", "export", "print", "comment"]
ScopeType = Literal["all", "own", "department", "department_tree", "subordinates", "custom", "none"]
Mode = Literal["hidden", "read", "edit"]
Preset = Literal["submit_only", "manage_own", "view_all_edit_own", "manage_all", "view_all"]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
assert set(ACTIONS) == set(Action.__args__)  # type: ignore[attr-defined]


class Scope(StrictModel):
    """Which records a role reaches (数据范围).

    Attributes:
        type: all; own (the record's owner is the user); department (owned by someone of
            the user's department); department_tree (… or of its sub-departments);
            subordinates (owned by the user or anyone below them in the supervisor chain);
            custom (``filter``, an expression such as ``region = "华东"``); none.
        filter: the expression of a custom scope.
    """

    type: ScopeType = "all"
    filter: Annotated[str, StringConstraints(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _filter_for_custom(self) -> Scope:
        if self.type == "custom" and not (self.filter or "").strip():
            raise bilingual_error(
                "filter_required",
                "A custom scope needs a filter expression.",
                "自定义数据范围需要填写筛选条件。",
            )
        if self.type != "custom" and self.filter:
            raise bilingual_error(
                "filter_unused",
                "Only a custom scope takes a filter.",
                "只有自定义数据范围可以填写筛选条件。",
            )
        return self


class FormPermission(StrictModel):
    """What a role may do with one form's records.

    Attributes:
        actions: allowed actions; ``view`` lists and reads, ``edit``/``delete`` change the
            records within ``edit_scope``.
        view_scope: records the role reads.
        edit_scope: records the role edits and deletes (within what it reads).
        fields: hidden / read / edit per field key; fields not listed are editable when
            the role may create or edit, else read-only.
    """

    actions: list[Action] = Field(default_factory=list, max_length=len(ACTIONS))
    view_scope: Scope = Field(default_factory=Scope)
    edit_scope: Scope = Field(default_factory=lambda: Scope(type="own"))
    fields: dict[FieldKey, Mode] = Field(default_factory=dict, max_length=500)


class RoleMembers(StrictModel):
    """Who holds a role: users, and departments (with their sub-departments)."""

    users: list[Id] = Field(default_factory=list, max_length=10_000)
    departments: list[Id] = Field(default_factory=list, max_length=10_000)


class AppRoleCreate(StrictModel):
    """A new role of an app."""

    key: Key
    name: Label
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    all_users: bool = False
    members: RoleMembers = Field(default_factory=RoleMembers)
    permissions: dict[FieldKey, FormPermission] = Field(default_factory=dict, max_length=500)
    sort_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class AppRoleUpdate(StrictModel):
    """Changes to a role; what is left out stays as it is."""

    name: Label | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    all_users: bool | None = None
    members: RoleMembers | None = None
    permissions: dict[FieldKey, FormPermission] | None = Field(default=None, max_length=500)
    sort_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class FormPermissionWrite(StrictModel):
    """One form's permission set of a role: a preset, or the set itself."""

    preset: Preset | None = None
    actions: list[Action] | None = Field(default=None, max_length=len(ACTIONS))
    view_scope: Scope | None = None
    edit_scope: Scope | None = None
    fields: dict[FieldKey, Mode] | None = Field(default=None, max_length=500)


class AppRoleRead(StrictModel):
    """A role as the API shows it."""

    key: str
    name: Label
    description: str | None
    is_system: bool
    all_users: bool
    members: RoleMembers
    permissions: dict[str, FormPermission]
    sort_order: int
    updated_at: datetime


class PresetRead(StrictModel):
    """A ready-made permission set (权限模板)."""

    key: Preset
    name: Label
    permission: FormPermission


class ScopeCheck(StrictModel):
    """How one role's scope judges a record."""

    role: str
    via: str
    actions: list[str]
    view_scope: Scope
    edit_scope: Scope
    sees: bool
    edits: bool


class Explanation(StrictModel):
    """Why a user can (or cannot) see and change a record."""

    user_id: int
    record_id: int
    app_admin: bool
    can_view: bool
    can_edit: bool
    can_delete: bool
    roles: list[ScopeCheck]
    shared_by: list[str]
    fields: dict[str, Mode]
    reason: str


class MyPermissions(StrictModel):
    """What the signed-in user may do with a form (for the UI)."""

    actions: list[str]
    fields: dict[str, Mode] = Field(
        description="each field's mode; a field of sub-form rows (`lines.cost`) is listed "
        "when it is hidden while its sub-form is not"
    )
    hidden_because: dict[str, list[str]] = Field(
        default_factory=dict,
        description="fields hidden because they are computed from hidden fields "
        "(formulas, lookups, rollups, linkage), each with those fields as `form.field`",
    )
    app_admin: bool
