"""Platform invoice lines: each claimed voucher judged payable or not, with the reason."""

from __future__ import annotations

from enum import StrEnum

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from prakerja.catalog.service import courses_table
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows, update_rows
from prakerja.storage.duck import duckdb_connection, read_sql
from prakerja.storage.scope import fetch_arrow_matching
from prakerja.transactions.models import Attendance, InvoiceLine, Voucher

_PACKAGE = "prakerja.transactions"


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
        db.execute(f"CREATE TEMP TABLE judged AS {read_sql(_PACKAGE, 'invoice_judge')}")
        fresh = db.sql(read_sql(_PACKAGE, "invoice_fresh")).to_arrow_table()
        now_duplicate = db.sql(read_sql(_PACKAGE, "invoice_now_duplicate")).to_arrow_table()
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
