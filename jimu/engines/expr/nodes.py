"""Nodes of the expression AST: small frozen dataclasses, each with its source offset."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, eq=False)
class Node:
    """Base of every node; ``pos`` is the offset of the node's first character."""

    pos: int = field(default=0, kw_only=True)
    end: int = field(default=0, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        """The direct sub-nodes, in source order."""
        return ()


@dataclass(frozen=True, eq=False)
class Number(Node):
    """A decimal literal."""

    value: Decimal


@dataclass(frozen=True, eq=False)
class String(Node):
    """A text literal (escapes already resolved)."""

    value: str


@dataclass(frozen=True, eq=False)
class Bool(Node):
    """TRUE or FALSE."""

    value: bool


@dataclass(frozen=True, eq=False)
class Null(Node):
    """NULL / BLANK."""


@dataclass(frozen=True, eq=False)
class Name(Node):
    """A field key, or a record meta field such as ``_created_at``."""

    key: str


@dataclass(frozen=True, eq=False)
class Label(Node):
    """A field label in brackets (``[合同金额]``), resolved to a key before storing."""

    text: str


@dataclass(frozen=True, eq=False)
class Member(Node):
    """``obj.name``: a field of a related record, or of each item of a collection."""

    obj: Node
    name: str

    def children(self) -> tuple[Node, ...]:
        return (self.obj,)


@dataclass(frozen=True, eq=False)
class Call(Node):
    """A function call; ``name`` is upper-case and must be in the registry."""

    name: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, eq=False)
class Unary(Node):
    """``-x`` or ``+x``."""

    op: str
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, eq=False)
class Percent(Node):
    """``x%``: x divided by 100."""

    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, eq=False)
class Binary(Node):
    """An infix operation: ``+ - * / ^ & = <> < <= > >= AND OR``."""

    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, eq=False)
class Not(Node):
    """``NOT x``."""

    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, eq=False)
class In(Node):
    """``x IN (a, b, ...)`` or ``x NOT IN (...)``."""

    operand: Node
    items: tuple[Node, ...]
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        return (self.operand, *self.items)


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children()))
    return out


def member_path(node: Node) -> str | None:
    """``customer.industry`` for a chain of members on a field name, else None."""
    parts: list[str] = []
    while isinstance(node, Member):
        parts.append(node.name)
        node = node.obj
    if isinstance(node, Name):
        parts.append(node.key)
        return ".".join(reversed(parts))
    return None
