"""What one user may do with one form's records: actions, row scopes as SQL, field modes.

The platform computes a ``FormGrant`` from the user's roles; the records service applies it
on every read (a WHERE clause, hidden fields left out) and every write (actions, edit scope,
fields the user may not edit). ``FULL`` is the grant of trusted internal callers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa

from jimu.engines.errors import PermissionDenied
from jimu.engines.i18n import Text, text

ACTIONS = ("view", "create", "edit", "delete", "import", "export", "print", "comment")
FieldMode = Literal["hidden", "read", "edit"]
MODE_RANK: dict[str, int] = {"hidden": 0, "read": 1, "edit": 2}

ACTION_LABELS: dict[str, Text] = {
    "view": text("view", "查看"),
    "create": text("create", "新增"),
    "edit": text("edit", "编辑"),
    "delete": text("delete", "删除"),
    "import": text("import", "导入"),
    "export": text("export", "导出"),
    "print": text("print", "打印"),
    "comment": text("manage comments", "管理评论"),
}

# A row scope: None means every row, otherwise a boolean SQL condition on the form's table.
Clause = Any


@dataclass(frozen=True)
class FormGrant:
    """A user's rights on one form.

    Attributes:
        actions: form-level actions allowed (``view``, ``create``, ``edit`` ...).
        view: rows the user may read (None: all).
        view_page: the same rows, phrased for reading a page in the list's own order (the
            database may pick another plan for counting than for a sorted page).
        edit: rows the user may change (None: all); ``sa.false()`` when none.
        delete: rows the user may delete (None: all).
        fields: the mode of each field by key; a key not listed is ``default_mode``. A field
            inside a sub-form row (``lines.cost``) is listed only when it differs from its
            sub-form's mode.
        default_mode: the mode of fields the roles do not mention.
        forms: the field modes of the app's other forms by form key, for formula and filter
            paths through relations (a form not listed: ``default_mode``).
        because: each field hidden only because it is computed from hidden fields, and the
            ``form.field`` paths of those fields.
    """

    actions: frozenset[str]
    view: Clause = None
    view_page: Clause = None
    edit: Clause = None
    delete: Clause = None
    fields: Mapping[str, FieldMode] = field(default_factory=dict)
    default_mode: FieldMode = "edit"
    forms: Mapping[str, Mapping[str, FieldMode]] = field(default_factory=dict)
    because: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def allows(self, action: str) -> bool:
        """Whether the form-level action is granted."""
        return action in self.actions

    def require(self, action: str) -> None:
        """Raises ``PermissionDenied`` unless the action is granted."""
        if action not in self.actions:
            raise PermissionDenied(
                text(
                    "You may not {action} records of this form.",
                    "没有{action}此表单数据的权限。",
                    action=ACTION_LABELS.get(action, text(action, action)),
                )
            )

    def mode(self, key: str) -> FieldMode:
        """hidden / read / edit for a field (``lines.cost``: a field of a sub-form's rows)."""
        found = self.fields.get(key)
        if found is None and "." in key:
            return self.mode(key.split(".")[0])
        return found or self.default_mode

    def mode_in(self, form: str, key: str) -> FieldMode:
        """The mode of a field of another form of the app (reached through a relation)."""
        modes = self.forms.get(form)
        if modes is None:
            return self.default_mode
        found = modes.get(key)
        if found is None and "." in key:
            return self.mode_in(form, key.split(".")[0])
        return found or self.default_mode

    def hidden(self) -> frozenset[str]:
        """Keys of the fields this user may not see (``lines.cost`` for a row's field)."""
        return frozenset(k for k, m in self.fields.items() if m == "hidden")

    def visible(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Values by field key without the fields hidden from the user, sub-form rows too."""
        hidden = self.hidden()
        if not hidden:
            return dict(values)
        inner: dict[str, set[str]] = {}
        for key in hidden:
            sub, dot, name = key.partition(".")
            if dot:
                inner.setdefault(sub, set()).add(name)
        return {
            k: _without(v, inner[k]) if k in inner else v
            for k, v in values.items()
            if k not in hidden
        }


def _without(value: Any, keys: set[str]) -> Any:
    """Sub-form rows (or a history entry's old and new rows) without ``keys``."""
    if isinstance(value, list):
        return [_without(item, keys) for item in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in keys}
    return value


FULL = FormGrant(actions=frozenset(ACTIONS))

# Builds the grant on a form for the acting user; given the form's runtime.
GrantOf = Callable[[Any], FormGrant]


def scope_rows(clause: Clause) -> list[Any]:
    """The WHERE conditions of a scope (none when it covers every row)."""
    return [] if clause is None else [clause]


def any_of(clauses: list[Clause]) -> Clause:
    """Rows in any of the scopes (None when one of them covers every row)."""
    if any(c is None for c in clauses):
        return None
    if not clauses:
        return sa.false()
    return clauses[0] if len(clauses) == 1 else sa.or_(*clauses)
