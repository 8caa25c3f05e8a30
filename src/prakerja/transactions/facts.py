"""The marketplace's fact readers for other domains: Arrow tables, columns by name.

What the reconciliation needs of training: invoice lines, the vouchers they
claim and those vouchers' attendance, dated on or before a day. With
`knowing=True` each gets when it became known: the import that brought it,
the earliest applied platform event of its kind, or (a provider's commit)
the instant it arrived.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from sqlalchemy import Executable, Select, Table, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from prakerja.audit.service import import_finished, import_run_times
from prakerja.kit.clock import jakarta_days
from prakerja.storage.arrow import fetch_arrow
from prakerja.transactions.models import (
    Attendance,
    AttendanceSource,
    EventState,
    EventType,
    InvoiceLine,
    PlatformEvent,
    Voucher,
)

_DATE = pa.date32()
_INSTANT = pa.timestamp("us", tz="UTC")

INVOICE_SCHEMA = pa.schema(
    [
        ("platform_code", pa.string()),
        ("invoice_no", pa.string()),
        ("voucher_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("invoiced_on", _DATE),
    ]
)
VOUCHER_SCHEMA = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("platform_code", pa.string()),
        ("course_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("purchased_on", _DATE),
        ("redeemed_on", _DATE),
        ("completed_on", _DATE),
        ("refunded_on", _DATE),
    ]
)
ATTENDANCE_SCHEMA = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("sequence", pa.int32()),
        ("source", pa.string()),
        ("attended_on", _DATE),
    ]
)


def _with_known(schema: pa.Schema, *names: str) -> pa.Schema:
    for name in names:
        schema = schema.append(pa.field(name, _INSTANT))
    return schema


def _as_day(table: pa.Table, instant: str, day: str) -> pa.Table:
    """Replace the instant column `instant` by its Jakarta calendar day, named `day`."""
    position = table.schema.get_field_index(instant)
    return table.set_column(position, pa.field(day, _DATE), jakarta_days(table[instant]))


def _fetch_with_instant(
    session: Session, query: Executable, schema: pa.Schema, swap: tuple[str, str], known: list[str]
) -> pa.Table:
    """Fetch with the day column `swap[1]` read as the instant `swap[0]`, then turned into days."""
    instant, day = swap
    read = schema.set(schema.get_field_index(day), pa.field(instant, _INSTANT))
    return _as_day(fetch_arrow(session, query, _with_known(read, *known)), instant, day)


def _invoiced(as_of: dt.date, vouchers: Table | None = None) -> Select[Any]:
    query = select(InvoiceLine.voucher_code).where(InvoiceLine.invoiced_on <= as_of)
    if vouchers is not None:
        query = query.where(InvoiceLine.voucher_code.in_(select(vouchers.c.voucher_code)))
    return query


def invoice_lines(
    session: Session, *, as_of: dt.date, knowing: bool = False, vouchers: Table | None = None
) -> pa.Table:
    """Return the platforms' invoice lines dated up to `as_of` (INVOICE_SCHEMA).

    With `vouchers` (staged voucher codes), only the lines claiming those vouchers.
    """
    query = select(*(getattr(InvoiceLine, name) for name in INVOICE_SCHEMA.names)).where(
        InvoiceLine.invoiced_on <= as_of
    )
    if vouchers is not None:
        query = query.where(InvoiceLine.voucher_code.in_(select(vouchers.c.voucher_code)))
    if not knowing:
        return fetch_arrow(session, query, INVOICE_SCHEMA)
    query = query.add_columns(import_finished(InvoiceLine.import_run_id))
    return fetch_arrow(session, query, _with_known(INVOICE_SCHEMA, "known_at"))


def _event_known(
    event_type: EventType,
    voucher: InstrumentedAttribute[str],
    sequence: InstrumentedAttribute[int] | None = None,
) -> Any:
    """Return when the earliest applied platform event of a type about `voucher` became known."""
    runs = import_run_times()
    query = (
        select(func.min(runs.c.finished_at))
        .join(PlatformEvent, PlatformEvent.import_run_id == runs.c.id)
        .where(
            PlatformEvent.voucher_code == voucher,
            PlatformEvent.event_type == event_type.value,
            PlatformEvent.state == EventState.APPLIED.value,
        )
    )
    if sequence is not None:
        query = query.where(PlatformEvent.sequence == sequence)
    return query.scalar_subquery()


def invoiced_vouchers(
    session: Session, *, as_of: dt.date, knowing: bool = False, vouchers: Table | None = None
) -> pa.Table:
    """Return the vouchers bought by `as_of` that an invoice line up to then claims.

    VOUCHER_SCHEMA; `redeemed_on` is the Jakarta day of the provider's commit,
    which is real time and not compared with `as_of`. With `vouchers` (staged
    voucher codes), only those.
    """
    query = select(
        Voucher.voucher_code,
        Voucher.platform_code,
        Voucher.course_code,
        Voucher.amount_idr,
        Voucher.purchased_on,
        Voucher.redeemed_at,
        Voucher.completed_on,
        Voucher.refunded_on,
    ).where(Voucher.purchased_on <= as_of, Voucher.voucher_code.in_(_invoiced(as_of, vouchers)))
    known: list[str] = []
    if knowing:
        runs = import_run_times()
        purchase_known = (
            select(runs.c.finished_at)
            .join(PlatformEvent, PlatformEvent.import_run_id == runs.c.id)
            .where(PlatformEvent.id == Voucher.purchase_event_id)
            .scalar_subquery()
        )
        query = query.add_columns(
            purchase_known,
            Voucher.redeemed_at,
            _event_known(EventType.COMPLETION, Voucher.voucher_code),
            _event_known(EventType.REFUND, Voucher.voucher_code),
        )
        known = ["known_at", "redeemed_known_at", "completed_known_at", "refunded_known_at"]
    return _fetch_with_instant(
        session, query, VOUCHER_SCHEMA, ("redeemed_at", "redeemed_on"), known
    )


def invoiced_attendances(
    session: Session, *, as_of: dt.date, knowing: bool = False, vouchers: Table | None = None
) -> pa.Table:
    """Return the attendance of every voucher an invoice line up to `as_of` claims.

    ATTENDANCE_SCHEMA; `attended_on` is the Jakarta day it was recorded. With
    `vouchers` (staged voucher codes), only those vouchers'.
    """
    query = select(
        Attendance.voucher_code, Attendance.sequence, Attendance.source, Attendance.recorded_at
    ).where(Attendance.voucher_code.in_(_invoiced(as_of, vouchers)))
    known: list[str] = []
    if knowing:
        platform = _event_known(EventType.ATTENDANCE, Attendance.voucher_code, Attendance.sequence)
        provider = Attendance.source == AttendanceSource.PROVIDER.value
        query = query.add_columns(case((provider, Attendance.recorded_at), else_=platform))
        known = ["known_at"]
    return _fetch_with_instant(
        session, query, ATTENDANCE_SCHEMA, ("recorded_at", "attended_on"), known
    )
