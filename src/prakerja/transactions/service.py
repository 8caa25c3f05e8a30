"""Questions other domains ask of the training transactions, and the redeem-code operations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.catalog.service import courses_for_join
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows
from prakerja.transactions import repository
from prakerja.transactions.errors import (
    OtherProvidersCodeError,
    RefundedCodeError,
    SequenceOutOfRangeError,
    UnknownRedeemCodeError,
)
from prakerja.transactions.events import settle_pending
from prakerja.transactions.models import (
    Attendance,
    AttendanceSource,
    InvoiceLine,
    PlatformEvent,
    Voucher,
)

FIRST_TRAINING_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("voucher_code", pa.string()),
        ("course_code", pa.string()),
        ("purchased_on", pa.date32()),
        ("completed_on", pa.date32()),
        ("reviewed_on", pa.date32()),
    ]
)


def first_trainings(
    session: Session, *, as_of: dt.date | None = None, cards: Table | None = None
) -> pa.Table:
    """Return each card's first training as known on `as_of` (default: everything known).

    A card's first training is its earliest purchase (by `occurred_at`, then
    voucher code) that is not refunded. Facts dated after `as_of` are not yet
    known: later purchases are left out, later refunds ignored, and later
    completions and reviews read as not yet happened. With `cards` (staged
    card numbers), only those cards'.
    """
    purchased: ColumnElement[bool] = Voucher.purchased_on <= as_of if as_of else true()
    not_refunded = (
        or_(Voucher.refunded_on.is_(None), Voucher.refunded_on > as_of)
        if as_of
        else Voucher.refunded_on.is_(None)
    )
    scoped: ColumnElement[bool] = (
        Voucher.card_number.in_(select(cards.c.card_number)) if cards is not None else true()
    )
    ranked = (
        select(
            Voucher.card_number,
            Voucher.voucher_code,
            Voucher.course_code,
            Voucher.purchased_on,
            Voucher.completed_on,
            Voucher.reviewed_on,
            func.row_number()
            .over(
                partition_by=Voucher.card_number,
                order_by=(Voucher.purchased_at, Voucher.voucher_code),
            )
            .label("position"),
        )
        .where(and_(purchased, not_refunded, scoped))
        .subquery()
    )

    def known(column: ColumnElement[dt.date | None]) -> ColumnElement[dt.date | None]:
        if as_of is None:
            return column
        return case((column <= as_of, column), else_=None)

    query = select(
        ranked.c.card_number,
        ranked.c.voucher_code,
        ranked.c.course_code,
        ranked.c.purchased_on,
        known(ranked.c.completed_on),
        known(ranked.c.reviewed_on),
    ).where(ranked.c.position == 1)
    return fetch_arrow(session, query, FIRST_TRAINING_SCHEMA)


@dataclass(frozen=True)
class RedeemCodeView:
    """What the redeem-code API answers about one code and session."""

    redeem_code: str
    course_code: str
    invoice_code: str
    schedule_code: str
    status: int
    attendance_status: int
    redeem_at: dt.datetime | None
    dp_platform: str
    course_type: str
    sessions: int
    sequence: int


@dataclass(frozen=True)
class CodeFacts:
    """A voucher and its course as the redeem-code API needs them, read in one query."""

    voucher_code: str
    course_code: str
    platform_code: str
    redeemed_at: dt.datetime | None
    refunded: bool
    invoice_code: str | None
    attended: bool
    provider_code: str | None
    course_type: str | None
    sessions: int | None


def code_statement(alongside: ScalarSelect[Any] | None = None) -> Select[Any]:
    """Return the one statement reading a code's facts for one session, `alongside` first.

    Build it once and read its row with `code_facts_of`: its bind parameters are
    `redeem_code` and `sequence` (and those of `alongside`, a scalar subquery).
    It reads primary keys and unique indexes only, and gives one row even when
    the code is unknown (so `alongside` is always read).
    """
    vouchers, events = table_of(Voucher), table_of(PlatformEvent)
    courses, attendances = courses_for_join(), table_of(Attendance)
    attended = (
        select(attendances.c.voucher_code)
        .where(
            attendances.c.voucher_code == vouchers.c.voucher_code,
            attendances.c.sequence == bindparam("sequence", type_=Integer),
        )
        .exists()
    )
    one = select(literal(1).label("one")).subquery()
    return (
        select(
            alongside if alongside is not None else literal(None),
            vouchers.c.voucher_code,
            vouchers.c.course_code,
            vouchers.c.platform_code,
            vouchers.c.redeemed_at,
            vouchers.c.refunded_at.is_not(None),
            events.c.event_id,
            attended,
            courses.c.provider_code,
            courses.c.course_type,
            courses.c.sessions,
        )
        .select_from(one)
        .outerjoin(vouchers, vouchers.c.voucher_code == bindparam("redeem_code", type_=String))
        .outerjoin(events, events.c.id == vouchers.c.purchase_event_id)
        .outerjoin(courses, courses.c.course_code == vouchers.c.course_code)
    )


_CODE_STATEMENT = code_statement()


def code_facts_of(row: Sequence[Any]) -> tuple[CodeFacts | None, Any]:
    """Return a `code_statement` row as the code's facts (None when unknown) and `alongside`."""
    if row[1] is None:
        return None, row[0]
    return CodeFacts(*row[1:]), row[0]


