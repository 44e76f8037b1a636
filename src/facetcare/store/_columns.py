"""Column types that mean the same thing on SQLite and PostgreSQL.

Times are instants: stored in UTC and read back as UTC datetimes. On
PostgreSQL that is ``timestamp with time zone``; SQLite has no time type, so
there they are integer microseconds since 1970-01-01 UTC, which sort (and
index) in time order, unlike text with mixed offsets. A naive datetime never
reaches the database: facetcare refuses it before, and this type again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

__all__ = ["Document", "Instant"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def to_micros(moment: dt.datetime) -> int:
    """Microseconds since the epoch, for SQLite (and for bulk inserts that skip the type)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} cannot be stored")
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> dt.datetime:
    return _EPOCH + value * _MICROSECOND


class Instant(sa.types.TypeDecorator[dt.datetime]):
    """An aware datetime, stored as UTC (see the module docstring)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_micros(value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return from_micros(value)
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"expected a stored instant, got {value!r}")
        return value.astimezone(dt.UTC)


#: A JSON value: ``json`` on PostgreSQL (kept as written, not reordered), text on SQLite.
Document = sa.JSON(none_as_null=True)
