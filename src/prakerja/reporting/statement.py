"""The auditors' daily reconciliation statement: what it holds, computed set-based.

Per payment partner and per wave: the instructions' totals (instructed,
paid, matched, failed, awaiting a result, cancelled), the breaks open on the
day by type and age; per partner, its escrow movements; for the program, the
escrow balance proof and the gap report. `workbook` and `pdf` lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from prakerja.kit.clock import utc_now
from prakerja.reconciliation import service as reconciliation
from prakerja.reconciliation.claims import explain_repayments
from prakerja.reconciliation.engine import CONDITIONS
from prakerja.reconciliation.escrow import EscrowProof, escrow_on
from prakerja.reconciliation.gap import GapReport, gap_on
from prakerja.reconciliation.service import facts_on
from prakerja.reconciliation.sources import escrow_books
from prakerja.reconciliation.taxonomy import AGING_BUCKETS, BUCKET_NAMES, OLDER_BUCKET, BreakType
from prakerja.storage.duck import duckdb_connection, read_sql

#: The breaks a training platform's invoices carry; every other type is a payment partner's.
INVOICE_TYPES = frozenset(
    {BreakType.INVOICE_NOT_PAYABLE, BreakType.INVOICE_AMOUNT_MISMATCH, BreakType.DUPLICATE_INVOICE}
)
NO_WAVE = "not tied to a wave"

#: A break open on the day: its id, what the engine found, and when it was detected.
OPEN_BREAKS = pa.schema(
    [
        ("break_id", pa.string()),
        *(f for f in CONDITIONS if f.name != "break_key"),
        ("detected_on", pa.date32()),
    ]
)


def _sql(name: str) -> str:
    return read_sql("prakerja.reporting", name)


@dataclass(frozen=True)
class Totals:
    """What became of a set of instructions: counts and rupiah."""

    instructions: int = 0
    instructed_idr: int = 0
    paid: int = 0
    paid_idr: int = 0
    matched: int = 0
    matched_idr: int = 0
    failed: int = 0
    failed_idr: int = 0
    awaiting: int = 0
    awaiting_idr: int = 0
    cancelled: int = 0
    cancelled_idr: int = 0

    def plus(self, other: Totals) -> Totals:
        """Return the sum of two totals."""
        return Totals(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass(frozen=True)
class BreakLine:
    """Open breaks of one type: how many in each aging bucket, and their amounts."""

    break_type: str
    by_bucket: dict[str, int]
    expected_idr: int
    reported_idr: int

    @property
    def count(self) -> int:
        """How many breaks of this type are open."""
        return sum(self.by_bucket.values())


@dataclass(frozen=True)
class PartnerEscrow:
    """A counterparty's movements on the escrow account: up to the day and on the day."""

    debits_idr: int
    credits_idr: int
    debits_today_idr: int
    credits_today_idr: int


@dataclass(frozen=True)
class Section:
    """One page of the statement: a payment partner, a platform or a wave."""

    title: str
    totals: Totals | None
    breaks: tuple[BreakLine, ...]
    escrow: PartnerEscrow | None = None

    @property
    def open_breaks(self) -> int:
        """How many breaks are open in this section."""
        return sum(line.count for line in self.breaks)


@dataclass(frozen=True)
class Statement:
    """The daily reconciliation statement as of a day."""

    day: dt.date
    generated_at: dt.datetime
    escrow: EscrowProof
    gap: GapReport
    overall: Totals
    breaks: tuple[BreakLine, ...]
    partners: tuple[Section, ...]
    platforms: tuple[Section, ...]
    waves: tuple[Section, ...]
    counterparties: dict[str, PartnerEscrow]
    """Every counterparty's escrow movements, payment partners and funders alike."""
    open_breaks: pa.Table = field(repr=False)


def build_statement(session: Session, *, day: dt.date) -> Statement:
    """Compute the statement as of `day` from the facts and the breaks found up to it."""
    books = escrow_books(session, day=day)
    with facts_on(session, day=day) as connection:
        gap = gap_on(connection, day)
        escrow = explain_repayments(session, escrow_on(connection, day, books))
        totals = connection.sql(_sql("payment_totals")).to_arrow_table().to_pylist()
        movements = (
            connection.sql(_sql("escrow_by_partner"), params={"day": day})
            .to_arrow_table()
            .to_pylist()
        )
    aged = _aged_open_breaks(session, day)
    by_partner, by_wave = _totals_by_partner_and_wave(totals)
    escrow_of = {
        row["counterparty_code"]: PartnerEscrow(
            **{f.name: int(row[f.name]) for f in fields(PartnerEscrow)}
        )
        for row in movements
    }
    breaks = aged.to_pylist()
    payment_breaks = [b for b in breaks if b["break_type"] not in INVOICE_TYPES]
    invoice_breaks = [b for b in breaks if b["break_type"] in INVOICE_TYPES]
    overall = Totals()
    for part in by_partner.values():
        overall = overall.plus(part)
    return Statement(
        day=day,
        generated_at=utc_now(),
        escrow=escrow,
        gap=gap,
        overall=overall,
        breaks=_break_lines(breaks),
        partners=_partner_sections(by_partner, payment_breaks, escrow_of),
        platforms=_platform_sections(invoice_breaks),
        waves=_wave_sections(by_wave, payment_breaks),
        counterparties=escrow_of,
        open_breaks=aged,
    )


