"""Recovery operations: open claims from breaks, credit repayments, read claims as of a day.

The reconciliation hands over its INELIGIBLE_PAYMENT breaks after storing
them (`open_claims`); repayments are read from the escrow statement through
`payouts.service.repayment_lines`. Every read is as of a business day, so
an export or a page shows a claim exactly as it stood on that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.config import get_settings
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import InputError
from prakerja.kit.money import format_rupiah
from prakerja.payouts import service as payouts
from prakerja.recovery import books, repository
from prakerja.recovery.rules import REPAY_WITHIN_DAYS, ClaimStatus, sql
from prakerja.registry import service as registry
from prakerja.storage.duck import duckdb_connection

#: What the reconciliation hands over of each INELIGIBLE_PAYMENT break.
INELIGIBLE_BREAKS = pa.schema(
    [
        ("break_id", pa.string()),
        ("detected_on", pa.date32()),
        ("partner_code", pa.string()),
        ("partner_txn_id", pa.string()),
        ("instruction_id", pa.string()),
        ("card_number", pa.string()),
        ("reported_amount_idr", pa.int64()),
    ]
)
#: The columns of `prakerja export recoveries`, in the contract's order.
RECOVERY_COLUMNS = (
    "claim_id",
    "card_number",
    "nik",
    "amount_idr",
    "repaid_idr",
    "opened_on",
    "due_on",
    "status",
)
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Claim:
    """A recovery claim as it stands on a day (`as_of`)."""

    claim_id: str
    card_number: str
    nik: str
    amount_idr: int
    repaid_idr: int
    opened_on: dt.date
    due_on: dt.date
    status: ClaimStatus
    break_id: str
    instruction_id: str
    partner_code: str
    repayments: int
    last_repaid_on: dt.date | None
    age_days: int
    as_of: dt.date

    @property
    def outstanding_idr(self) -> int:
        """What is still owed (zero once repaid)."""
        return max(0, self.amount_idr - self.repaid_idr)

    @property
    def excess_idr(self) -> int:
        """What was repaid beyond the amount (an over-payment the program keeps on record)."""
        return max(0, self.repaid_idr - self.amount_idr)

    @property
    def days_left(self) -> int:
        """Days from `as_of` to the due day (negative once overdue)."""
        return (self.due_on - self.as_of).days

    def contract_row(self) -> tuple[str | int, ...]:
        """Return the claim as one row of RECOVERY_COLUMNS."""
        return (
            self.claim_id,
            self.card_number,
            self.nik,
            self.amount_idr,
            self.repaid_idr,
            self.opened_on.isoformat(),
            self.due_on.isoformat(),
            self.status.value,
        )


@dataclass(frozen=True)
class HowToRepay:
    """What a participant needs to repay a claim: where to transfer, and what to quote."""

    escrow_account: str
    reference: str
    amount_idr: int
    due_on: dt.date


@dataclass(frozen=True)
class ClaimPage:
    """One page of claims, and how many match in all."""

    claims: tuple[Claim, ...]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class Repayment:
    """One repayment line on the escrow statement."""

    bank_ref: str
    statement_date: dt.date
    amount_idr: int
    quoted: str | None
    claim_id: str | None


@dataclass(frozen=True)
class RepaymentSplit:
    """Repayments on the escrow statement up to a day: credited to claims, or naming none."""

    to_claims_idr: int = 0
    unknown_idr: int = 0
    unknown: tuple[Repayment, ...] = field(default=())

    @property
    def total_idr(self) -> int:
        """Every repayment received."""
        return self.to_claims_idr + self.unknown_idr


@dataclass(frozen=True)
class RecoveryTotals:
    """The recovery as of a day: claims per status, amounts claimed, repaid and outstanding."""

    day: dt.date
    claims: int
    by_status: dict[str, int]
    amount_idr: int
    repaid_idr: int
    outstanding_idr: int
    excess_idr: int
    unknown_idr: int

    def sentence(self) -> str:
        """Return the totals as one line."""
        statuses = " ".join(f"{status}={count}" for status, count in self.by_status.items())
        return (
            f"recoveries {self.day}: {self.claims} claim(s) ({statuses}), "
            f"claimed {format_rupiah(self.amount_idr)}, repaid {format_rupiah(self.repaid_idr)}, "
            f"outstanding {format_rupiah(self.outstanding_idr)}, "
            f"over-paid {format_rupiah(self.excess_idr)}; "
            f"repayments naming no claim {format_rupiah(self.unknown_idr)}"
        )


def open_claims(session: Session, *, breaks: pa.Table, day: dt.date, actor: str) -> int:
    """Open and book a claim for every INELIGIBLE_PAYMENT break (INELIGIBLE_BREAKS) not claimed.

    Idempotent: a break or a payment already claimed is skipped. Return how
    many claims were opened.
    """
    holders = registry.holders_of_cards(
        session, card_numbers=breaks["card_number"].combine_chunks()
    )
    tables = {
        "breaks": breaks.cast(INELIGIBLE_BREAKS),
        "holders": holders,
        "claimed": repository.claim_keys(session),
    }
    with duckdb_connection(tables) as connection:
        new = connection.sql(sql("new_claims"), params={"days": REPAY_WITHIN_DAYS}).to_arrow_table()
    new = new.cast(repository.CLAIMS)
    now = pa.array([utc_now()] * new.num_rows, pa.timestamp("us", tz="UTC"))
    opened = repository.insert_claims(session, new.append_column("created_at", now))
    books.post_claims_opened(session, new)
    if opened:
        record(
            session,
            action="recovery.claims_opened",
            subject_type="recovery",
            subject_id=day.isoformat(),
            business_date=day,
            actor=actor,
            details={"claims": opened, "claim_ids": new["claim_id"].to_pylist()[:100]},
        )
    return opened


def credit_repayments(session: Session, *, day: dt.date) -> int:
    """Move every repayment up to `day` that names an opened claim to the fund (once each)."""
    lines = _repayment_lines(session, day)
    return books.post_repayments(session, lines.filter(pc.is_valid(lines["claim_id"])))


def _repayment_lines(session: Session, day: dt.date) -> pa.Table:
    """Return each repayment line up to `day` with the claim it is credited to (or null)."""
    tables = {
        "claims": repository.read_claims(session),
        "repayments": payouts.repayment_lines(session, up_to=day),
    }
    with duckdb_connection(tables) as connection:
        return connection.sql(sql("repayments"), params={"day": day}).to_arrow_table()


def repayments_in_escrow(session: Session, *, day: dt.date) -> RepaymentSplit:
    """Split the repayments up to `day` into those credited to claims and those naming none."""
    lines = _repayment_lines(session, day).to_pylist()
    unknown = tuple(
        Repayment(
            bank_ref=row["bank_ref"],
            statement_date=row["statement_date"],
            amount_idr=int(row["amount_idr"]),
            quoted=row["quoted"],
            claim_id=None,
        )
        for row in lines
        if row["claim_id"] is None
    )
    total = sum(int(row["amount_idr"]) for row in lines)
    unknown_idr = sum(line.amount_idr for line in unknown)
    return RepaymentSplit(
        to_claims_idr=total - unknown_idr, unknown_idr=unknown_idr, unknown=unknown
    )


def _claims_table(session: Session, day: dt.date, *, stored: pa.Table | None = None) -> pa.Table:
    tables = {
        "claims": repository.read_claims(session) if stored is None else stored,
        "repayments": payouts.repayment_lines(session, up_to=day),
    }
    with duckdb_connection(tables) as connection:
        return connection.sql(sql("claims"), params={"day": day}).to_arrow_table()


def _claim(row: dict[str, Any], day: dt.date) -> Claim:
    return Claim(
        claim_id=row["claim_id"],
        card_number=row["card_number"],
        nik=row["nik"],
        amount_idr=int(row["amount_idr"]),
        repaid_idr=int(row["repaid_idr"]),
        opened_on=row["opened_on"],
        due_on=row["due_on"],
        status=ClaimStatus(row["status"]),
        break_id=row["break_id"],
        instruction_id=row["instruction_id"],
        partner_code=row["partner_code"],
        repayments=int(row["repayments"]),
        last_repaid_on=row["last_repaid_on"],
        age_days=int(row["age_days"]),
        as_of=day,
    )


def recoveries(session: Session, *, day: dt.date) -> list[Claim]:
    """Return every claim opened by `day`, as it stood on `day` (the export's rows)."""
    return [_claim(row, day) for row in _claims_table(session, day).to_pylist()]


def claims(
    session: Session,
    *,
    as_of: dt.date,
    status: ClaimStatus | None = None,
    page: int = 1,
    page_size: int = 50,
) -> ClaimPage:
    """Return one page of the claims opened by `as_of` (of one status), oldest first."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(f"page must be >= 1 and page size between 1 and {MAX_PAGE_SIZE}")
    table = _claims_table(session, as_of)
    if status is not None:
        table = table.filter(pc.equal(table["status"], status.value))
    rows = table.slice((page - 1) * page_size, page_size).to_pylist()
    return ClaimPage(
        claims=tuple(_claim(row, as_of) for row in rows),
        total=table.num_rows,
        page=page,
        page_size=page_size,
    )


def claims_for_card(session: Session, *, card_number: str, as_of: dt.date) -> list[Claim]:
    """Return a card's claims opened by `as_of`, as they stood then (for its holder's story)."""
    stored = repository.read_claims(session, card_number=card_number)
    if not stored.num_rows:
        return []  # most cards: no repayment line read, no DuckDB opened
    table = _claims_table(session, as_of, stored=stored)
    return [_claim(row, as_of) for row in table.to_pylist()]


def how_to_repay(claim: Claim) -> HowToRepay:
    """Return where a participant transfers a repayment and the claim id to quote with it."""
    return HowToRepay(
        escrow_account=get_settings().escrow_account,
        reference=claim.claim_id,
        amount_idr=claim.outstanding_idr,
        due_on=claim.due_on,
    )


def recovery_totals(
    session: Session, *, day: dt.date, claimed: list[Claim] | None = None
) -> RecoveryTotals:
    """Return the recovery's totals as of `day` (of `claimed` when already read for that day)."""
    rows = recoveries(session, day=day) if claimed is None else claimed
    by_status = {status.value: 0 for status in ClaimStatus}
    for claim in rows:
        by_status[claim.status.value] += 1
    return RecoveryTotals(
        day=day,
        claims=len(rows),
        by_status=by_status,
        amount_idr=sum(c.amount_idr for c in rows),
        repaid_idr=sum(c.repaid_idr for c in rows),
        outstanding_idr=sum(c.outstanding_idr for c in rows),
        excess_idr=sum(c.excess_idr for c in rows),
        unknown_idr=repayments_in_escrow(session, day=day).unknown_idr,
    )


__all__ = [
    "INELIGIBLE_BREAKS",
    "RECOVERY_COLUMNS",
    "Claim",
    "ClaimPage",
    "ClaimStatus",
    "HowToRepay",
    "RecoveryTotals",
    "Repayment",
    "RepaymentSplit",
    "claims",
    "claims_for_card",
    "credit_repayments",
    "how_to_repay",
    "open_claims",
    "recoveries",
    "recovery_totals",
    "repayments_in_escrow",
]
