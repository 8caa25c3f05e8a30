"""Check every column of a raw file at once and split its rows into valid and rejected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from prakerja.ingest.checks import Field, Parsed, apply_field
from prakerja.ingest.reader import RawFile

ROW = "_row"
LINE = "_line"
REJECT_SCHEMA = pa.schema([(ROW, pa.int64()), ("column", pa.string()), ("reason", pa.string())])
#: The columns that name who sent a row: checked against the acting partner, when there is one.
PARTNER_COLUMNS = ("platform_code", "partner_code")


@dataclass(frozen=True)
class Validated:
    """Valid rows (parsed, with `_row` and `_line`), the rejects (by `_row`), and warnings.

    `warnings` counts, per lenient column, the values that could not be parsed
    and were kept as null.
    """

    rows: pa.Table
    rejects: pa.Table
    warnings: dict[str, int]


def empty_rejects() -> pa.Table:
    """Return a reject table with no rows."""
    return REJECT_SCHEMA.empty_table()


def rejects_for(rows: pa.Table, mask: pa.Array, column: str, reason: str) -> pa.Table:
    """Build rejects naming `column` and `reason` for the rows where `mask` is true."""
    picked = rows.filter(mask)
    return pa.table(
        {
            ROW: picked[ROW],
            "column": pa.array([column] * picked.num_rows, pa.string()),
            "reason": pa.array([reason] * picked.num_rows, pa.string()),
        },
        schema=REJECT_SCHEMA,
    )


def _own_rows_only(parsed: Parsed, acting_partner: str) -> Parsed:
    """Mark a row at fault when its partner column names another partner than the sender."""
    other = pc.fill_null(pc.not_equal(parsed.values, acting_partner), False)
    reason = f"names another partner than the sender ({acting_partner})"
    return Parsed(
        values=parsed.values,
        bad=pc.or_(parsed.bad, other),
        reason=pc.if_else(other, reason, parsed.reason),
    )


def validate(
    raw: RawFile, fields: Sequence[Field], *, acting_partner: str | None = None
) -> Validated:
    """Parse every field; a row's reject names its first faulty column in contract order.

    With an `acting_partner` (a partner sending its own file), a row whose
    `platform_code` or `partner_code` names anyone else is at fault in that column.
    """
    count = raw.num_rows
    parsed_columns: dict[str, pa.Array] = {}
    first_column = pa.nulls(count, pa.string())
    first_reason = pa.nulls(count, pa.string())
    warnings: dict[str, int] = {}
    for spec in reversed(fields):
        if spec.name in raw.table.column_names:
            column = raw.table.column(spec.name).combine_chunks()
        else:
            column = pa.nulls(count, pa.string())
        parsed = apply_field(spec, column)
        if acting_partner is not None and spec.name in PARTNER_COLUMNS:
            parsed = _own_rows_only(parsed, acting_partner)
        parsed_columns[spec.name] = parsed.values
        if spec.lenient:
            faults = pc.sum(parsed.bad).as_py() or 0
            if faults:
                warnings[spec.name] = faults
            continue
        first_column = pc.if_else(parsed.bad, spec.name, first_column)
        first_reason = pc.if_else(parsed.bad, parsed.reason, first_reason)
    rejected = pc.is_valid(first_column)
    ordered = {spec.name: parsed_columns[spec.name] for spec in fields}
    ordered[ROW] = pa.array(range(count), pa.int64())
    ordered[LINE] = pa.array(raw.lines, pa.int64())
    table = pa.table(ordered)
    rejects = pa.table(
        {
            ROW: table[ROW].filter(rejected),
            "column": first_column.filter(rejected),
            "reason": first_reason.filter(rejected),
        },
        schema=REJECT_SCHEMA,
    )
    warnings = dict(reversed(warnings.items()))
    return Validated(rows=table.filter(pc.invert(rejected)), rejects=rejects, warnings=warnings)


def first_of_each_key(rows: pa.Table, key: Sequence[str]) -> tuple[pa.Table, int]:
    """Keep the first row (lowest `_row`) of each natural key; return it and the repeats."""
    if not key or rows.num_rows == 0:
        return rows, 0
    firsts = rows.group_by(list(key), use_threads=False).aggregate([(ROW, "min")])
    keep = pc.is_in(rows[ROW], value_set=firsts[f"{ROW}_min"])
    kept = rows.filter(keep)
    return kept, rows.num_rows - kept.num_rows