def _totals_by_partner_and_wave(
    totals: list[dict[str, Any]],
) -> tuple[dict[str, Totals], dict[str, Totals]]:
    """Sum the payment totals rows by payment partner and by wave."""
    by_partner: dict[str, Totals] = defaultdict(Totals)
    by_wave: dict[str, Totals] = defaultdict(Totals)
    for row in totals:
        counts = Totals(**{f.name: int(row[f.name] or 0) for f in fields(Totals)})
        by_partner[row["partner_code"]] = by_partner[row["partner_code"]].plus(counts)
        wave = _wave_label(row["wave"])
        by_wave[wave] = by_wave[wave].plus(counts)
    return by_partner, by_wave


def _partner_sections(
    by_partner: dict[str, Totals],
    payment_breaks: list[dict[str, Any]],
    escrow_of: dict[str, PartnerEscrow],
) -> tuple[Section, ...]:
    """One section per payment partner with totals or breaks, in code order."""
    codes = sorted({*by_partner, *(b["partner_code"] or "" for b in payment_breaks)})
    return tuple(
        Section(
            title=code,
            totals=by_partner.get(code, Totals()),
            breaks=_break_lines([b for b in payment_breaks if (b["partner_code"] or "") == code]),
            escrow=escrow_of.get(code, PartnerEscrow(0, 0, 0, 0)),
        )
        for code in codes
    )


def _platform_sections(invoice_breaks: list[dict[str, Any]]) -> tuple[Section, ...]:
    """One section per training platform with invoice breaks, in code order."""
    return tuple(
        Section(
            title=code,
            totals=None,
            breaks=_break_lines([b for b in invoice_breaks if b["partner_code"] == code]),
        )
        for code in sorted({b["partner_code"] for b in invoice_breaks})
    )


def _wave_sections(
    by_wave: dict[str, Totals], payment_breaks: list[dict[str, Any]]
) -> tuple[Section, ...]:
    """One section per wave with totals or breaks, waves in number order, then no wave."""
    labels = sorted({*by_wave, *(_wave_label(b["wave"]) for b in payment_breaks)}, key=_wave_order)
    return tuple(
        Section(
            title=label,
            totals=by_wave.get(label, Totals()),
            breaks=_break_lines([b for b in payment_breaks if _wave_label(b["wave"]) == label]),
        )
        for label in labels
    )


def _wave_label(wave: int | None) -> str:
    return f"wave {wave}" if wave is not None else NO_WAVE


def _wave_order(label: str) -> tuple[int, int]:
    return (1, 0) if label == NO_WAVE else (0, int(label.rsplit(maxsplit=1)[-1]))


def _break_lines(breaks: list[dict[str, object]]) -> tuple[BreakLine, ...]:
    """Count open breaks per type and aging bucket (every type and bucket present)."""
    lines = []
    for kind in BreakType:
        mine = [b for b in breaks if b["break_type"] == kind.value]
        by_bucket = dict.fromkeys(BUCKET_NAMES, 0)
        for found in mine:
            by_bucket[str(found["bucket"])] += 1
        lines.append(
            BreakLine(
                break_type=kind.value,
                by_bucket=by_bucket,
                expected_idr=sum(int(b["expected_amount_idr"] or 0) for b in mine),  # type: ignore[call-overload]
                reported_idr=sum(int(b["reported_amount_idr"] or 0) for b in mine),  # type: ignore[call-overload]
            )
        )
    return tuple(lines)


def _aged_open_breaks(session: Session, day: dt.date) -> pa.Table:
    """Return the breaks open on `day`, each with its age in days and its aging bucket."""
    found = reconciliation.open_breaks_on(session, day=day, schema=OPEN_BREAKS)
    buckets = pa.table(
        {
            "name": [name for name, _ in AGING_BUCKETS],
            "upper_days": pa.array([upper for _, upper in AGING_BUCKETS], pa.int32()),
        }
    )
    with duckdb_connection({"open_breaks": found, "buckets": buckets}) as connection:
        return connection.sql(
            _sql("aging"), params={"day": day, "older": OLDER_BUCKET}
        ).to_arrow_table()
