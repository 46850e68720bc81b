"""Checker stage: resolves names against a schema, infers types, lists the fields read."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

from jimu.engines.expr import nodes as n
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.functions import REGISTRY, SignatureError, unify
from jimu.engines.expr.parser import parse
from jimu.engines.expr.types import (
    BOOL,
    DATE,
    DATETIME,
    NULL,
    NUMBER,
    TEXT,
    FieldInfo,
    Schema,
    Type,
    list_of,
    type_name,
)
from jimu.engines.i18n import Text, text

ARITHMETIC = {"+", "-", "*", "/", "^"}
# functions whose number result may have more digits than their arguments
COMPUTING_FUNCTIONS = frozenset(
    {"SUM", "AVERAGE", "SUMIF", "POWER", "SQRT", "MOD", "VALUE", "DAYS"}
)
COMPARISONS = {"=", "<>", "<", "<=", ">", ">="}
ORDERED = ("number", "text", "date", "datetime")


@dataclass
class Checked:
    """A parsed and type-checked expression, ready for any backend.

    Attributes:
        types: the type of every node, by ``id(node)``.
        fields: the field paths read (``amount``, ``customer.industry``, ``lines.subtotal``).
        functions: the functions called.
    """

    source: str
    ast: n.Node
    type: Type
    schema: Schema
    types: dict[int, Type] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)

    def type_of(self, node: n.Node) -> Type:
        """The inferred type of a node of this expression."""
        return self.types[id(node)]

    def computes(self, node: n.Node) -> bool:
        """Whether the node computes a number (operators, SUM, POWER ...).

        Every backend keeps such a number exact while arithmetic uses it, and rounds it to
        15 significant digits (``runtime.settle``) where anything else uses it.
        """
        if self.type_of(node).scalar().kind != "number":
            return False
        if isinstance(node, n.Binary):
            return node.op in ARITHMETIC
        if isinstance(node, (n.Unary, n.Percent)):
            return self.computes(node.operand)
        return isinstance(node, n.Call) and node.name in COMPUTING_FUNCTIONS

    @property
    def sql_unsupported(self) -> list[str]:
        """Functions that cannot run in SQL (the expression is then Python-only)."""
        names = {name for name in self.functions if not REGISTRY[name].sql}
        for node in n.walk(self.ast):
            if isinstance(node, n.Call) and any(
                i < len(node.args) and not isinstance(node.args[i], n.String)
                for i in REGISTRY[node.name].sql_literals
            ):
                names.add(node.name)
        return sorted(names)

    @property
    def sql_capable(self) -> bool:
        """Whether the expression compiles to SQL."""
        return not self.sql_unsupported


def _err(reason: str, message: Text, node: n.Node) -> ExprError:
    return ExprError(reason, message, pos=node.pos)


def resolve_labels(node: n.Node, schema: Schema) -> n.Node:
    """Replaces ``[label]`` nodes with the keys they name (top-level fields only)."""
    if isinstance(node, n.Label):
        info = schema.by_label(node.text)
        if info is None:
            raise _err(
                "unknown_field",
                text(
                    "No field is labelled '{label}'.", "没有名为“{label}”的字段。", label=node.text
                ),
                node,
            )
        return n.Name(info.key, pos=node.pos, end=node.end)
    if isinstance(node, n.Member):
        return replace(node, obj=resolve_labels(node.obj, schema))
    if isinstance(node, n.Call):
        return replace(node, args=tuple(resolve_labels(a, schema) for a in node.args))
    if isinstance(node, (n.Unary, n.Percent, n.Not)):
        return replace(node, operand=resolve_labels(node.operand, schema))
    if isinstance(node, n.Binary):
        return replace(
            node, left=resolve_labels(node.left, schema), right=resolve_labels(node.right, schema)
        )
    if isinstance(node, n.In):
        return replace(
            node,
            operand=resolve_labels(node.operand, schema),
            items=tuple(resolve_labels(i, schema) for i in node.items),
        )
    return node


def normalize(source: str, schema: Schema) -> str:
    """The source with every ``[label]`` replaced by its key: the form that is stored."""
    ast = parse(source)
    labels = sorted((x for x in n.walk(ast) if isinstance(x, n.Label)), key=lambda x: -x.pos)
    out = source
    for label in labels:
        info = schema.by_label(label.text)
        if info is None:
            raise ExprError(
                "unknown_field",
                text(
                    "No field is labelled '{label}'.", "没有名为“{label}”的字段。", label=label.text
                ),
                pos=label.pos,
                source=source,
            )
        out = out[: label.pos] + info.key + out[label.end :]
    return out


class _Checker:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.types: dict[int, Type] = {}
        self.fields: list[str] = []
        self.functions: list[str] = []

    def visit(self, node: n.Node) -> Type:
        result = self._visit(node)
        self.types[id(node)] = result
        return result

    def _visit(self, node: n.Node) -> Type:
        if isinstance(node, n.Number):
            return NUMBER
        if isinstance(node, n.String):
            return TEXT
        if isinstance(node, n.Bool):
            return BOOL
        if isinstance(node, n.Null):
            return NULL
        if isinstance(node, n.Name):
            return self._name(node)
        if isinstance(node, n.Member):
            return self._member(node)
        if isinstance(node, n.Call):
            return self._call(node)
        if isinstance(node, n.Unary):
            operand = self.visit(node.operand)
            return self._lift([operand], node, lambda ts: self._numeric(ts[0], node.operand))
        if isinstance(node, n.Percent):
            operand = self.visit(node.operand)
            return self._lift([operand], node, lambda ts: self._numeric(ts[0], node.operand))
        if isinstance(node, n.Not):
            operand = self.visit(node.operand)
            return self._lift([operand], node, lambda ts: self._boolean(ts[0], node.operand))
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.In):
            return self._in(node)
        raise _err("syntax", text("Unsupported expression.", "不支持的表达式。"), node)

    # -- names ---------------------------------------------------------------------------

    def _field(self, schema: Schema, key: str, node: n.Node) -> FieldInfo:
        info = schema.fields.get(key)
        if info is None:
            close = difflib.get_close_matches(key, list(schema.fields), n=1)
            hint = (
                text(" Did you mean '{k}'?", "是否想输入“{k}”？", k=close[0])
                if close
                else text("", "")
            )
            raise _err(
                "unknown_field",
                text(
                    "Unknown field '{key}' in {form}.{hint}",
                    "{form} 中没有字段“{key}”。{hint}",
                    key=key,
                    form=schema.name,
                    hint=hint,
                ),
                node,
            )
        return info

    def _name(self, node: n.Name) -> Type:
        info = self._field(self.schema, node.key, node)
        self.fields.append(node.key)
        return info.type

    def _member(self, node: n.Member) -> Type:
        base = self.visit(node.obj)
        target = base.scalar()
        schema = target.schema
        if target.kind not in ("record", "user", "department") or schema is None:
            raise _err(
                "not_a_record",
                text(
                    "'.{name}' needs a relation, sub-form or member on the left, not {t}.",
                    "“.{name}”前面应为关联、子表单或成员字段，而不是{t}。",
                    name=node.name,
                    t=type_name(base),
                ),
                node,
            )
        info = self._field(schema, node.name, node)
        path = n.member_path(node)
        if path:
            self.fields.append(path)
        if base.is_list:
            if info.type.is_list:
                raise _err(
                    "nested_list",
                    text(
                        "Sub-forms inside sub-forms cannot be aggregated here.",
                        "不支持对子表单中的子表单进行汇总。",
                    ),
                    node,
                )
            return list_of(info.type, base.source or "")
        return info.type

    # -- operators -----------------------------------------------------------------------

    def _lift(self, operands: list[Type], node: n.Node, rule: object) -> Type:
        """Applies a scalar type rule, element-wise over at most one collection."""
        sources = {t.source for t in operands if t.is_list}
        if len(sources) > 1:
            raise _err(
                "mixed_lists",
                text(
                    "Values from different sub-forms or relations cannot be combined.",
                    "不能混用来自不同子表单或关联的数据。",
                ),
                node,
            )
        result: Type = rule([t.scalar() for t in operands])  # type: ignore[operator]
        if sources:
            return list_of(result, sources.pop() or "")
        return result

    def _numeric(self, t: Type, node: n.Node) -> Type:
        if t.kind not in ("number", "null", "any"):
            raise self._type_error(node, text("a number", "数字"), t)
        return NUMBER

    def _boolean(self, t: Type, node: n.Node) -> Type:
        if t.kind not in ("bool", "null", "any"):
            raise self._type_error(node, text("a condition (TRUE/FALSE)", "条件（真/假）"), t)
        return BOOL

    def _type_error(self, node: n.Node, wanted: Text, got: Type) -> ExprError:
        return _err(
            "type",
            text(
                "Expected {want} here, not {got}.",
                "此处应为{want}，而不是{got}。",
                want=wanted,
                got=type_name(got),
            ),
            node,
        )

    def _binary(self, node: n.Binary) -> Type:
        left = self.visit(node.left)
        right = self.visit(node.right)
        op = node.op
        if op in ("AND", "OR"):
            return self._lift(
                [left, right],
                node,
                lambda ts: (self._boolean(ts[0], node.left), self._boolean(ts[1], node.right))[0],
            )
        if op == "&":
            return self._lift([left, right], node, lambda ts: self._concat(ts, node))
        if op in COMPARISONS:
            return self._lift([left, right], node, lambda ts: self._compare(ts, node))
        return self._lift([left, right], node, lambda ts: self._arithmetic(ts, node))

    def _concat(self, ts: list[Type], node: n.Binary) -> Type:
        for t, side in zip(ts, (node.left, node.right), strict=True):
            if t.kind in ("record", "list"):
                raise self._type_error(side, text("a value", "值"), t)
        return TEXT

    def _compare(self, ts: list[Type], node: n.Binary) -> Type:
        a, b = ts
        kinds = {a.kind, b.kind} - {"null", "any"}
        ok = (
            len(kinds) <= 1
            or kinds == {"date", "datetime"}
            or kinds in ({"user", "number"}, {"department", "number"})
        )
        if not ok or "record" in kinds:
            raise _err(
                "type",
                text(
                    "Cannot compare {a} with {b}.",
                    "不能比较{a}和{b}。",
                    a=type_name(a),
                    b=type_name(b),
                ),
                node,
            )
        if node.op not in ("=", "<>") and kinds and not kinds <= set(ORDERED):
            raise _err(
                "type",
                text("{a} values have no order.", "{a}不能比较大小。", a=type_name(a)),
                node,
            )
        return BOOL

    def _arithmetic(self, ts: list[Type], node: n.Binary) -> Type:
        a, b = ts
        op = node.op
        date_like = ("date", "datetime")
        if op in ("+", "-") and a.kind in date_like and b.kind in ("number", "null"):
            return a
        if op == "+" and b.kind in date_like and a.kind in ("number", "null"):
            return b
        if op == "-" and a.kind in date_like and b.kind in date_like:
            return NUMBER
        self._numeric(a, node.left)
        self._numeric(b, node.right)
        return NUMBER

    def _in(self, node: n.In) -> Type:
        operand = self.visit(node.operand)
        for item in node.items:
            t = self.visit(item)
            if t.is_list:
                raise self._type_error(item, text("a single value", "单个值"), t)
            probe = n.Binary("=", node.operand, item, pos=item.pos)
            self._lift([operand, t], probe, lambda ts, p=probe: self._compare(ts, p))
        return self._lift([operand], node, lambda ts: BOOL)

    # -- calls ---------------------------------------------------------------------------

    def _call(self, node: n.Call) -> Type:
        spec = REGISTRY.get(node.name)
        if spec is None:
            close = difflib.get_close_matches(node.name, list(REGISTRY), n=1)
            hint = (
                text(" Did you mean {f}?", "是否想输入 {f}？", f=close[0])
                if close
                else text("", "")
            )
            raise _err(
                "unknown_function",
                text(
                    "Unknown function {name}.{hint}",
                    "没有函数 {name}。{hint}",
                    name=node.name,
                    hint=hint,
                ),
                node,
            )
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise _err(
                "arity",
                text(
                    "{sig} takes {expected} argument(s), not {count}.",
                    "{sig} 需要 {expected} 个参数，而不是 {count} 个。",
                    sig=spec.signature(),
                    expected=_arity(spec.min_args, spec.max_args),
                    count=count,
                ),
                node,
            )
        self.functions.append(node.name)
        args = [self.visit(arg) for arg in node.args]
        try:
            if spec.aggregate:
                return spec.check(args)
            return self._lift(args, node, spec.check)
        except SignatureError as exc:
            target = node.args[exc.index] if exc.index < len(node.args) else node
            raise _err(
                "type",
                text(
                    "{name}: {problem}.", "{name}：{problem}。", name=node.name, problem=exc.message
                ),
                target,
            ) from None


def _arity(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def check(
    source: str | n.Node,
    schema: Schema,
    *,
    expect: Type | None = None,
    allow_list: bool = False,
) -> Checked:
    """Parses (if needed) and type-checks an expression against ``schema``.

    ``expect`` demands a result type (``BOOL`` for conditions); a list result (un-aggregated
    sub-form values) is refused unless ``allow_list``.
    """
    text_source = source if isinstance(source, str) else ""
    if not isinstance(source, (str, n.Node)):
        raise ExprError("syntax", text("A formula must be text.", "公式必须是文本。"))
    try:
        ast = parse(source) if isinstance(source, str) else source
        ast = resolve_labels(ast, schema)
        checker = _Checker(schema)
        result = checker.visit(ast)
        if result.is_list and not allow_list:
            raise _err(
                "list_result",
                text(
                    "This gives one value per sub-form row; aggregate it with SUM, COUNT, MAX ...",
                    "结果是子表单每一行的值，请用 SUM、COUNT、MAX 等函数汇总。",
                ),
                ast,
            )
        if result.kind == "record":
            raise _err(
                "record_result",
                text(
                    "Pick a field of the related record, e.g. customer.name.",
                    "请选择关联记录的某个字段，例如 customer.name。",
                ),
                ast,
            )
        if expect is not None and result.kind not in (expect.kind, "null", "any"):
            allowed = expect.kind == "datetime" and result.kind == "date"
            if not allowed:
                raise _err(
                    "type",
                    text(
                        "The result must be {want}, not {got}.",
                        "结果应为{want}，而不是{got}。",
                        want=type_name(expect),
                        got=type_name(result),
                    ),
                    ast,
                )
    except ExprError as exc:
        raise exc.with_source(text_source) if text_source and not exc.source else exc from None
    return Checked(
        source=text_source,
        ast=ast,
        type=result,
        schema=schema,
        types=checker.types,
        fields=sorted(set(checker.fields)),
        functions=sorted(set(checker.functions)),
    )


__all__ = ["DATE", "DATETIME", "Checked", "check", "normalize", "resolve_labels", "unify"]
