"""Python backend: compiles a checked expression into nested closures, then runs them per row."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jimu.engines.clock import clock
from jimu.engines.expr import formats
from jimu.engines.expr import nodes as n
from jimu.engines.expr import runtime as rt
from jimu.engines.expr.checker import ARITHMETIC, Checked
from jimu.engines.expr.functions import mixed_iferror
from jimu.engines.expr.types import Type

Row = Mapping[str, Any]
Loader = Callable[[str, Any], Mapping[str, Any] | None]


@dataclass
class EvalContext:
    """What an expression may know besides the row.

    Attributes:
        today, now: the date and wall-clock time in the platform time zone (TODAY(), NOW()),
            from the process's clock unless given.
        user_id, department_id: CURRENT_USER() and CURRENT_DEPT().
        load: fetches a related record by (schema name, id) when the row holds only the id.
    """

    today: date = field(default_factory=lambda: clock().today())
    now: datetime = field(default_factory=lambda: clock().now())
    user_id: int | None = None
    department_id: int | None = None
    load: Loader | None = None


Fn = Callable[[Row, EvalContext], Any]


def _const(value: Any) -> Fn:
    return lambda row, ctx: value


def _lifted(fn: Callable[..., Any], parts: list[Fn], lists: list[bool]) -> Fn:
    """Applies a scalar function, element-wise where operands are lists."""
    if not any(lists):
        if len(parts) == 1:
            (a,) = parts
            return lambda row, ctx: fn(a(row, ctx))
        if len(parts) == 2:
            a, b = parts
            return lambda row, ctx: fn(a(row, ctx), b(row, ctx))
        return lambda row, ctx: fn(*(p(row, ctx) for p in parts))

    def run(row: Row, ctx: EvalContext) -> list[Any]:
        values = [p(row, ctx) for p in parts]
        size = max(len(v) for v, is_list in zip(values, lists, strict=True) if is_list)
        columns = [v if is_list else [v] * size for v, is_list in zip(values, lists, strict=True)]
        return [fn(*args) for args in zip(*columns, strict=True)]

    return run


def _resolve_record(value: Any, schema_name: str, ctx: EvalContext) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return value
    if ctx.load is None:
        return None
    return ctx.load(schema_name, value)


class _Compiler:
    def __init__(self, checked: Checked) -> None:
        self.checked = checked

    def type_of(self, node: n.Node) -> Type:
        return self.checked.type_of(node)

    def is_list(self, node: n.Node) -> bool:
        return self.type_of(node).is_list

    def compile(self, node: n.Node) -> Fn:
        """The node's value as anything but arithmetic sees it: computed numbers settled."""
        fn = self.raw(node)
        if not self.checked.computes(node):
            return fn
        return lambda row, ctx: rt.settle(fn(row, ctx))

    def raw(self, node: n.Node) -> Fn:
        """The node's value as arithmetic sees it (every digit of a computed number)."""
        if isinstance(node, n.Number):
            return _const(node.value)
        if isinstance(node, n.String):
            return _const(node.value)
        if isinstance(node, n.Bool):
            return _const(node.value)
        if isinstance(node, n.Null):
            return _const(None)
        if isinstance(node, n.Name):
            return self._name(node)
        if isinstance(node, n.Member):
            return self._member(node)
        if isinstance(node, n.Unary):
            fn = rt.negate if node.op == "-" else (lambda x: x)
            return self._apply(fn, [node.operand], exact=True)
        if isinstance(node, n.Percent):
            return self._apply(rt.percent, [node.operand], exact=True)
        if isinstance(node, n.Not):
            return self._apply(lambda x: not rt.truthy(x), [node.operand])
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.In):
            return self._in(node)
        if isinstance(node, n.Call):
            return self._call(node)
        raise TypeError(f"cannot compile {type(node).__name__}")  # pragma: no cover

    def _apply(
        self,
        fn: Callable[..., Any],
        args: list[n.Node] | tuple[n.Node, ...],
        *,
        exact: bool = False,
    ) -> Fn:
        """``fn`` over the arguments' values; ``exact`` for arithmetic (nothing settled)."""
        compile_ = self.raw if exact else self.compile
        return _lifted(fn, [compile_(a) for a in args], [self.is_list(a) for a in args])

    def _name(self, node: n.Name) -> Fn:
        key = node.key
        t = self.type_of(node)
        if t.is_list:
            return lambda row, ctx: row.get(key) or []
        coerce = rt.COERCE.get(t.kind)
        if coerce is None:
            return lambda row, ctx: row.get(key)
        return lambda row, ctx: coerce(row.get(key))

    def _member(self, node: n.Member) -> Fn:
        base = self.compile(node.obj)
        base_type = self.type_of(node.obj)
        schema = base_type.scalar().schema
        assert schema is not None
        schema_name = schema.name
        name = node.name
        field_type = schema.fields[name].type
        coerce = rt.COERCE.get(field_type.kind, lambda v: v)

        def read(record: Any, ctx: EvalContext) -> Any:
            resolved = _resolve_record(record, schema_name, ctx)
            return None if resolved is None else coerce(resolved.get(name))

        if base_type.is_list:
            return lambda row, ctx: [read(item, ctx) for item in rt.present(base(row, ctx))]
        return lambda row, ctx: read(base(row, ctx), ctx)

    def _binary(self, node: n.Binary) -> Fn:
        op = node.op
        if op in ("AND", "OR") and not (self.is_list(node.left) or self.is_list(node.right)):
            a, b = self.compile(node.left), self.compile(node.right)
            if op == "AND":
                return lambda row, ctx: rt.truthy(a(row, ctx)) and rt.truthy(b(row, ctx))
            return lambda row, ctx: rt.truthy(a(row, ctx)) or rt.truthy(b(row, ctx))
        table: dict[str, Callable[..., Any]] = {
            "+": rt.add,
            "-": rt.sub,
            "*": rt.mul,
            "/": rt.div,
            "^": rt.power,
            "&": rt.concat,
            "=": rt.equals,
            "<>": lambda x, y: not rt.equals(x, y),
            "<": lambda x, y: rt.compare("<", x, y),
            "<=": lambda x, y: rt.compare("<=", x, y),
            ">": lambda x, y: rt.compare(">", x, y),
            ">=": lambda x, y: rt.compare(">=", x, y),
            "AND": lambda x, y: rt.truthy(x) and rt.truthy(y),
            "OR": lambda x, y: rt.truthy(x) or rt.truthy(y),
        }
        # arithmetic keeps every digit, except a number of days added to a date
        exact = op in ARITHMETIC and not any(
            self.type_of(side).scalar().kind in ("date", "datetime")
            for side in (node.left, node.right)
        )
        return self._apply(table[op], [node.left, node.right], exact=exact)

    def _in(self, node: n.In) -> Fn:
        items = [self.compile(i) for i in node.items]
        negated = node.negated

        def member(value: Any, *candidates: Any) -> bool:
            found = any(rt.equals(value, c) for c in candidates)
            return not found if negated else found

        return _lifted(
            member,
            [self.compile(node.operand), *items],
            [self.is_list(node.operand)] + [False] * len(items),
        )

    def _call(self, node: n.Call) -> Fn:
        special = getattr(self, f"_fn_{node.name.lower()}", None)
        if special is not None:
            result: Fn = special(node)
            return result
        fn = SCALAR_FUNCTIONS[node.name]
        return self._apply(fn, node.args)

    # -- lazy and context functions ------------------------------------------------------

    def _fn_if(self, node: n.Call) -> Fn:
        if self.is_list(node):
            args = list(node.args) + ([n.Null()] if len(node.args) == 2 else [])
            if len(node.args) == 2:
                self.checked.types[id(args[2])] = self.type_of(node).scalar()
            return self._apply(lambda c, a, b: a if rt.truthy(c) else b, args)
        cond, then = self.compile(node.args[0]), self.compile(node.args[1])
        other = self.compile(node.args[2]) if len(node.args) > 2 else _const(None)
        return lambda row, ctx: then(row, ctx) if rt.truthy(cond(row, ctx)) else other(row, ctx)

    def _fn_ifs(self, node: n.Call) -> Fn:
        pairs = [
            (self.compile(node.args[i]), self.compile(node.args[i + 1]))
            for i in range(0, len(node.args), 2)
        ]
        if self.is_list(node):

            def pick(*values: Any) -> Any:
                for i in range(0, len(values), 2):
                    if rt.truthy(values[i]):
                        return values[i + 1]
                return None

            return self._apply(pick, node.args)

        def run(row: Row, ctx: EvalContext) -> Any:
            for cond, value in pairs:
                if rt.truthy(cond(row, ctx)):
                    return value(row, ctx)
            return None

        return run

    def _fn_switch(self, node: n.Call) -> Fn:
        def pick(subject: Any, *rest: Any) -> Any:
            pairs = len(rest) // 2
            for i in range(pairs):
                if rt.equals(subject, rest[2 * i]):
                    return rest[2 * i + 1]
            return rest[-1] if len(rest) % 2 else None

        return self._apply(pick, node.args)

    def _fn_coalesce(self, node: n.Call) -> Fn:
        parts = [self.compile(a) for a in node.args]
        if self.is_list(node):
            return self._apply(lambda *vs: next((v for v in vs if v is not None), None), node.args)

        def run(row: Row, ctx: EvalContext) -> Any:
            for part in parts:
                value = part(row, ctx)
                if value is not None:
                    return value
            return None

        return run

    def _fn_iferror(self, node: n.Call) -> Fn:
        as_text = mixed_iferror(self.type_of(node), [self.type_of(a) for a in node.args])

        def pick(value: Any, fallback: Any) -> Any:
            chosen = fallback if value is None else value
            return rt.to_text(chosen) if as_text and chosen is not None else chosen

        if self.is_list(node):
            return self._apply(pick, node.args)
        value, fallback = (self.compile(a) for a in node.args)

        def run(row: Row, ctx: EvalContext) -> Any:
            chosen = value(row, ctx)
            return pick(chosen, None) if chosen is not None else pick(None, fallback(row, ctx))

        return run

    def _fn_and(self, node: n.Call) -> Fn:
        return self._apply(lambda *vs: all(rt.truthy(v) for v in vs), node.args)

    def _fn_or(self, node: n.Call) -> Fn:
        return self._apply(lambda *vs: any(rt.truthy(v) for v in vs), node.args)

    def _fn_today(self, node: n.Call) -> Fn:
        return lambda row, ctx: ctx.today

    def _fn_now(self, node: n.Call) -> Fn:
        return lambda row, ctx: ctx.now

    def _fn_current_user(self, node: n.Call) -> Fn:
        return lambda row, ctx: ctx.user_id

    def _fn_current_dept(self, node: n.Call) -> Fn:
        return lambda row, ctx: ctx.department_id

    # -- aggregates ----------------------------------------------------------------------

    def _gather(self, node: n.Call, *, exact: bool = False) -> Fn:
        compile_ = self.raw if exact else self.compile
        parts = [(compile_(a), self.is_list(a)) for a in node.args]

        def run(row: Row, ctx: EvalContext) -> list[Any]:
            values: list[Any] = []
            for part, is_list in parts:
                value = part(row, ctx)
                if is_list:
                    values.extend(value)
                else:
                    values.append(value)
            return values

        return run

    def _aggregate(
        self, node: n.Call, fn: Callable[[list[Any]], Any], *, exact: bool = False
    ) -> Fn:
        gather = self._gather(node, exact=exact)
        return lambda row, ctx: fn(gather(row, ctx))

    def _fn_sum(self, node: n.Call) -> Fn:
        return self._aggregate(node, rt.agg_sum, exact=True)

    def _fn_average(self, node: n.Call) -> Fn:
        return self._aggregate(node, rt.agg_average, exact=True)

    def _fn_min(self, node: n.Call) -> Fn:
        return self._aggregate(node, rt.agg_min)

    def _fn_max(self, node: n.Call) -> Fn:
        return self._aggregate(node, rt.agg_max)

    def _fn_count(self, node: n.Call) -> Fn:
        return self._aggregate(node, rt.agg_count)

    def _conditional(self, node: n.Call) -> tuple[Fn, Fn]:
        return self.compile(node.args[0]), self.compile(node.args[1])

    def _fn_countif(self, node: n.Call) -> Fn:
        values, conds = self._conditional(node)
        return lambda row, ctx: Decimal(
            sum(
                1
                for v, c in zip(values(row, ctx), conds(row, ctx), strict=True)
                if v is not None and rt.truthy(c)
            )
        )

    def _fn_sumif(self, node: n.Call) -> Fn:
        values, conds = self.raw(node.args[0]), self.compile(node.args[1])
        return lambda row, ctx: rt.agg_sum(
            [v for v, c in zip(values(row, ctx), conds(row, ctx), strict=True) if rt.truthy(c)]
        )


