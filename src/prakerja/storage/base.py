"""Declarative base with a constraint naming convention, and the column types we share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, MetaData, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Money: a whole number of rupiah, wide enough for a whole program's totals.
Rupiah = BigInteger


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An instant stored in UTC; aware datetimes in, aware UTC datetimes out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Refuse naive datetimes and store every instant as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant (with offset) is required")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Return stored instants as aware UTC datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Base of every table; constraints get predictable names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """Return a mapped class's Table (for Core statements and bulk loads)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
