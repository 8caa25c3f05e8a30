"""Check every column of a raw file at once and split its rows into valid and rejected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from prakerja.ingest.checks import Field, Parsed, apply_field
from prakerja.ingest.reader import RawFile
from prakerja.ingest.storable import Limit, unstorable

ROW = "_row"
LINE = "_line"
REJECT_SCHEMA = pa.schema([(ROW, pa.int64()), ("column", pa.string()), ("reason", pa.string())])
#: The columns that name who sent a row: checked against the acting partner, when there is one.
PARTNER_COLUMNS = ("platform_code", "partner_code")


@dataclass(frozen=True)
class Validated:
    """Valid rows (parsed, with `_row` and `_line`), the rejects and warnings (by `_row`).

    `warnings` names, per row and lenient column, a value that could not be
    parsed and was kept as null (the row itself loads).
    """

    rows: pa.Table
    rejects: pa.Table
    warnings: pa.Table


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


def _column(raw: RawFile, name: str) -> pa.Array:
    if name in raw.table.column_names:
        return raw.table.column(name).combine_chunks()
    return pa.nulls(raw.num_rows, pa.string())


def _checked(spec: Field, column: pa.Array, limits: Mapping[str, Limit]) -> tuple[Parsed, Parsed]:
    """Return (the faults that reject the row, the faults only warned about) of one column.

    A value its column cannot store rejects the row even in a lenient field:
    keeping it as empty would lose it without a word.
    """
    parsed = apply_field(spec, column)
    if spec.lenient:
        warned, rejected = parsed, Parsed(parsed.values, _none(len(column)), "")
    else:
        warned, rejected = Parsed(parsed.values, _none(len(column)), ""), parsed
    fits = unstorable(spec.name, pc.utf8_trim_whitespace(column), parsed.values, limits)
    if fits is not None:
        reason = pc.if_else(rejected.bad, rejected.reason, fits.reason)
        rejected = Parsed(parsed.values, pc.or_(rejected.bad, fits.bad), reason)
        warned = Parsed(parsed.values, pc.and_(warned.bad, pc.invert(fits.bad)), warned.reason)
    return rejected, warned


def _none(count: int) -> pa.BooleanArray:
    return pa.array([False] * count, pa.bool_())


def _faults(rows: pa.Array, columns: pa.Array, reasons: pa.Array) -> pa.Table:
    at_fault = pc.is_valid(columns)
    return pa.table(
        {
            ROW: rows.filter(at_fault),
            "column": columns.filter(at_fault),
            "reason": reasons.filter(at_fault),
        },
        schema=REJECT_SCHEMA,
    )


def validate(
    raw: RawFile,
    fields: Sequence[Field],
    limits: Mapping[str, Limit] | None = None,
    *,
    acting_partner: str | None = None,
) -> Validated:
    """Parse every field; a row's reject names its first faulty column in contract order.

    `limits` (column name to what its table can store) turns values that
    parse but cannot be stored into rejects. With an `acting_partner` (a
    partner sending its own file), a row whose `platform_code` or
    `partner_code` names anyone else is at fault in that column.
    """
    count = raw.num_rows
    parsed_columns: dict[str, pa.Array] = {}
    first_column = pa.nulls(count, pa.string())
    first_reason = pa.nulls(count, pa.string())
    warnings: list[pa.Table] = []
    rows = pa.array(range(count), pa.int64())
    for spec in reversed(fields):
        rejected, warned = _checked(spec, _column(raw, spec.name), limits or {})
        if acting_partner is not None and spec.name in PARTNER_COLUMNS:
            rejected = _own_rows_only(rejected, acting_partner)
        parsed_columns[spec.name] = rejected.values
        if pc.any(warned.bad).as_py():
            names = pc.if_else(warned.bad, spec.name, pa.nulls(count, pa.string()))
            warnings.append(_faults(rows, names, pc.if_else(warned.bad, warned.reason, "")))
        first_column = pc.if_else(rejected.bad, spec.name, first_column)
        first_reason = pc.if_else(rejected.bad, rejected.reason, first_reason)
    rejected_rows = pc.is_valid(first_column)
    ordered = {spec.name: parsed_columns[spec.name] for spec in fields}
    ordered[ROW] = rows
    ordered[LINE] = pa.array(raw.lines, pa.int64())
    table = pa.table(ordered)
    all_warnings = pa.concat_tables([empty_rejects(), *reversed(warnings)])
    all_warnings = all_warnings.filter(
        pc.invert(pc.is_in(all_warnings[ROW], value_set=rows.filter(rejected_rows)))
    ).sort_by([(ROW, "ascending")])
    return Validated(
        rows=table.filter(pc.invert(rejected_rows)),
        rejects=_faults(rows, first_column, first_reason),
        warnings=all_warnings,
    )


def first_of_each_key(rows: pa.Table, key: Sequence[str]) -> tuple[pa.Table, int]:
    """Keep the first row (lowest `_row`) of each natural key; return it and the repeats."""
    if not key or rows.num_rows == 0:
        return rows, 0
    firsts = rows.group_by(list(key), use_threads=False).aggregate([(ROW, "min")])
    keep = pc.is_in(rows[ROW], value_set=firsts[f"{ROW}_min"])
    kept = rows.filter(keep)
    return kept, rows.num_rows - kept.num_rows
