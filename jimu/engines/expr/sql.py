"""SQL backend: compiles a checked expression into a SQLAlchemy expression (SQLite, PostgreSQL).

Core operators compile to native SQL so filters use indexes; functions compile to native
SQL on PostgreSQL and to the jimu_* functions (the Python runtime) on SQLite. Sub-form and
relation aggregates become correlated subqueries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement, Grouping

from jimu.engines.expr import formats
from jimu.engines.expr import nodes as n
from jimu.engines.expr import runtime as rt
from jimu.engines.expr.checker import ARITHMETIC, Checked
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.evaluator import EvalContext
from jimu.engines.expr.functions import mixed_iferror
from jimu.engines.expr.types import Schema, Type
from jimu.engines.i18n import text

Sql = ColumnElement[Any]
# what the jimu_* functions return on SQLite: floats, as its columns hold (a Numeric would
# be read back with 10 decimals)
SQLITE_NUMBER = sa.Float()
LOWER_ASCII = "abcdefghijklmnopqrstuvwxyz"
UPPER_ASCII = LOWER_ASCII.upper()
INT_CLAMP = 1_000_000
# to_char patterns of TEXT's date codes (formats.date_tokens); names are English without TM
PG_DATE_CODES = {
    "yyyy": "YYYY",
    "yy": "YY",
    "m": "FMMM",
    "mm": "MM",
    "mmm": "Mon",
    "mmmm": "FMMonth",
    "d": "FMDD",
    "dd": "DD",
    "ddd": "Dy",
    "dddd": "FMDay",
    "h": "FMHH24",
    "hh": "HH24",
    "h12": "FMHH12",
    "hh12": "HH12",
    "n": "FMMI",
    "nn": "MI",
    "s": "FMSS",
    "ss": "SS",
    "AM/PM": "AM",
    "am/pm": "am",
}
# codes shown as the first letter of a to_char pattern
PG_INITIALS = {"mmmmm": "Mon", "A/P": "AM", "a/p": "am"}
# 15 significant digits in scientific notation: to_char rounds half away from zero
PG_SIGNIFICANT = "9.99999999999999EEEE"
# a zero with 60 decimals: added to a power's base, keeps 15 significant digits down to 10^-40
PG_POWER_SCALE = Decimal("0E-60")
# a zero with 40 decimals: added to a dividend, keeps Python's 34 digits in a quotient
PG_EXTRA_SCALE = Decimal("0E-40")


class TableScope:
    """Where the fields of a schema live: its table (or an alias of it)."""

    def __init__(self, schema: Schema, table: Any = None) -> None:
        if table is None and schema.table is None:
            raise ExprError(
                "not_sql",
                text("{form} has no table.", "{form} 没有数据表。", form=schema.name),
            )
        self.schema = schema
        self.table = table if table is not None else schema.table

    def column(self, key: str) -> Sql:
        """The column of a field."""
        info = self.schema.fields[key]
        column: Sql = self.table.c[info.column or key]
        return column

    def id_column(self) -> Sql:
        """The primary key column."""
        column: Sql = self.table.c[self.schema.id_column]
        return column

    def related(self, key: str) -> tuple[TableScope, Sql]:
        """The scope of a single relation's target and the join condition."""
        info = self.schema.fields[key]
        assert info.target is not None
        target = TableScope(info.target, info.target.table.alias())
        return target, sa.and_(target.id_column() == self.column(key), *target.live())

    def items(self, key: str) -> tuple[TableScope, Sql]:
        """The scope of a collection's items and the correlation condition."""
        info = self.schema.fields[key]
        assert info.target is not None
        assert info.parent_column is not None
        target = TableScope(info.target, info.target.table.alias())
        condition = target.table.c[info.parent_column] == self.id_column()
        return target, sa.and_(condition, *target.live())

    def live(self) -> list[Sql]:
        """Conditions that leave out soft-deleted records (tables with ``deleted_at``)."""
        if "deleted_at" in self.table.c:
            return [self.table.c.deleted_at.is_(None)]
        return []


@dataclass
class _Items:
    scope: TableScope
    condition: Sql