def provider_view(facts: CodeFacts | None, provider_code: str, sequence: int) -> RedeemCodeView:
    """Return the provider's view of a code and session, or raise the refusal."""
    if facts is None:
        raise UnknownRedeemCodeError("redeem code not found")
    if facts.provider_code is None or facts.provider_code != provider_code:
        raise OtherProvidersCodeError("the redeem code is for another provider's course")
    if facts.refunded:
        raise RefundedCodeError("the redeem code was refunded")
    sessions = facts.sessions or 0
    if sequence > sessions:
        raise SequenceOutOfRangeError(
            f"sequence {sequence} is beyond the course's {sessions} session(s)"
        )
    return RedeemCodeView(
        redeem_code=facts.voucher_code,
        course_code=facts.course_code,
        invoice_code=facts.invoice_code or facts.voucher_code,
        schedule_code=f"{facts.course_code}-{sequence}",
        status=1 if facts.redeemed_at is not None else 0,
        attendance_status=1 if facts.attended else 0,
        redeem_at=facts.redeemed_at,
        dp_platform=facts.platform_code,
        course_type=facts.course_type or "",
        sessions=sessions,
        sequence=sequence,
    )


def _provider_view(
    session: Session, provider_code: str, redeem_code: str, sequence: int
) -> RedeemCodeView:
    """Read a code and return the provider's view of it, or raise the refusal."""
    row = session.execute(_CODE_STATEMENT, {"redeem_code": redeem_code, "sequence": sequence})
    facts, _ = code_facts_of(row.one())
    return provider_view(facts, provider_code, sequence)


def commit_redeem_code(
    session: Session,
    *,
    provider_code: str,
    redeem_code: str,
    sequence: int,
    now: dt.datetime,
) -> RedeemCodeView:
    """Record the provider's commit of a session: sequence 1 redeems the code; idempotent.

    The provider's attendance row is keyed by (voucher, sequence, source), so
    a second commit of the same session - even a concurrent one - adds
    nothing, and the redemption is set only where none is recorded yet.
    Events waiting for this attendance (a webinar's completion) are applied.
    A later session committed before sequence 1 is recorded as delivered (the
    provider says so) but does not redeem the code: only sequence 1 does.
    """
    _provider_view(session, provider_code, redeem_code, sequence)
    inserted = insert_new_rows(
        session,
        table_of(Attendance),
        pa.table(
            {
                "voucher_code": [redeem_code],
                "sequence": pa.array([sequence], pa.int64()),
                "source": [AttendanceSource.PROVIDER.value],
                "recorded_at": pa.array([now], pa.timestamp("us", tz="UTC")),
            }
        ),
        key=("voucher_code", "sequence", "source"),
    )
    if sequence == 1:
        session.execute(
            update(Voucher)
            .where(Voucher.voucher_code == redeem_code, Voucher.redeemed_at.is_(None))
            .values(redeemed_at=now)
        )
    if inserted:
        record(
            session,
            action="voucher.committed",
            subject_type="voucher",
            subject_id=redeem_code,
            details={"provider": provider_code, "sequence": sequence},
        )
        settle_pending(session, voucher_codes=[redeem_code])
    return _provider_view(session, provider_code, redeem_code, sequence)


def invoice_lines_of_voucher(session: Session, *, voucher_code: str) -> list[InvoiceLine]:
    """Return the invoice lines naming a voucher."""
    return repository.invoice_lines_of_voucher(session, voucher_code)
