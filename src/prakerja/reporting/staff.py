"""Read-only queries behind the staff pages: the day's funnel and money, breaks in pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from prakerja.payouts import service as payouts
from prakerja.reconciliation import reads as reconciliation
from prakerja.reconciliation.service import latest_run_day
from prakerja.reconciliation.taxonomy import BreakStatus
from prakerja.registry import reads as registry
from prakerja.transactions.service import invoice_lines_of_voucher

#: Most rows one page of a list shows.
PAGE_SIZE = 50


@dataclass(frozen=True)
class DayRun:
    """What the latest daily run up to a day recorded: the gap report and the escrow proof."""

    day: dt.date
    gap: list[dict[str, Any]]
    escrow: dict[str, int]


def run_up_to(session: Session, day: dt.date) -> DayRun | None:
    """Return the latest daily run on or before `day`, as it recorded itself, or None."""
    run = reconciliation.daily_run_up_to(session, day=day)
    if run is None:
        return None
    return DayRun(
        day=run.business_date,
        gap=list(run.details.get("gap", [])),
        escrow=dict(run.details.get("escrow", {})),
    )


def latest_day(session: Session) -> dt.date | None:
    """Return the latest business day reconciled, or None."""
    return latest_run_day(session)


def funnel_counts(session: Session, day: dt.date) -> dict[str, int]:
    """Return applicants, selected and purchased (first purchase by `day`)."""
    return registry.funnel_counts(session, day=day)


def matched_payments(session: Session, day: dt.date) -> int:
    """Return the instructions answered by their partner by `day` with no break open on them."""
    before = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    broken = reconciliation.open_break_instruction_ids(day=day)
    return payouts.answered_count(session, before=before, excluding=broken)


def returned_idr(session: Session, day: dt.date) -> int:
    """Return what payment partners sent back into escrow (credits from them) up to `day`."""
    return payouts.partner_credits(session, day=day)


@dataclass(frozen=True)
class BreakFilter:
    """What the breaks list is narrowed to; None means any."""

    day: dt.date
    break_type: str | None = None
    partner_code: str | None = None
    wave: int | None = None
    age: str | None = None
    status: str | None = BreakStatus.OPEN.value


def breaks_page(
    session: Session, chosen: BreakFilter, *, page: int, size: int = PAGE_SIZE
) -> tuple[list[Any], bool]:
    """Return one page of breaks (newest first) and whether a next page exists, in SQL."""
    rows = reconciliation.breaks_page(
        session,
        day=chosen.day,
        break_type=chosen.break_type,
        partner_code=chosen.partner_code,
        wave=chosen.wave,
        age=chosen.age,
        status=chosen.status,
        offset=(page - 1) * size,
        limit=size + 1,
    )
    return rows[:size], len(rows) > size


def open_breaks_by(
    session: Session, column: str, day: dt.date, *, limit: int = 20
) -> list[tuple[str, int]]:
    """Return the breaks open on `day` counted by partner_code or break_type, largest first."""
    return reconciliation.open_breaks_by(session, column=column, day=day, limit=limit)


def open_breaks_by_age(session: Session, day: dt.date) -> list[tuple[str, int]]:
    """Return the breaks open on `day` per aging bucket, in bucket order."""
    return reconciliation.open_breaks_by_age(session, day=day)


def break_partners(session: Session) -> list[str]:
    """Return every partner code breaks name, for the filter's choices."""
    return reconciliation.break_partners(session)


@dataclass(frozen=True)
class BreakFacts:
    """A break and the records behind it."""

    found: Any
    instruction: Any
    results: list[Any]
    bank_lines: list[Any]
    invoice_lines: list[Any]


def break_facts(session: Session, break_id: str) -> BreakFacts | None:
    """Return a break with its instruction, partner results, bank lines and invoice lines."""
    found = reconciliation.find_break(session, break_id=break_id)
    if found is None:
        return None
    instruction = (
        payouts.find_instruction(session, instruction_id=found.instruction_id)
        if found.instruction_id
        else None
    )
    results = payouts.results_for(
        session, instruction_id=found.instruction_id, partner_txn_id=found.partner_txn_id
    )
    bank = payouts.bank_lines_of_batch(session, batch_id=found.batch_id) if found.batch_id else []
    invoices = (
        invoice_lines_of_voucher(session, voucher_code=found.voucher_code)
        if found.voucher_code
        else []
    )
    return BreakFacts(found, instruction, results, bank, invoices)


@dataclass(frozen=True)
class ProvinceRow:
    """One province of a wave: places, selected, revoked cards, places refilled."""

    wave: int
    province_code: str
    quota: int
    refilled: int
    selected: int
    revoked: int


def province_rows(session: Session) -> list[ProvinceRow]:
    """Return quotas and selection per wave and province (grouped in SQL)."""
    selected, revoked = registry.province_counts(session)
    return [
        ProvinceRow(
            wave=wave,
            province_code=province,
            quota=quota,
            refilled=added,
            selected=_of(selected, wave, province),
            revoked=_of(revoked, wave, province),
        )
        for wave, province, quota, added in registry.quota_lines(session)
    ]


def _of(counts: dict[tuple[int, str | None], int], wave: int, province: str) -> int:
    """A province's count; the national quota ("*") counts the whole wave."""
    if province == "*":
        return sum(count for (number, _), count in counts.items() if number == wave)
    return counts.get((wave, province), 0)


def recent_runs(session: Session, *, limit: int = 30) -> list[Any]:
    """Return the latest reconciliation runs, newest first."""
    return reconciliation.recent_runs(session, limit=limit)
