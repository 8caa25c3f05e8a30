"""Loaders of the marketplace's contract files: platform events and platform invoices."""

from __future__ import annotations

from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.ingest import checks
from prakerja.ingest.checks import Field
from prakerja.ingest.pipeline import ImportContext, Loader, StoreOutcome
from prakerja.ingest.validate import REJECT_SCHEMA, rejects_for
from prakerja.storage.base import table_of
from prakerja.transactions.events import import_events
from prakerja.transactions.invoices import store_invoice_lines
from prakerja.transactions.models import Attendance, EventType, InvoiceLine, PlatformEvent, Voucher

_IDENTIFIER = checks.pattern(r"^[!-~]{1,80}$", "must be 1-80 visible ASCII characters")
_VOUCHER = checks.pattern(r"^[!-~]{1,40}$", "must be 1-40 visible ASCII characters")

#: Columns an event type cannot do without (beyond those every event has).
NEEDED_BY_TYPE: dict[str, tuple[str, ...]] = {
    EventType.PURCHASE.value: ("course_code", "amount_idr"),
    EventType.REFUND.value: ("amount_idr",),
    EventType.ATTENDANCE.value: ("sequence",),
    EventType.REVIEW.value: ("rating",),
}


class PlatformEventsLoader(Loader):
    """platform-events.csv: purchases, attendance, completions, reviews and refunds."""

    kind: ClassVar[str] = "platform-events"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("platform_code", checks.code()),
        Field("event_id", _IDENTIFIER),
        Field("event_type", checks.one_of(tuple(EventType))),
        Field("occurred_at", checks.timestamp()),
        Field("card_number", checks.digits(16)),
        Field("course_code", checks.code(), required=False),
        Field("voucher_code", _VOUCHER),
        Field("amount_idr", checks.integer(minimum=1), required=False),
        Field("sequence", checks.integer(minimum=1, maximum=1000), required=False),
        Field("certificate_no", checks.text(80), required=False),
        Field("rating", checks.integer(minimum=1, maximum=5), required=False),
        Field("review_text", checks.text(2000), required=False),
    )
    key: ClassVar[tuple[str, ...]] = ("platform_code", "event_id")
    stored_in: ClassVar[tuple[Table, ...]] = (
        table_of(PlatformEvent),
        table_of(Voucher),
        table_of(Attendance),
    )

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Apply the events (with those still pending); report duplicates, pending, refusals."""
        rows, missing = _without_missing_fields(rows)
        context.reporter.start("applying platform events", rows.num_rows)
        settled = import_events(
            session,
            rows=rows,
            import_run_id=context.import_run_id,
            raw=context.raw.table if context.raw is not None else None,
        )
        context.reporter.advance(rows.num_rows)
        if settled.earlier_applied or settled.earlier_rejected:
            context.reporter.note(
                f"{context.path.name}: events pending from earlier files: "
                f"{settled.earlier_applied} applied, {settled.earlier_rejected} refused "
                "(refusals added to their own file's rejects)"
            )
        return StoreOutcome(
            duplicates=settled.duplicates,
            pending=settled.pending,
            rejects=pa.concat_tables([missing, settled.rejects]),
        )


def _without_missing_fields(rows: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Reject rows lacking a column their event type needs; return the rest and the rejects."""
    rejects = [REJECT_SCHEMA.empty_table()]
    faulty = pa.array([False] * rows.num_rows, pa.bool_())
    for event_type, columns in NEEDED_BY_TYPE.items():
        of_type = pc.equal(rows["event_type"], event_type)
        for column in columns:
            lacking = pc.and_(pc.and_(of_type, pc.is_null(rows[column])), pc.invert(faulty))
            rejects.append(rejects_for(rows, lacking, column, f"missing (needed by {event_type})"))
            faulty = pc.or_(faulty, lacking)
    return rows.filter(pc.invert(faulty)), pa.concat_tables(rejects)


class PlatformInvoicesLoader(Loader):
    """platform-invoices.csv: training fees claimed, each line judged payable or not."""

    kind: ClassVar[str] = "platform-invoices"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("platform_code", checks.code()),
        Field("invoice_no", checks.pattern(r"^[!-~]{1,60}$", "must be 1-60 visible characters")),
        Field("voucher_code", _VOUCHER),
        Field("amount_idr", checks.integer(minimum=1)),
        Field("invoiced_on", checks.date()),
    )
    key: ClassVar[tuple[str, ...]] = ("platform_code", "invoice_no", "voucher_code")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(InvoiceLine),)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Store new invoice lines with whether each is payable and, if not, why."""
        inserted = store_invoice_lines(session, rows=rows, import_run_id=context.import_run_id)
        return StoreOutcome(duplicates=rows.num_rows - inserted)
