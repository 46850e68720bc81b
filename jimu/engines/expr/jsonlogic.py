"""Browser backend: compiles a checked expression into JsonLogic for live form evaluation.

Every operation is one of ours (``j.<name>``, defined in static/components/jimu-logic.js for
json-logic-js) so NULL, dates and text behave as on the server; the server re-checks on save.
"""

from __future__ import annotations

from typing import Any

from jimu.engines.expr import nodes as n
from jimu.engines.expr.checker import ARITHMETIC, Checked
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.functions import mixed_iferror
from jimu.engines.i18n import text

Logic = Any

JS_UNSUPPORTED: frozenset[str] = frozenset()
OPERATORS = {
    "+": "j.add",
    "-": "j.sub",
    "*": "j.mul",
    "/": "j.div",
    "^": "j.pow",
    "&": "j.concat",
    "=": "j.eq",
    "<>": "j.ne",
    "<": "j.lt",
    "<=": "j.le",
    ">": "j.gt",
    ">=": "j.ge",
    "AND": "j.and",
    "OR": "j.or",
}
CONTEXT_VARS = {
    "TODAY": "_ctx.today",
    "NOW": "_ctx.now",
    "CURRENT_USER": "_ctx.user",
    "CURRENT_DEPT": "_ctx.department",
}


class _Unsupported(Exception):
    def __init__(self, node: n.Node, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


class _JsCompiler:
    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.item_source: str | None = None

    def is_list(self, node: n.Node) -> bool:
        return self.checked.type_of(node).is_list

    def compile(self, node: n.Node, *, exact: bool = False) -> Logic:
        """Compiles a scalar-valued node (lists are mapped where a list is expected).

        A computed number is settled to 15 significant digits (``j.settle``) unless
        ``exact`` (an operand of arithmetic, SUM or AVERAGE), as on the server.
        """
        if self.is_list(node) and self.item_source is None:
            return self.mapped(node, exact=exact)
        return self.scalar(node, exact=exact)

    def mapped(self, node: n.Node, *, exact: bool = False) -> Logic:
        """A list-valued node as ``map`` over its collection, items in scope."""
        source = self.checked.type_of(node).source or ""
        if self.item_source is not None:  # json-logic-js maps items without the record
            raise _Unsupported(node, "outer")
        if isinstance(node, n.Name):
            return {"var": node.key}
        self.item_source = source
        try:
            body = self.scalar(node, exact=exact)
        finally:
            self.item_source = None
        return {"map": [{"var": source}, body]}

    def scalar(self, node: n.Node, *, exact: bool = False) -> Logic:
        logic = self._scalar(node)
        if exact or not self.checked.computes(node):
            return logic
        return {"j.settle": [logic]}

    def _scalar(self, node: n.Node) -> Logic:
        if isinstance(node, n.Number):
            value = node.value
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(node, (n.String, n.Bool)):
            return node.value
        if isinstance(node, n.Null):
            return None
        if isinstance(node, n.Name):
            if self.item_source is not None:
                raise _Unsupported(node, "outer")
            return self._read(node, node.key)
        if isinstance(node, n.Member):
            return self._member(node)
        if isinstance(node, n.Unary):
            operand = self.compile(node.operand, exact=True)
            return {"j.neg": [operand]} if node.op == "-" else operand
        if isinstance(node, n.Percent):
            return {"j.div": [self.compile(node.operand, exact=True), 100]}
        if isinstance(node, n.Not):
            return {"j.not": [self.compile(node.operand)]}
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.In):
            op = "j.notin" if node.negated else "j.in"
            return {op: [self.compile(node.operand), *(self.compile(i) for i in node.items)]}
        if isinstance(node, n.Call):
            return self._call(node)
        raise _Unsupported(node, "node")  # pragma: no cover

    def _binary(self, node: n.Binary) -> Logic:
        # arithmetic keeps every digit, except a number of days added to a date
        sides = (node.left, node.right)
        exact = node.op in ARITHMETIC and not any(
            self.checked.type_of(side).scalar().kind in ("date", "datetime") for side in sides
        )
        return {OPERATORS[node.op]: [self.compile(side, exact=exact) for side in sides]}

    def _member(self, node: n.Member) -> Logic:
        if self.is_list(node.obj):
            if self.item_source is None:  # pragma: no cover - compile() maps lists first
                return self.mapped(node)
            return self._read(node, node.name)
        path = n.member_path(node)
        if path is None or self.item_source is not None:
            raise _Unsupported(node, "member")
        return self._read(node, path)

    def _read(self, node: n.Node, path: str) -> Logic:
        """A field read; checkboxes are two-valued (blank reads as FALSE)."""
        if self.checked.type_of(node).scalar().kind == "bool":
            return {"j.bool": [{"var": path}]}
        return {"var": path}

    def _call(self, node: n.Call) -> Logic:
        if node.name in JS_UNSUPPORTED:
            raise _Unsupported(node, node.name)
        if node.name in CONTEXT_VARS:
            if self.item_source is not None:  # json-logic-js maps items without the context
                raise _Unsupported(node, "outer")
            return {"var": CONTEXT_VARS[node.name]}
        spec_aggregate = node.name in {"SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTIF", "SUMIF"}
        args = []
        for index, arg in enumerate(node.args):
            # SUM, AVERAGE and SUMIF's values add every digit, like arithmetic
            exact = node.name in ("SUM", "AVERAGE") or (node.name == "SUMIF" and index == 0)
            if spec_aggregate and self.is_list(arg):
                args.append(self.mapped(arg, exact=exact))
            else:
                args.append(self.compile(arg, exact=exact))
        if node.name == "TEXT":  # the browser cannot tell a date from text that looks like one
            args.append(self.checked.type_of(node.args[0]).scalar().kind)
        if node.name == "IFERROR":  # the chosen value is shown as text
            types = [self.checked.type_of(a) for a in node.args]
            args.append(mixed_iferror(self.checked.type_of(node), types))
        return {f"j.{node.name}": args}


def to_jsonlogic(checked: Checked) -> Logic:
    """JsonLogic for the browser; raises ExprError naming what cannot run there."""
    try:
        # the result itself is left as computed: pages show numbers through the field's
        # decimals, and the server stores the settled value on save
        return _JsCompiler(checked).compile(checked.ast, exact=True)
    except _Unsupported as exc:
        what = exc.node.name if isinstance(exc.node, n.Call) else exc.reason
        raise ExprError(
            "not_browser",
            text(
                "This part cannot be computed live in the browser ({what}); the server "
                "computes it on save.",
                "此部分无法在浏览器中实时计算（{what}），保存时由服务器计算。",
                what=what,
            ),
            pos=exc.node.pos,
            source=checked.source,
        ) from None
