"""Queries of the transactions tables, returned as Arrow tables for the set-based rules."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.scope import fetch_arrow_matching
from prakerja.transactions.models import (
    Attendance,
    EventState,
    EventType,
    InvoiceLine,
    PlatformEvent,
    Voucher,
)

EVENT_SCHEMA = pa.schema(
    [
        ("eid", pa.int64()),
        ("platform_code", pa.string()),
        ("event_id", pa.string()),
        ("event_type", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("occurred_on", pa.date32()),
        ("card_number", pa.string()),
        ("course_code", pa.string()),
        ("voucher_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("sequence", pa.int64()),
        ("certificate_no", pa.string()),
        ("rating", pa.int64()),
    ]
)
PENDING_SCHEMA = pa.schema(
    [
        *EVENT_SCHEMA,
        ("import_run_id", pa.int64()),
        ("source_line", pa.int64()),
        ("raw_row", pa.string()),
    ]
)
STORED_KEY_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("platform_code", pa.string()),
        ("state", pa.string()),
        ("state_column", pa.string()),
        ("state_reason", pa.string()),
    ]
)
VOUCHER_FACT_SCHEMA = pa.schema(
    [
        ("voucher_code", pa.string()),
        ("card_number", pa.string()),
        ("course_code", pa.string()),
        ("platform_code", pa.string()),
        ("amount_idr", pa.int64()),
        ("purchased_at", pa.timestamp("us", tz="UTC")),
        ("completed", pa.bool_()),
        ("refunded_at", pa.timestamp("us", tz="UTC")),
    ]
)
APPLIED_MOVE_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("voucher_code", pa.string()),
        ("purchase_event_id", pa.int64()),
        ("purchased_at", pa.timestamp("us", tz="UTC")),
        ("amount_idr", pa.int64()),
        ("refunded_at", pa.timestamp("us", tz="UTC")),
    ]
)
ATTENDED_SCHEMA = pa.schema([("voucher_code", pa.string()), ("sequence", pa.int64())])
REFUSED_SCHEMA = pa.schema([("voucher_code", pa.string())])


def lock_events(session: Session) -> None:
    """Serialise writers of platform events (PostgreSQL; SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE platform_events IN SHARE ROW EXCLUSIVE MODE"))


def next_event_ids(session: Session, count: int) -> int:
    """Return the first of `count` new event ids (under the events lock), reserving them."""
    first = int(session.scalar(select(func.coalesce(func.max(PlatformEvent.id), 0))) or 0) + 1
    if count and session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('platform_events', 'id'), :last)"),
            {"last": first + count - 1},
        )
    return first


def stored_events(session: Session, platforms: list[str], event_ids: pa.Array) -> pa.Table:
    """Return the events already stored among these (platform, event_id) keys."""
    any_stored = session.scalar(
        select(PlatformEvent.id).where(PlatformEvent.platform_code.in_(platforms)).limit(1)
    )
    if any_stored is None:
        return STORED_KEY_SCHEMA.empty_table()
    query = select(
        PlatformEvent.event_id,
        PlatformEvent.platform_code,
        PlatformEvent.state,
        PlatformEvent.state_column,
        PlatformEvent.state_reason,
    ).where(PlatformEvent.platform_code.in_(platforms))
    return fetch_arrow_matching(
        session, query, PlatformEvent.event_id, event_ids, STORED_KEY_SCHEMA
    )


def pending_events(session: Session, voucher_codes: list[str] | None = None) -> pa.Table:
    """Return the events still waiting for a prerequisite (optionally of some vouchers)."""
    query = select(
        PlatformEvent.id,
        PlatformEvent.platform_code,
        PlatformEvent.event_id,
        PlatformEvent.event_type,
        PlatformEvent.occurred_at,
        PlatformEvent.occurred_on,
        PlatformEvent.card_number,
        PlatformEvent.course_code,
        PlatformEvent.voucher_code,
        PlatformEvent.amount_idr,
        PlatformEvent.sequence,
        PlatformEvent.certificate_no,
        PlatformEvent.rating,
        PlatformEvent.import_run_id,
        PlatformEvent.source_line,
        PlatformEvent.raw_row,
    ).where(PlatformEvent.state == EventState.PENDING.value)
    if voucher_codes is not None:
        query = query.where(PlatformEvent.voucher_code.in_(voucher_codes))
    return fetch_arrow(session, query, PENDING_SCHEMA)


def voucher_facts(session: Session, voucher_codes: pa.Array) -> pa.Table:
    """Return the vouchers among these codes: when bought, whether completed, when refunded."""
    query = select(
        Voucher.voucher_code,
        Voucher.card_number,
        Voucher.course_code,
        Voucher.platform_code,
        Voucher.amount_idr,
        Voucher.purchased_at,
        Voucher.completed_at.is_not(None),
        Voucher.refunded_at,
    )
    return fetch_arrow_matching(
        session, query, Voucher.voucher_code, voucher_codes, VOUCHER_FACT_SCHEMA
    )


def cards_refunded_since(session: Session, since: dt.datetime) -> pa.Array:
    """Return the cards with a voucher refunded at or after `since`."""
    query = select(Voucher.card_number).where(Voucher.refunded_at >= since).distinct()
    schema = pa.schema([("card_number", pa.string())])
    return fetch_arrow(session, query, schema)["card_number"].combine_chunks()


def applied_moves(session: Session, card_numbers: pa.Array, since: dt.datetime) -> pa.Table:
    """Return these cards' vouchers bought or refunded at or after `since` (balance history)."""
    query = select(
        Voucher.card_number,
        Voucher.voucher_code,
        Voucher.purchase_event_id,
        Voucher.purchased_at,
        Voucher.amount_idr,
        Voucher.refunded_at,
    ).where(or_(Voucher.purchased_at >= since, Voucher.refunded_at >= since))
    return fetch_arrow_matching(
        session, query, Voucher.card_number, card_numbers, APPLIED_MOVE_SCHEMA
    )


def attended_sessions(session: Session, voucher_codes: pa.Array) -> pa.Table:
    """Return the sessions known attended (from either source) of these vouchers."""
    query = select(Attendance.voucher_code, Attendance.sequence).distinct()
    return fetch_arrow_matching(
        session, query, Attendance.voucher_code, voucher_codes, ATTENDED_SCHEMA
    )


def refused_purchases(session: Session, voucher_codes: pa.Array) -> pa.Table:
    """Return the voucher codes among these whose purchase event the program refused."""
    query = (
        select(PlatformEvent.voucher_code)
        .where(
            PlatformEvent.state == EventState.REJECTED.value,
            PlatformEvent.event_type == EventType.PURCHASE.value,
        )
        .distinct()
    )
    found = fetch_arrow_matching(
        session, query, PlatformEvent.voucher_code, voucher_codes, REFUSED_SCHEMA
    )
    return found.filter(pc.is_valid(found["voucher_code"]))


def invoice_lines_of_voucher(session: Session, voucher_code: str) -> list[InvoiceLine]:
    """Return the invoice lines naming a voucher."""
    return list(
        session.scalars(select(InvoiceLine).where(InvoiceLine.voucher_code == voucher_code))
    )