class _SqlCompiler:
    def __init__(self, checked: Checked, scope: TableScope, dialect: str, ctx: EvalContext):
        self.checked = checked
        self.scope = scope
        self.pg = dialect == "postgresql"
        self.ctx = ctx
        self.items: dict[str, _Items] = {}
        self.powers = 0  # names the VALUES of each power

    # -- helpers -------------------------------------------------------------------------

    def t(self, node: n.Node) -> Type:
        return self.checked.type_of(node)

    def kind(self, node: n.Node) -> str:
        return self.t(node).scalar().kind

    def fn(self, name: str, *args: Any, type_: Any = None) -> Sql:
        result: Sql = getattr(sa.func, f"jimu_{name}")(*args, type_=type_)
        return result

    def number(self, value: Decimal | int | None) -> Sql:
        if value is None:
            return sa.null()
        if self.pg:
            return sa.literal(Decimal(value), sa.Numeric())
        exact = Decimal(value)
        if exact == exact.to_integral_value() and abs(exact) < 2**62:
            return sa.literal(int(exact), sa.Integer())
        return sa.literal(float(value), sa.Float())

    def negate(self, expr: Sql) -> Sql:
        """``NOT expr`` in parentheses (IS and IS DISTINCT FROM bind tighter than NOT)."""
        return Grouping(sa.not_(expr))

    def boolean(self, expr: Sql) -> Sql:
        """A two-valued condition: NULL counts as FALSE."""
        return sa.func.coalesce(expr, sa.false(), type_=sa.Boolean())

    def as_numeric(self, expr: Sql) -> Sql:
        if self.pg:
            return sa.cast(expr, sa.Numeric())
        return expr * sa.literal(1.0)

    def dividend(self, expr: Sql) -> Sql:
        """A number to divide (or take a root of): on PostgreSQL with 40 decimals, so the
        result has Python's 34 digits rather than numeric's 16 (no double rounding when it
        is settled to 15)."""
        if self.pg:
            return sa.cast(expr, sa.Numeric()) + sa.literal(PG_EXTRA_SCALE, sa.Numeric())
        return expr * sa.literal(1.0)

    def clamp_int(self, expr: Sql, low: int = -INT_CLAMP, high: int = INT_CLAMP) -> Sql:
        """trunc(x) clamped and cast to integer, so PostgreSQL never overflows."""
        return sa.cast(
            sa.func.least(sa.func.greatest(sa.func.trunc(expr), low), high), sa.Integer()
        )

    def text_of(self, node: n.Node) -> Sql:
        """The value as text, the way ``&`` shows it (blank → empty)."""
        return sa.func.coalesce(self.text_or_blank(node), "")

    def text_or_blank(self, node: n.Node) -> Sql:
        """The value as text, the way ``&`` shows it; blank stays blank.

        Each form names the value once, so nested conversions do not grow the SQL.
        """
        expr = self.compile(node)
        kind = self.kind(node)
        if kind in ("text", "null", "any"):
            return expr
        if not self.pg:
            return self.fn("text_or_blank", expr, kind, type_=sa.String())
        if kind == "number":
            return sa.cast(sa.func.trim_scale(self.significant(expr)), sa.String())
        if kind == "bool":
            return sa.case({True: "TRUE", False: "FALSE"}, value=Grouping(expr))
        if kind == "date":
            return sa.func.to_char(expr, "YYYY-MM-DD")
        if kind == "datetime":
            return sa.func.to_char(expr, "YYYY-MM-DD HH24:MI:SS")
        return sa.cast(expr, sa.String())

    def significant(self, x: Sql) -> Sql:
        """A numeric rounded to 15 significant digits, half away from zero (PostgreSQL)."""
        scientific = sa.func.to_char(sa.cast(x, sa.Numeric()), PG_SIGNIFICANT)
        return sa.cast(scientific, sa.Numeric())

    def settle(self, x: Sql) -> Sql:
        """A computed number as anything but arithmetic sees it (``runtime.settle``)."""
        if self.pg:
            return sa.func.trim_scale(self.significant(x))
        return self.fn("settle", x, type_=SQLITE_NUMBER)

    # -- dispatch ------------------------------------------------------------------------

    def compile(self, node: n.Node, condition: bool = False) -> Sql:
        """The node as anything but arithmetic sees it: computed numbers settled."""
        expr = self.raw(node, condition)
        return self.settle(expr) if self.checked.computes(node) else expr

    def raw(self, node: n.Node, condition: bool = False) -> Sql:
        """The node as arithmetic sees it (every digit of a computed number)."""
        if isinstance(node, n.Number):
            return self.number(node.value)
        if isinstance(node, n.String):
            return sa.literal(node.value, sa.String())
        if isinstance(node, n.Bool):
            return sa.true() if node.value else sa.false()
        if isinstance(node, n.Null):
            return sa.null()
        if isinstance(node, n.Name):
            return self._name(node)
        if isinstance(node, n.Member):
            return self._member(node)
        if isinstance(node, n.Unary):
            operand = self.raw(node.operand)
            return -operand if node.op == "-" else operand
        if isinstance(node, n.Percent):
            return self.as_numeric(self.raw(node.operand)) / 100
        if isinstance(node, n.Not):
            return self.negate(self.boolean(self.compile(node.operand)))
        if isinstance(node, n.Binary):
            return self._binary(node, condition)
        if isinstance(node, n.In):
            return self._in(node, condition)
        if isinstance(node, n.Call):
            return self._call(node, condition)
        raise TypeError(type(node).__name__)  # pragma: no cover

    # -- names ---------------------------------------------------------------------------

    def _name(self, node: n.Name) -> Sql:
        column = self.scope.column(node.key)
        return self.boolean(column) if self.kind(node) == "bool" else column

    def _record_scope(self, node: n.Node) -> tuple[TableScope, list[Sql]]:
        """The scope a record-valued node points at, with the conditions to reach it."""
        if isinstance(node, n.Name):
            target, condition = self.scope.related(node.key)
            return target, [condition]
        if isinstance(node, n.Member):
            if self.t(node.obj).is_list:
                raise ExprError("not_sql", text("Unsupported.", "不支持。"), pos=node.pos)
            outer, conditions = self._record_scope(node.obj)
            target, condition = outer.related(node.name)
            return target, [*conditions, condition]
        raise ExprError(
            "not_sql",
            text("This field access cannot run in SQL.", "此字段访问无法在数据库中计算。"),
            pos=node.pos,
        )

    def _member(self, node: n.Member) -> Sql:
        if self.t(node.obj).is_list:
            source = self.t(node).source or ""
            items = self.items.get(source)
            if items is None:
                raise ExprError(
                    "list_result",
                    text(
                        "Aggregate sub-form values with SUM, COUNT ...",
                        "请用 SUM、COUNT 等汇总子表单的值。",
                    ),
                    pos=node.pos,
                )
            column = items.scope.column(node.name)
            return self.boolean(column) if self.kind(node) == "bool" else column
        scope, conditions = self._record_scope(node.obj)
        value = sa.select(scope.column(node.name)).where(*conditions).scalar_subquery()
        return self.boolean(value) if self.kind(node) == "bool" else value

    # -- operators -----------------------------------------------------------------------

    def _binary(self, node: n.Binary, condition: bool) -> Sql:
        op = node.op
        if op in ("AND", "OR"):
            left = self.compile(node.left, condition)
            right = self.compile(node.right, condition)
            if not condition:
                left, right = self.boolean(left), self.boolean(right)
            return sa.and_(left, right) if op == "AND" else sa.or_(left, right)
        if op == "&":
            return self.text_of(node.left).concat(self.text_of(node.right))
        if op in ("=", "<>", "<", "<=", ">", ">="):
            return self._compare(node, condition)
        return self._arithmetic(node)

    def _dates(self, node: n.Node) -> bool:
        return self.kind(node) in ("date", "datetime")

    def _arithmetic(self, node: n.Binary) -> Sql:
        op = node.op
        lk, rk = self.kind(node.left), self.kind(node.right)
        dated = "date" in (lk, rk) or "datetime" in (lk, rk)
        # arithmetic keeps every digit, except a number of days added to a date
        compile_ = self.compile if dated or op not in ARITHMETIC else self.raw
        left, right = compile_(node.left), compile_(node.right)
        if op in ("+", "-") and (lk in ("date", "datetime") or rk in ("date", "datetime")):
            if lk in ("date", "datetime"):
                left = self.date_arg(node.left)
            if rk in ("date", "datetime"):
                right = self.date_arg(node.right)
            return self._date_arithmetic(op, left, right, lk, rk)
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return self.dividend(left) / sa.func.nullif(right, 0)
        return self._power(left, right)

    def _date_arithmetic(self, op: str, left: Sql, right: Sql, lk: str, rk: str) -> Sql:
        if lk in ("date", "datetime") and rk in ("date", "datetime"):
            if self.pg:
                if "datetime" in (lk, rk):
                    seconds = sa.func.extract(
                        "epoch", sa.cast(left, sa.DateTime()) - sa.cast(right, sa.DateTime())
                    )
                    return self.dividend(seconds) / 86400
                return sa.cast(left - right, sa.Numeric())
            suffix = "dt" if "datetime" in (lk, rk) else "d"
            return self.fn(f"days_{suffix}", right, left, type_=SQLITE_NUMBER)
        if rk in ("date", "datetime"):
            left, right, lk = right, left, rk
        if op == "-":
            right = -right
        if self.pg:
            days = sa.func.make_interval(0, 0, 0, self.clamp_int(right, -3_000_000, 3_000_000))
            shifted = left + days
            return sa.cast(shifted, sa.Date()) if lk == "date" else shifted
        return self.fn("shift_dt" if lk == "datetime" else "shift_d", left, right)

    def _power(self, base: Sql, exponent: Sql) -> Sql:
        """``runtime.power``: blank where Python refuses the result or finds it undefined.

        On PostgreSQL the base and exponent are named once, in a one-row VALUES, so that
        nested powers do not repeat each other in the SQL.
        """
        if not self.pg:
            return self.fn("power", base, exponent, type_=SQLITE_NUMBER)
        self.powers += 1
        args = sa.values(
            sa.column("b", sa.Numeric()), sa.column("e", sa.Numeric()), name=f"pow{self.powers}"
        ).data([(sa.cast(base, sa.Numeric()), sa.cast(exponent, sa.Numeric()))])
        b, e = args.c.b, args.c.e
        one = sa.literal(Decimal(1), sa.Numeric())
        defined = sa.and_(
            self.negate(sa.and_(b == 0, e <= 0)),
            self.negate(sa.and_(b < 0, e != sa.func.trunc(e))),
        )
        # the size of the result, as a natural logarithm (0 for a zero base)
        size = e * sa.func.ln(sa.case((b == 0, one), else_=sa.func.abs(b)))
        # beyond ±100 (e^100 > 10^43) the result is over the limit or below 10^-40: only
        # then is numeric's power safe from overflowing and quick for any exponent
        computable = sa.and_(defined, sa.func.abs(size) < 100)
        safe_b = sa.case((computable, b + sa.literal(PG_POWER_SCALE, sa.Numeric())), else_=one)
        safe_e = sa.case((computable, e), else_=one)
        result = sa.func.power(safe_b, safe_e)
        limit = sa.literal(rt.MAX_MAGNITUDE, sa.Numeric())
        small = sa.literal(rt.MIN_POWER, sa.Numeric())
        checked = sa.case(
            (self.negate(defined), sa.null()),
            (size <= -100, sa.literal(Decimal(0), sa.Numeric())),
            (sa.func.abs(result) >= limit, sa.null()),
            (sa.func.abs(result) < small, sa.literal(Decimal(0), sa.Numeric())),
            (computable, result),
        )
        return sa.select(checked).select_from(args).scalar_subquery()

    def _ordered(self, expr: Sql, node: n.Node) -> Sql:
        if self.pg and self.kind(node) == "text":
            return expr.collate("C")
        return expr

    def _compare(self, node: n.Binary, condition: bool) -> Sql:
        left, right = self.compile(node.left), self.compile(node.right)
        lk, rk = self.kind(node.left), self.kind(node.right)
        if {lk, rk} == {"date", "datetime"} and not self.pg:
            left = self.fn("dt", left) if lk == "date" else left
            right = self.fn("dt", right) if rk == "date" else right
        op = node.op
        if op in ("=", "<>"):
            literal_side = isinstance(node.left, (n.Number, n.String, n.Bool)) or isinstance(
                node.right, (n.Number, n.String, n.Bool)
            )
            if isinstance(node.left, n.Null) or isinstance(node.right, n.Null):
                other = right if isinstance(node.left, n.Null) else left
                return other.is_(None) if op == "=" else other.is_not(None)
            if literal_side:
                equal = left == right
                if op == "=":
                    return equal if condition else self.boolean(equal)
                return self.negate(self.boolean(equal))
            if op == "=":
                return left.is_not_distinct_from(right)
            return left.is_distinct_from(right)
        if isinstance(node.left, n.Null) or isinstance(node.right, n.Null):
            return sa.false()
        left, right = self._ordered(left, node.left), self._ordered(right, node.right)
        compared = {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]
        return compared if condition else self.boolean(compared)

    def _in(self, node: n.In, condition: bool) -> Sql:
        operand = self.compile(node.operand)
        found: Sql
        literals = all(isinstance(i, (n.Number, n.String, n.Bool)) for i in node.items)
        if literals:
            found = operand.in_([self.compile(i) for i in node.items])
            found = found if condition and not node.negated else self.boolean(found)
        else:
            found = sa.or_(*(operand.is_not_distinct_from(self.compile(i)) for i in node.items))
        return self.negate(found) if node.negated else found

    # -- calls ---------------------------------------------------------------------------

    def _call(self, node: n.Call, condition: bool) -> Sql:
        method = getattr(self, f"_fn_{node.name.lower()}", None)
        if method is None:
            raise ExprError(
                "not_sql",
                text(
                    "{name} cannot run in the database.",
                    "函数 {name} 无法在数据库中计算。",
                    name=node.name,
                ),
                pos=node.pos,
            )
        result: Sql = method(node, condition)
        return result

    def _args(self, node: n.Call) -> list[Sql]:
        return [self.compile(a) for a in node.args]

    def _fn_if(self, node: n.Call, condition: bool) -> Sql:
        cond = self.compile(node.args[0], True)
        then = self.compile(node.args[1], condition)
        other = self.compile(node.args[2], condition) if len(node.args) > 2 else sa.null()
        return sa.case((self.boolean(cond), then), else_=other)

    def _fn_ifs(self, node: n.Call, condition: bool) -> Sql:
        whens = [
            (self.boolean(self.compile(node.args[i], True)), self.compile(node.args[i + 1]))
            for i in range(0, len(node.args), 2)
        ]
        return sa.case(*whens, else_=sa.null())

    def _fn_switch(self, node: n.Call, condition: bool) -> Sql:
        subject = self.compile(node.args[0])
        rest = node.args[1:]
        whens = [
            (subject.is_not_distinct_from(self.compile(rest[i])), self.compile(rest[i + 1]))
            for i in range(0, len(rest) - 1, 2)
        ]
        default = self.compile(rest[-1]) if len(rest) % 2 else sa.null()
        return sa.case(*whens, else_=default)

    def _fn_and(self, node: n.Call, condition: bool) -> Sql:
        return sa.and_(*(self.boolean(self.compile(a, True)) for a in node.args))

    def _fn_or(self, node: n.Call, condition: bool) -> Sql:
        return sa.or_(*(self.boolean(self.compile(a, True)) for a in node.args))

    def _fn_not(self, node: n.Call, condition: bool) -> Sql:
        return self.negate(self.boolean(self.compile(node.args[0], True)))

    def _fn_isblank(self, node: n.Call, condition: bool) -> Sql:
        value = self.compile(node.args[0])
        if self.kind(node.args[0]) == "text":
            return sa.func.coalesce(value, "") == ""
        return value.is_(None)

    def _fn_coalesce(self, node: n.Call, condition: bool) -> Sql:
        return sa.func.coalesce(*self._args(node))

    def _fn_iferror(self, node: n.Call, condition: bool) -> Sql:
        if mixed_iferror(self.t(node), [self.t(a) for a in node.args]):
            return sa.func.coalesce(*(self.text_or_blank(a) for a in node.args))
        return self._fn_coalesce(node, condition)

    def _fn_today(self, node: n.Call, condition: bool) -> Sql:
        if self.pg:
            return sa.literal(self.ctx.today, sa.Date())
        return sa.literal(self.ctx.today.isoformat(), sa.String())

    def _fn_now(self, node: n.Call, condition: bool) -> Sql:
        if self.pg:
            return sa.literal(self.ctx.now, sa.DateTime())
        return sa.literal(self.ctx.now.strftime("%Y-%m-%d %H:%M:%S"), sa.String())

    def _fn_current_user(self, node: n.Call, condition: bool) -> Sql:
        return sa.literal(self.ctx.user_id, sa.Integer())

    def _fn_current_dept(self, node: n.Call, condition: bool) -> Sql:
        return sa.literal(self.ctx.department_id, sa.Integer())

    # numbers

    def _fn_abs(self, node: n.Call, condition: bool) -> Sql:
        return sa.func.abs(self.compile(node.args[0]))

    def _numeric_fn(self, name: str, node: n.Call) -> Sql:
        return self.fn(name, *self._args(node), type_=SQLITE_NUMBER)

    def _digits(self, node: n.Call) -> Sql:
        """ROUND's digits: 0 when left out or blank, within ±MAX_PLACES."""
        if len(node.args) > 1:
            digits = sa.func.coalesce(self.compile(node.args[1]), 0)
            return self.clamp_int(digits, -rt.MAX_PLACES, rt.MAX_PLACES)
        return sa.literal(0, sa.Integer())

    def _fn_round(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._numeric_fn("round", node)
        value = sa.cast(self.compile(node.args[0]), sa.Numeric())
        return sa.func.round(value, self._digits(node))

    def _fn_rounddown(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._numeric_fn("rounddown", node)
        value = sa.cast(self.compile(node.args[0]), sa.Numeric())
        return sa.func.trunc(value, self._digits(node))

    def _fn_roundup(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._numeric_fn("roundup", node)
        value = sa.cast(self.compile(node.args[0]), sa.Numeric())
        scale = sa.func.power(sa.literal(Decimal(10), sa.Numeric()), self._digits(node))
        return sa.func.sign(value) * sa.func.ceil(sa.func.abs(value) * scale) / scale

    def _fn_int(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._numeric_fn("int", node)
        return sa.func.floor(sa.cast(self.compile(node.args[0]), sa.Numeric()))

    def _fn_mod(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._numeric_fn("mod", node)
        a, b = (sa.cast(x, sa.Numeric()) for x in self._args(node))
        safe_b = sa.func.nullif(b, 0)
        return a - safe_b * sa.func.floor(self.dividend(a) / safe_b)

    def _fn_power(self, node: n.Call, condition: bool) -> Sql:
        base, exponent = self._args(node)
        return self._power(base, exponent)

    def _fn_sqrt(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._numeric_fn("sqrt", node)
        value = sa.cast(self.compile(node.args[0]), sa.Numeric())
        root = sa.func.sqrt(self.dividend(sa.func.greatest(value, 0)))
        return sa.case((value >= 0, root))

    # text

    def _fn_concat(self, node: n.Call, condition: bool) -> Sql:
        parts = [self.text_of(a) for a in node.args]
        result = parts[0]
        for part in parts[1:]:
            result = result.concat(part)
        return result

    def _text_arg(self, node: n.Node) -> Sql:
        return sa.func.coalesce(self.compile(node), "")

    def _fn_len(self, node: n.Call, condition: bool) -> Sql:
        return sa.func.length(self._text_arg(node.args[0]))

    def _fn_upper(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("upper", self.compile(node.args[0]), type_=sa.String())
        return sa.func.translate(self._text_arg(node.args[0]), LOWER_ASCII, UPPER_ASCII)

    def _fn_lower(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("lower", self.compile(node.args[0]), type_=sa.String())
        return sa.func.translate(self._text_arg(node.args[0]), UPPER_ASCII, LOWER_ASCII)

    def _fn_trim(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("trim", self.compile(node.args[0]), type_=sa.String())
        trimmed = sa.func.btrim(self._text_arg(node.args[0]), " ")
        return sa.func.regexp_replace(trimmed, " {2,}", " ", "g")

    def _count_arg(self, node: n.Call) -> Sql:
        """LEFT's and RIGHT's count: 1 when left out, 0 when blank."""
        if len(node.args) > 1:
            return sa.func.coalesce(self.compile(node.args[1]), 0)
        return sa.literal(1, sa.Integer())

    def _fn_left(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("left", *self._args(node), type_=sa.String())
        count = self._count_arg(node)
        return sa.case(
            (count < 0, sa.null()),
            else_=sa.func.left(self._text_arg(node.args[0]), self.clamp_int(count, 0)),
        )

    def _fn_right(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("right", *self._args(node), type_=sa.String())
        count = self._count_arg(node)
        return sa.case(
            (count < 0, sa.null()),
            else_=sa.func.right(self._text_arg(node.args[0]), self.clamp_int(count, 0)),
        )

    def _fn_mid(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("mid", *self._args(node), type_=sa.String())
        source = self._text_arg(node.args[0])
        start, count = self._start_count(node)
        return sa.case(
            (sa.or_(start < 1, count < 0), sa.null()),
            else_=sa.func.substr(source, self.clamp_int(start, 1), self.clamp_int(count, 0)),
        )

    def _start_count(self, node: n.Call) -> tuple[Sql, Sql]:
        """MID's and REPLACE's start and count; blank counts as 0 (a start of 0 is blank)."""
        start, count = (sa.func.coalesce(self.compile(a), 0) for a in node.args[1:3])
        return start, count

    def _fn_substitute(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("substitute", *self._args(node), type_=sa.String())
        source, old, new = (self._text_arg(a) for a in node.args)
        return sa.func.replace(source, old, new)

    def _fn_replace(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("replace", *self._args(node), type_=sa.String())
        source = self._text_arg(node.args[0])
        start, count = self._start_count(node)
        new = self._text_arg(node.args[3])
        begin = self.clamp_int(start, 1)
        head = sa.func.substr(source, 1, begin - 1)
        tail = sa.func.substr(source, begin + self.clamp_int(count, 0))
        return sa.case(
            (sa.or_(start < 1, count < 0), sa.null()),
            else_=head.concat(new).concat(tail),
        )

    def _fn_find(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("find", *self._args(node), type_=sa.Numeric())
        needle = self._text_arg(node.args[0])
        haystack = self._text_arg(node.args[1])
        given = self.compile(node.args[2]) if len(node.args) > 2 else sa.literal(1)
        start = sa.func.coalesce(given, 0)  # a blank start counts as 0: blank
        begin = self.clamp_int(start, 1)
        position = sa.func.strpos(sa.func.substr(haystack, begin), needle)
        return sa.case(
            (start < 1, sa.null()),
            (begin > sa.func.length(haystack) + 1, sa.null()),
            (position == 0, sa.null()),
            else_=sa.cast(position + begin - 1, sa.Numeric()),
        )

    def _fn_contains(self, node: n.Call, condition: bool) -> Sql:
        source, part = self._text_arg(node.args[0]), self._text_arg(node.args[1])
        if self.pg:
            return sa.func.strpos(source, part) > 0
        return sa.func.instr(source, part) > 0

    def _fn_startswith(self, node: n.Call, condition: bool) -> Sql:
        source, prefix = self._text_arg(node.args[0]), self._text_arg(node.args[1])
        return sa.func.substr(source, 1, sa.func.length(prefix)) == prefix

    def _fn_value(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self.fn("value", self.compile(node.args[0]), type_=SQLITE_NUMBER)
        source = self.compile(node.args[0])
        body = sa.func.btrim(source, " \t\r\n")
        pct = sa.func.right(body, 1) == "%"
        core = sa.func.replace(sa.case((pct, sa.func.left(body, -1)), else_=body), ",", "")
        exponent = sa.cast(sa.func.substring(core, "[eE]([-+]?[0-9]+)$"), sa.Numeric())
        valid = sa.and_(
            sa.func.length(source) <= rt.VALUE_MAX_LENGTH,
            source.regexp_match(rt.VALUE_PATTERN),
            sa.func.abs(sa.func.coalesce(exponent, 0)) <= rt.VALUE_MAX_EXPONENT,
        )
        number = sa.cast(core, sa.Numeric()) / sa.case((pct, 100), else_=1)
        value = sa.case((valid, number))
        return sa.case((sa.func.abs(value) < rt.MAX_MAGNITUDE, value))

    def _fn_text(self, node: n.Call, condition: bool) -> Sql:
        value, fmt = node.args
        kind = self.kind(value)
        if not isinstance(fmt, n.String):  # pragma: no cover - the checker refuses it
            raise ExprError("not_sql", text("TEXT needs a literal format.", "TEXT 需要固定格式。"))
        if not self.pg:
            args = (self.compile(value), sa.literal(kind), sa.literal(fmt.value))
            return self.fn("format", *args, type_=sa.String())
        if kind == "number":
            return self._pg_number_format(self.compile(value), fmt.value, value)
        if kind in ("date", "datetime"):
            return self._pg_date_format(self.date_arg(value), fmt.value)
        return self.text_of(value)

    def _pg_number_format(self, expr: Sql, pattern: str, node: n.Node) -> Sql:
        fmt = formats.number_format(pattern)
        if fmt is None:
            return self.text_of(node)
        x = self.significant(sa.cast(expr, sa.Numeric()))
        if fmt.percent:
            x = x * 100
        rounded = sa.func.round(x, fmt.decimals)
        digits = sa.cast(sa.func.abs(rounded), sa.String())
        whole = sa.func.ltrim(sa.func.split_part(digits, ".", 1), "0")
        whole = sa.func.lpad(whole, sa.func.greatest(sa.func.length(whole), fmt.min_digits), "0")
        if fmt.grouped:
            grouped = sa.func.regexp_replace(
                sa.func.reverse(whole), "([0-9]{3})(?=[0-9])", "\\1,", "g"
            )
            whole = sa.func.reverse(grouped)
        shown = sa.case((rounded < 0, "-"), else_="").concat(fmt.prefix).concat(whole)
        if fmt.point:
            fraction: Sql = sa.func.split_part(digits, ".", 2)
            if fmt.required < fmt.decimals:
                optional = sa.func.rtrim(sa.func.substr(fraction, fmt.required + 1), "0")
                fraction = sa.func.left(fraction, fmt.required).concat(optional)
            shown = shown.concat(".").concat(fraction)
        return sa.func.coalesce(shown.concat(fmt.suffix), "")

    def _pg_date_format(self, expr: Sql, pattern: str) -> Sql:
        """TEXT of a date: one to_char for each run of codes and text (names in English)."""
        moment = sa.cast(expr, sa.DateTime())
        parts: list[Sql] = []
        run = ""
        for code, literal in formats.date_tokens(pattern):
            if code in PG_DATE_CODES or not code:
                run += PG_DATE_CODES[code] if code else _pg_quoted(literal)
                continue
            if run:
                parts.append(sa.func.to_char(moment, run))
                run = ""
            parts.append(self._pg_date_special(moment, code))
        if run:
            parts.append(sa.func.to_char(moment, run))
        if not parts:
            return sa.literal("")
        shown = parts[0]
        for part in parts[1:]:
            shown = shown.concat(part)
        return sa.func.coalesce(shown, "")

    def _pg_date_special(self, moment: Sql, code: str) -> Sql:
        """A date code to_char has no pattern for: an initial, a Chinese weekday."""
        if code in PG_INITIALS:
            return sa.func.left(sa.func.to_char(moment, PG_INITIALS[code]), 1)
        isodow = sa.cast(sa.func.extract("isodow", moment), sa.Integer())
        weekday = sa.func.substr("一二三四五六日", isodow, 1)
        return sa.literal("星期").concat(weekday) if code == "aaaa" else weekday

    # dates

    def _date_fn(self, name: str, node: n.Call, type_: Any = sa.Numeric()) -> Sql:
        return self.fn(name, *self._args(node), type_=type_)

    def _fn_date(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("date", node, sa.String())
        y, m, d = (sa.cast(a, sa.Numeric()) for a in self._args(node))
        return self._pg_date(y, m, d)

    def _pg_date(self, y: Sql, m: Sql, d: Sql) -> Sql:
        written, month, day = (sa.func.trunc(v) for v in (y, m, d))
        year = written + sa.case((written.between(0, 1899), 1900), else_=0)  # excel_year
        base = sa.func.make_date(self.clamp_int(year, 1, 9999), self.clamp_int(month, 1, 12), 1)
        candidate = base + self.clamp_int(day, 1, 31) - 1
        valid = sa.and_(
            year.between(1, 9999),
            month.between(1, 12),
            day.between(1, 31),
            sa.func.extract("month", candidate) == month,
        )
        return sa.case((valid, candidate))

    def _fn_datetime(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("datetime", node, sa.String())
        parts: list[Sql] = [sa.cast(a, sa.Numeric()) for a in self._args(node)]
        parts += [sa.literal(Decimal(0), sa.Numeric())] * (6 - len(parts))
        y, m, d, hh, mi, ss = parts
        day = self._pg_date(y, m, d)
        hour, minute, second = (sa.func.trunc(v) for v in (hh, mi, ss))
        valid = sa.and_(hour.between(0, 23), minute.between(0, 59), second.between(0, 59))
        clock = sa.func.make_interval(
            0,
            0,
            0,
            0,
            self.clamp_int(hour, 0, 23),
            self.clamp_int(minute, 0, 59),
            sa.cast(self.clamp_int(second, 0, 59), sa.Float()),
        )
        return sa.case((valid, sa.cast(day, sa.DateTime()) + clock))

    def date_arg(self, node: n.Node) -> Sql:
        """A date or datetime argument, typed (so a NULL literal has a type on PostgreSQL)."""
        value = self.compile(node)
        if not self.pg:
            return value
        return sa.cast(value, sa.DateTime() if self.kind(node) == "datetime" else sa.Date())

    def _extract(self, field: str, node: n.Call) -> Sql:
        return sa.cast(sa.func.extract(field, self.date_arg(node.args[0])), sa.Numeric())

    def _fn_year(self, node: n.Call, condition: bool) -> Sql:
        return self._extract("year", node) if self.pg else self._date_fn("year", node)

    def _fn_month(self, node: n.Call, condition: bool) -> Sql:
        return self._extract("month", node) if self.pg else self._date_fn("month", node)

    def _fn_day(self, node: n.Call, condition: bool) -> Sql:
        return self._extract("day", node) if self.pg else self._date_fn("day", node)

    def _kind_arg(self, node: n.Call) -> Sql:
        """WEEKDAY's and WEEKNUM's type: 1 when left out, 0 (no type) when blank."""
        if len(node.args) > 1:
            kind = sa.func.trunc(sa.cast(self.compile(node.args[1]), sa.Numeric()))
            return sa.func.coalesce(kind, 0)
        return sa.literal(1, sa.Integer())

    def _fn_weekday(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("weekday", node)
        iso = sa.cast(sa.func.extract("isodow", self.date_arg(node.args[0])), sa.Integer())
        kind = self._kind_arg(node)
        return sa.cast(
            sa.case((kind == 1, iso % 7 + 1), (kind == 2, iso), (kind == 3, iso - 1)),
            sa.Numeric(),
        )

    def _fn_weeknum(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("weeknum", node)
        day = sa.cast(self.compile(node.args[0]), sa.Date())
        kind = self._kind_arg(node)
        jan1 = sa.cast(sa.func.date_trunc("year", day), sa.Date())
        iso_jan1 = sa.cast(sa.func.extract("isodow", jan1), sa.Integer())
        elapsed = day - jan1

        def weeks(offset: Sql) -> Sql:
            return sa.cast(sa.func.floor((elapsed + offset) / 7.0) + 1, sa.Numeric())

        return sa.case(
            (kind == 21, sa.cast(sa.func.extract("week", day), sa.Numeric())),
            (kind == 1, weeks(iso_jan1 % 7)),
            (kind == 2, weeks(iso_jan1 - 1)),
        )

    def _fn_days(self, node: n.Call, condition: bool) -> Sql:
        end, start = self._args(node)
        if not self.pg:
            return self.fn("days_d", start, end, type_=sa.Numeric())
        return sa.cast(sa.cast(end, sa.Date()) - sa.cast(start, sa.Date()), sa.Numeric())

    def _fn_dateadd(self, node: n.Call, condition: bool) -> Sql:
        base = self.date_arg(node.args[0])
        count = self.compile(node.args[1])
        if self.pg:
            count = sa.func.coalesce(count, 0)  # a blank count is 0 (SQLite: runtime)
        unit = self.compile(node.args[2]) if len(node.args) > 2 else sa.literal("d")
        is_dt = self.kind(node.args[0]) == "datetime"
        if not self.pg:
            return self.fn(
                "dateadd_dt" if is_dt else "dateadd_d", base, count, unit, type_=sa.String()
            )
        amount = self.clamp_int(count, -120_000, 120_000)
        lowered = sa.func.lower(unit)
        interval = sa.case(
            (lowered == "d", sa.func.make_interval(0, 0, 0, amount)),
            (lowered == "w", sa.func.make_interval(0, 0, amount)),
            (lowered == "m", sa.func.make_interval(0, amount)),
            (lowered == "y", sa.func.make_interval(amount)),
        )
        shifted = base + interval
        result = shifted if is_dt else sa.cast(shifted, sa.Date())
        in_range = sa.func.extract("year", shifted).between(1, 9999)
        return sa.case((sa.and_(in_range, sa.func.abs(count) <= 120_000), result))

    def _fn_eomonth(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("eomonth", node, sa.String())
        base, given = self._args(node)
        months = sa.func.coalesce(given, 0)
        shifted = sa.cast(base, sa.Date()) + sa.func.make_interval(
            0, self.clamp_int(months, -120_000, 120_000)
        )
        month_start = sa.func.date_trunc("month", shifted)
        last = sa.cast(month_start + sa.text("interval '1 month - 1 day'"), sa.Date())
        return sa.case(
            (
                sa.and_(
                    sa.func.abs(months) <= 120_000,
                    sa.func.extract("year", shifted).between(1, 9999),
                ),
                last,
            )
        )

    def _fn_datedif(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("datedif", node)
        start, end, unit = self._args(node)
        s, e = sa.cast(start, sa.Date()), sa.cast(end, sa.Date())

        def part(field: str, value: Sql) -> Sql:
            return sa.cast(sa.func.extract(field, value), sa.Integer())

        sy, sm, sd = part("year", s), part("month", s), part("day", s)
        ey, em, ed = part("year", e), part("month", e), part("day", e)
        months = (ey - sy) * 12 + (em - sm) - sa.case((ed < sd, 1), else_=0)

        def rolled(first_of_month: Sql, day: Sql) -> Sql:  # runtime.rolled_date
            return first_of_month + (day - 1)

        # runtime._datedif_md and _datedif_yd
        month_start = sa.func.date_trunc("month", e)
        month_before = sa.cast(month_start - sa.text("interval '1 month'"), sa.Date())
        md = sa.case((ed >= sd, ed - sd), else_=e - rolled(month_before, sd))
        on_or_after = sa.or_(em > sm, sa.and_(em == sm, ed >= sd))
        next_year = sa.func.make_date(sa.func.least(sy + 1, 9999), em, 1)
        yd = sa.case(
            (on_or_after, e - rolled(sa.func.make_date(ey, sm, 1), sd)),
            else_=rolled(next_year, ed) - s,
        )
        lowered = sa.func.lower(unit)
        value = sa.case(
            (lowered == "d", e - s),
            (lowered == "m", months),
            (lowered == "y", sa.func.floor(months / 12)),
            (lowered == "ym", months % 12),
            (lowered == "md", md),
            (lowered == "yd", yd),
        )
        return sa.case((s <= e, sa.cast(value, sa.Numeric())))

    def _fn_networkdays(self, node: n.Call, condition: bool) -> Sql:
        if not self.pg:
            return self._date_fn("networkdays", node)
        start, end = (sa.cast(a, sa.Date()) for a in self._args(node))
        low, high = sa.func.least(start, end), sa.func.greatest(start, end)
        offset = sa.cast(sa.func.extract("isodow", low), sa.Integer()) - 1
        span = high - low + 1

        def weekdays_before(x: Sql) -> Sql:
            return 5 * sa.func.floor(x / 7) + sa.func.least(x % 7, 5)

        count = weekdays_before(offset + span) - weekdays_before(offset)
        sign = sa.case((end < start, -1), else_=1)
        return sa.case(
            (sa.or_(start.is_(None), end.is_(None)), sa.null()),
            else_=sa.cast(sign * count, sa.Numeric()),
        )

    # aggregates

    def _aggregate_parts(self, node: n.Call) -> tuple[list[n.Node], list[n.Node]]:
        lists = [a for a in node.args if self.t(a).is_list]
        scalars = [a for a in node.args if not self.t(a).is_list]
        return lists, scalars

    def _subquery(self, source: str, build: Any) -> Sql:
        """Compiles ``build(items)`` with collection ``source`` in scope as a subquery."""
        # an aggregate inside another one's condition ("COUNTIF(lines, lines.x > COUNT(lines))")
        # reads all of the record's items again, as in Python: a fresh alias, restored after
        outer = self.items.get(source)
        scope, condition = self.scope.items(source)
        self.items[source] = _Items(scope, condition)
        try:
            column, extra = build(scope)
            query = sa.select(column).select_from(scope.table).where(condition, *extra)
            return query.correlate_except(scope.table).scalar_subquery()
        finally:
            if outer is None:
                del self.items[source]
            else:
                self.items[source] = outer

    def _list_value(self, arg: n.Node, scope: TableScope, exact: bool = False) -> Sql | None:
        """The per-item value of a list argument; None for the records themselves.

        ``exact`` for SUM and AVERAGE, which add every digit (like arithmetic).
        """
        if isinstance(arg, n.Name):
            return None
        return self.raw(arg) if exact else self.compile(arg)

    def _list_aggregate(self, name: str, arg: n.Node) -> Sql:
        source = self.t(arg).source or ""

        def build(scope: TableScope) -> tuple[Sql, list[Sql]]:
            value = self._list_value(arg, scope, exact=name in ("sum", "count"))
            if name == "count":
                return (sa.func.count() if value is None else sa.func.count(value)), []
            assert value is not None
            if name in ("min", "max"):
                return getattr(sa.func, name)(self._ordered(value, arg)), []
            return getattr(sa.func, name)(value), []

        return self._subquery(source, build)

    def _scalar_aggregate(self, name: str, values: list[Sql]) -> Sql:
        if name == "sum":
            total: Sql = sa.literal(0, sa.Integer())
            for v in values:
                total = total + sa.func.coalesce(v, 0)
            return total
        if name == "count":
            count: Sql = sa.literal(0, sa.Integer())
            for v in values:
                count = count + sa.case((v.is_(None), 0), else_=1)
            return count
        if name in ("min", "max"):
            if self.pg:
                return sa.func.least(*values) if name == "min" else sa.func.greatest(*values)
            return self.fn(name, *values)
        raise AssertionError(name)  # pragma: no cover

    def _aggregate(self, name: str, node: n.Call) -> Sql:
        lists, scalars = self._aggregate_parts(node)
        if name == "avg":
            total = self._aggregate("sum", node)
            count = self._aggregate("count", node)
            return self.dividend(total) / sa.func.nullif(count, 0)
        parts: list[Sql] = [self._list_aggregate(name, a) for a in lists]
        exact = name in ("sum", "count")
        parts += [self.raw(a) if exact else self.compile(a) for a in scalars]
        if len(parts) == 1 and not lists:
            only = parts[0]
            if name == "sum":
                return sa.func.coalesce(only, 0)
            if name == "count":
                return sa.case((only.is_(None), 0), else_=1)
            return only
        if len(parts) == 1 and name in ("sum", "count"):
            return sa.func.coalesce(parts[0], 0)
        if len(parts) == 1:
            return parts[0]
        return self._scalar_aggregate(name, parts)

    def _fn_sum(self, node: n.Call, condition: bool) -> Sql:
        return self._aggregate("sum", node)

    def _fn_count(self, node: n.Call, condition: bool) -> Sql:
        return self._aggregate("count", node)

    def _fn_min(self, node: n.Call, condition: bool) -> Sql:
        return self._aggregate("min", node)

    def _fn_max(self, node: n.Call, condition: bool) -> Sql:
        return self._aggregate("max", node)

    def _fn_average(self, node: n.Call, condition: bool) -> Sql:
        return self._aggregate("avg", node)

    def _conditional(self, node: n.Call, sum_values: bool) -> Sql:
        values, cond = node.args
        source = self.t(values).source or ""

        def build(scope: TableScope) -> tuple[Sql, list[Sql]]:
            value = self._list_value(values, scope, exact=True)
            test = self.compile(cond, True)
            if sum_values:
                assert value is not None
                return sa.func.sum(value), [test]
            return (sa.func.count() if value is None else sa.func.count(value)), [test]

        return sa.func.coalesce(self._subquery(source, build), 0)

    def _fn_sumif(self, node: n.Call, condition: bool) -> Sql:
        return self._conditional(node, True)

    def _fn_countif(self, node: n.Call, condition: bool) -> Sql:
        return self._conditional(node, False)


def _pg_quoted(literal: str) -> str:
    """Text inside a to_char pattern, in double quotes."""
    return '"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_sql(
    checked: Checked,
    *,
    dialect: str,
    scope: TableScope | None = None,
    ctx: EvalContext | None = None,
    condition: bool = False,
) -> Sql:
    """Compiles a checked expression to SQL for ``dialect`` (``sqlite`` or ``postgresql``).

    ``condition=True`` compiles for a WHERE clause, where NULL and FALSE both filter a row
    out, so comparisons stay plain and indexable.
    """
    if not checked.sql_capable:
        raise ExprError(
            "not_sql",
            text(
                "{names} cannot run in the database.",
                "{names} 无法在数据库中计算。",
                names=", ".join(checked.sql_unsupported),
            ),
            source=checked.source,
        )
    compiler = _SqlCompiler(
        checked, scope or TableScope(checked.schema), dialect, ctx or EvalContext()
    )
    result = compiler.compile(checked.ast, condition)
    if checked.type.kind == "bool" and not condition:
        return compiler.boolean(result)
    return result


def sql_literal_value(value: Any) -> Any:
    """A Python runtime value as a bind value for SQLite (dates as ISO text)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value
