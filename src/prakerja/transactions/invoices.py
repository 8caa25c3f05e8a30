"""Platform invoice lines: each claimed voucher judged payable or not, with the reason."""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prakerja.catalog.service import courses_table
from prakerja.storage.arrow import fetch_arrow_matching
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows, update_rows
from prakerja.storage.duck import duckdb_connection
from prakerja.transactions.models import Attendance, InvoiceLine, Voucher


class NotPayable(StrEnum):
    """Why an invoice line is not payable (the first that applies, in this order)."""

    DUPLICATE = "DUPLICATE"
    """The voucher is on an earlier invoice line (by invoice date, then invoice number)."""
    NOT_PURCHASED = "NOT_PURCHASED"
    """No accepted purchase has this voucher code."""
    OTHER_PLATFORM = "OTHER_PLATFORM"
    """The voucher was sold by another platform than the one invoicing it."""
    REFUNDED = "REFUNDED"
    """The purchase was refunded."""
    NOT_REDEEMED = "NOT_REDEEMED"
    """The training provider never committed the code (sequence 1)."""
    NOT_ATTENDED = "NOT_ATTENDED"
    """Not every session attended (webinar, offline), or not completed (self-paced)."""
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    """The amount claimed differs from the purchase price."""


_VOUCHER_SCHEMA = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("platform_code", pa.string()),
        ("course_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("redeemed", pa.bool_()),
        ("completed", pa.bool_()),
        ("refunded", pa.bool_()),
        ("attended", pa.int64()),
    ]
)
_LINE_SCHEMA = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("id", pa.int64()),
        ("platform_code", pa.string()),
        ("invoice_no", pa.string()),
        ("invoiced_on", pa.date32()),
        ("reason", pa.string()),
    ]
)

_JUDGE = f"""
WITH incoming AS (
    SELECT * FROM new_lines AS n
    WHERE NOT EXISTS (
        SELECT 1 FROM stored AS s
        WHERE s.platform_code = n.platform_code AND s.invoice_no = n.invoice_no
          AND s.voucher_code = n.voucher_code
    )
),
all_lines AS (
    SELECT id, platform_code, invoice_no, voucher_code, invoiced_on, reason, NULL AS _row
    FROM stored
    UNION ALL
    SELECT NULL, platform_code, invoice_no, voucher_code, invoiced_on, NULL, _row FROM incoming
),
ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY voucher_code ORDER BY invoiced_on, invoice_no, platform_code
    ) AS position
    FROM all_lines
)
SELECT
    r.id, r._row, r.reason AS old_reason,
    CASE
        WHEN r.position > 1 THEN '{NotPayable.DUPLICATE}'
        WHEN v.voucher_code IS NULL THEN '{NotPayable.NOT_PURCHASED}'
        WHEN v.platform_code <> r.platform_code THEN '{NotPayable.OTHER_PLATFORM}'
        WHEN v.refunded THEN '{NotPayable.REFUNDED}'
        WHEN NOT v.redeemed THEN '{NotPayable.NOT_REDEEMED}'
        WHEN c.course_type = 'SELF_PACED' AND NOT v.completed THEN '{NotPayable.NOT_ATTENDED}'
        WHEN c.course_type <> 'SELF_PACED' AND v.attended < c.sessions
            THEN '{NotPayable.NOT_ATTENDED}'
        WHEN n.amount_idr IS NOT NULL AND n.amount_idr <> v.amount_idr
            THEN '{NotPayable.AMOUNT_MISMATCH}'
    END AS reason
FROM ranked AS r
LEFT JOIN incoming AS n ON n._row = r._row
LEFT JOIN vouchers AS v ON v.voucher_code = r.voucher_code
LEFT JOIN courses AS c ON c.course_code = v.course_code
"""


def store_invoice_lines(session: Session, *, rows: pa.Table, import_run_id: int) -> int:
    """Store new invoice lines judged payable or not; return how many were new.

    A voucher invoiced again is a DUPLICATE on the later line; when an older
    invoice arrives late, the line stored before it becomes the duplicate.
    """
    codes = rows["voucher_code"]
    attended = (
        select(func.count(func.distinct(Attendance.sequence)))
        .where(Attendance.voucher_code == Voucher.voucher_code)
        .scalar_subquery()
    )
    vouchers = fetch_arrow_matching(
        session,
        select(
            Voucher.voucher_code,
            Voucher.platform_code,
            Voucher.course_code,
            Voucher.amount_idr,
            Voucher.redeemed_at.is_not(None),
            Voucher.completed_at.is_not(None),
            Voucher.refunded_at.is_not(None),
            attended,
        ),
        Voucher.voucher_code,
        codes,
        _VOUCHER_SCHEMA,
    )
    stored = fetch_arrow_matching(
        session,
        select(
            InvoiceLine.voucher_code,
            InvoiceLine.id,
            InvoiceLine.platform_code,
            InvoiceLine.invoice_no,
            InvoiceLine.invoiced_on,
            InvoiceLine.reason,
        ),
        InvoiceLine.voucher_code,
        codes,
        _LINE_SCHEMA,
    )
    with duckdb_connection() as db:
        db.register("new_lines", rows)
        db.register("stored", stored)
        db.register("vouchers", vouchers)
        db.register("courses", courses_table(session))
        db.execute(f"CREATE TEMP TABLE judged AS {_JUDGE}")
        fresh = db.sql(
            """
            SELECT n.platform_code, n.invoice_no, n.voucher_code, n.amount_idr, n.invoiced_on,
                   j.reason IS NULL AS payable, j.reason, n._line AS source_line
            FROM new_lines AS n JOIN judged AS j USING (_row)
            ORDER BY n._row
            """
        ).to_arrow_table()
        now_duplicate = db.sql(
            f"""
            SELECT id, false AS payable, reason FROM judged
            WHERE id IS NOT NULL AND reason = '{NotPayable.DUPLICATE}'
              AND old_reason IS DISTINCT FROM reason
            """
        ).to_arrow_table()
    fresh = fresh.append_column(
        "import_run_id", pa.array([import_run_id] * fresh.num_rows, pa.int64())
    )
    inserted = insert_new_rows(
        session,
        table_of(InvoiceLine),
        fresh,
        key=("platform_code", "invoice_no", "voucher_code"),
    )
    update_rows(
        session,
        table_of(InvoiceLine),
        now_duplicate,
        key=("id",),
        assignments={"payable": "s.payable", "reason": "s.reason"},
    )
    return inserted