SCALAR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "NOT": lambda x: not rt.truthy(x),
    "ISBLANK": rt.is_blank,
    "ROUND": rt.round_half,
    "ROUNDUP": rt.round_up,
    "ROUNDDOWN": rt.round_down,
    "INT": rt.int_floor,
    "ABS": rt.absolute,
    "MOD": rt.excel_mod,
    "POWER": rt.power,
    "SQRT": rt.sqrt,
    "CONCAT": lambda *vs: rt.checked_text("".join(rt.to_text(v) for v in vs)),
    "LEFT": rt.left,
    "RIGHT": rt.right,
    "MID": rt.mid,
    "LEN": rt.length,
    "UPPER": rt.upper,
    "LOWER": rt.lower,
    "TRIM": rt.trim,
    "SUBSTITUTE": rt.substitute,
    "REPLACE": rt.replace_text,
    "FIND": rt.find,
    "CONTAINS": rt.contains,
    "STARTSWITH": rt.startswith,
    "TEXT": formats.format_text,
    "VALUE": rt.value_of,
    "RMB_UPPER": rt.rmb_upper,
    "DATE": rt.make_date,
    "DATETIME": rt.make_datetime,
    "YEAR": lambda d: None if d is None else Decimal(d.year),
    "MONTH": lambda d: None if d is None else Decimal(d.month),
    "DAY": lambda d: None if d is None else Decimal(d.day),
    "WEEKDAY": rt.weekday,
    "WEEKNUM": rt.weeknum,
    "DATEDIF": rt.datedif,
    "DAYS": lambda end, start: rt.sub(rt.to_date(end), rt.to_date(start)),
    "DATEADD": rt.date_add,
    "EOMONTH": rt.eomonth,
    "NETWORKDAYS": rt.networkdays,
}


@dataclass(frozen=True)
class Compiled:
    """A compiled expression: call it with a row and a context."""

    checked: Checked
    fn: Fn

    def __call__(self, row: Row, ctx: EvalContext | None = None) -> Any:
        return self.fn(row, ctx or EvalContext())


def compile_python(checked: Checked) -> Compiled:
    """Compiles a checked expression into a Python callable."""
    return Compiled(checked, _Compiler(checked).compile(checked.ast))


def evaluate(checked: Checked, row: Row, ctx: EvalContext | None = None) -> Any:
    """Compiles and evaluates once (prefer compile_python for repeated use)."""
    return compile_python(checked)(row, ctx)


PYTHON_FUNCTIONS = set(SCALAR_FUNCTIONS) | {
    name[4:].upper() for name in dir(_Compiler) if name.startswith("_fn_")
}
