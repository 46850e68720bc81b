"""Column types of form tables: how each field type is stored on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from jimu.engines.expr.types import Type

SQLITE_DATETIME = sqlite.DATETIME(  # type: ignore[no-untyped-call]
    storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
    regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
)


class DecimalColumn(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC(38, d) on PostgreSQL; a float on SQLite, read back exactly.

    SQLite has no decimal type; values with at most 15 significant digits survive the
    round trip through a float, which covers amounts up to a trillion with cents.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, decimals: int | None = None) -> None:
        super().__init__()
        self.decimals = decimals

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Numeric(asdecimal=False))
        if self.decimals is None:
            return dialect.type_descriptor(sa.Numeric())
        return dialect.type_descriptor(sa.Numeric(38, self.decimals))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return float(value)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if self.decimals is not None:
            return number.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)
        # no fixed scale: the same digits on every database (20.00, 20.0 → 20)
        normal = number.normalize()
        return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


class LocalDateTime(TypeDecorator[datetime]):
    """A wall-clock date and time without zone, to the second (form datetime fields)."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(SQLITE_DATETIME)
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=None, microsecond=0)


def for_expression_type(kind: Type, decimals: int | None = None) -> Any:
    """The column type that stores a formula result of ``kind``."""
    if kind.kind == "number":
        return DecimalColumn(decimals)
    simple: dict[str, Any] = {
        "text": sa.Text,
        "bool": sa.Boolean,
        "date": sa.Date,
        "datetime": LocalDateTime,
        "user": sa.Integer,
        "department": sa.Integer,
    }
    return simple.get(kind.kind, sa.Text)()
