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
        fields: the mode of each field by key; a key not listed is ``default_mode``.
        default_mode: the mode of fields the roles do not mention.
    """

    actions: frozenset[str]
    view: Clause = None
    view_page: Clause = None
    edit: Clause = None
    delete: Clause = None
    fields: Mapping[str, FieldMode] = field(default_factory=dict)
    default_mode: FieldMode = "edit"

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
        """hidden / read / edit for a field."""
        return self.fields.get(key, self.default_mode)

    def hidden(self) -> frozenset[str]:
        """Keys of the fields this user may not see."""
        return frozenset(k for k, m in self.fields.items() if m == "hidden")


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
