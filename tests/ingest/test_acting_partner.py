"""A partner sending its own file: a row naming another partner is a reject of that column."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from prakerja.ingest import checks
from prakerja.ingest.checks import Field
from prakerja.ingest.reader import RawFile
from prakerja.ingest.validate import validate

FIELDS = (
    Field("platform_code", checks.code()),
    Field("event_id", checks.text(10)),
    Field("partner_code", checks.code(), required=False),
)


def _raw(rows: list[dict[str, str]]) -> RawFile:
    table = pa.table({name: [row[name] for row in rows] for name in rows[0]})
    return RawFile(
        path=Path("events.csv"),
        header=list(rows[0]),
        table=table,
        lines=list(range(2, len(rows) + 2)),
    )


ROWS = [
    {"platform_code": "TOKOPEDIA", "event_id": "E-1", "partner_code": ""},
    {"platform_code": "PINTARIA", "event_id": "E-2", "partner_code": ""},
    {"platform_code": "TOKOPEDIA", "event_id": "E-3", "partner_code": "OVO"},
    {"platform_code": "PINTARIA", "event_id": "E-4-TOO-LONG-ID", "partner_code": ""},
    {"platform_code": "tokopedia", "event_id": "E-5", "partner_code": ""},
]


def _rejects(checked) -> list[tuple[int, str, str]]:
    return list(
        zip(
            checked.rejects["_row"].to_pylist(),
            checked.rejects["column"].to_pylist(),
            checked.rejects["reason"].to_pylist(),
            strict=True,
        )
    )


def test_without_an_acting_partner_any_partner_may_be_named():
    checked = validate(_raw(ROWS), FIELDS)
    assert [(row, column) for row, column, _ in _rejects(checked)] == [
        (3, "event_id"),
        (4, "platform_code"),
    ]


def test_rows_naming_another_partner_are_rejected_in_that_column_in_contract_order():
    checked = validate(_raw(ROWS), FIELDS, acting_partner="TOKOPEDIA")
    found = _rejects(checked)
    assert [(row, column) for row, column, _ in found] == [
        (1, "platform_code"),
        (2, "partner_code"),
        (3, "platform_code"),
        (4, "platform_code"),
    ]
    assert found[0][2] == "names another partner than the sender (TOKOPEDIA)"
    assert found[3][2].startswith("must be an upper-case code")
    assert checked.rows["event_id"].to_pylist() == ["E-1"]
