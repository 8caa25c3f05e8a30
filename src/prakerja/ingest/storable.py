"""What a column of the system of record can hold, read from the SQLAlchemy models.

A value that parses but cannot be stored (text longer than its column, a
number beyond the column's integer type) would otherwise fail the whole
file on PostgreSQL or vanish on SQLite. The limits come from the tables
themselves, so they stay in one place: the models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table

_INTEGER_BOUNDS: tuple[tuple[type, int], ...] = (
    (SmallInteger, 2**15 - 1),
    (BigInteger, 2**63 - 1),
    (Integer, 2**31 - 1),
)


@dataclass(frozen=True)
class Limit:
    """The widest value a column stores: characters for text, a bound for integers."""

    max_chars: int | None = None
    max_integer: int | None = None


def _limit_of(column_type: object) -> Limit | None:
    if isinstance(column_type, String) and column_type.length is not None:
        return Limit(max_chars=column_type.length)
    for kind, bound in _INTEGER_BOUNDS:
        if isinstance(column_type, kind):
            return Limit(max_integer=bound)
    return None


def column_limits(tables: Iterable[Table]) -> dict[str, Limit]:
    """Return each column name's limit; the first table naming a column decides."""
    limits: dict[str, Limit] = {}
    for table in tables:
        for column in table.columns:
            limit = _limit_of(column.type)
            if limit is not None:
                limits.setdefault(column.name, limit)
    return limits


@dataclass(frozen=True)
class Unstorable:
    """The rows whose value a column cannot hold, and why."""

    bad: pa.BooleanArray
    reason: str | pa.Array


def unstorable(
    name: str, text: pa.Array, parsed: pa.Array, limits: Mapping[str, Limit]
) -> Unstorable | None:
    """Mark the values of column `name` that cannot be stored (None: all can).

    A NUL character is refused in any text (PostgreSQL cannot hold it); then
    the column's own limit applies.
    """
    faults: list[Unstorable] = []
    if pa.types.is_string(text.type):
        nul = pc.fill_null(pc.match_substring(text, "\x00"), False)
        if pc.any(nul).as_py():
            faults.append(Unstorable(nul, "contains a NUL character, which cannot be stored"))
    limit = limits.get(name)
    if limit is not None and limit.max_chars is not None and pa.types.is_string(text.type):
        too_long = pc.fill_null(pc.greater(pc.utf8_length(text), limit.max_chars), False)
        reason = f"longer than {limit.max_chars} characters (the most that can be stored)"
        faults.append(Unstorable(too_long, reason))
    if limit is not None and limit.max_integer is not None and pa.types.is_integer(parsed.type):
        bound = limit.max_integer
        outside = pc.or_(pc.greater(parsed, bound), pc.less(parsed, -bound - 1))
        faults.append(
            Unstorable(pc.fill_null(outside, False), f"too large to store (at most {bound})")
        )
    return _first(faults)


def _first(faults: list[Unstorable]) -> Unstorable | None:
    """Combine faults: a row's reason is the first that applies to it."""
    if not faults:
        return None
    combined = faults[-1]
    for fault in reversed(faults[:-1]):
        combined = Unstorable(
            pc.or_(fault.bad, combined.bad), pc.if_else(fault.bad, fault.reason, combined.reason)
        )
    return combined
