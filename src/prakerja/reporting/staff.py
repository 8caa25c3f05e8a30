"""Read-only queries behind the staff pages: the day's funnel and money, breaks in pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from prakerja.payouts.models import BankStatementLine, Instruction, PartnerResult, PaymentBatch
from prakerja.reconciliation.models import Break, ReconciliationRun
from prakerja.reconciliation.taxonomy import AGING_BUCKETS, BUCKET_NAMES, BreakStatus, RunMode
from prakerja.registry.models import Card, Registration, SelectionResult, WaveQuota
from prakerja.transactions.models import InvoiceLine

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
    run = session.scalars(
        select(ReconciliationRun)
        .where(
            ReconciliationRun.mode == RunMode.DAILY.value,
            ReconciliationRun.business_date <= day,
        )
        .order_by(ReconciliationRun.business_date.desc(), ReconciliationRun.id.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    return DayRun(
        day=run.business_date,
        gap=list(run.details.get("gap", [])),
        escrow=dict(run.details.get("escrow", {})),
    )


def latest_day(session: Session) -> dt.date | None:
    """Return the latest business day reconciled, or None."""
    return session.scalar(select(func.max(ReconciliationRun.business_date)))


def funnel_counts(session: Session, day: dt.date) -> dict[str, int]:
    """Return applicants, selected and purchased (first purchase by `day`)."""
    applicants = session.scalar(select(func.count(func.distinct(Registration.nik))))
    selected = session.scalar(
        select(func.count())
        .select_from(SelectionResult)
        .where(SelectionResult.card_number.is_not(None), SelectionResult.decided_on <= day)
    )
    purchased = session.scalar(
        select(func.count()).select_from(Card).where(Card.first_purchase_on <= day)
    )
    return {
        "applicants": int(applicants or 0),
        "selected": int(selected or 0),
        "purchased": int(purchased or 0),
    }


def matched_payments(session: Session, day: dt.date) -> int:
    """Return the instructions answered by their partner by `day` with no break open on them."""
    before = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    broken = select(Break.instruction_id).where(
        _open_on(day), Break.instruction_id == Instruction.instruction_id
    )
    total = session.scalar(
        select(func.count())
        .select_from(Instruction)
        .where(Instruction.result_at < before, ~broken.exists())
    )
    return int(total or 0)


def returned_idr(session: Session, day: dt.date) -> int:
    """Return what payment partners sent back into escrow (credits from them) up to `day`."""
    partners = select(PaymentBatch.partner_code).distinct()
    total = session.scalar(
        select(func.coalesce(func.sum(BankStatementLine.amount_idr), 0)).where(
            BankStatementLine.direction == "CREDIT",
            BankStatementLine.statement_date <= day,
            BankStatementLine.counterparty_code.in_(partners),
        )
    )
    return int(total or 0)


@dataclass(frozen=True)
class BreakFilter:
    """What the breaks list is narrowed to; None means any."""

    day: dt.date
    break_type: str | None = None
    partner_code: str | None = None
    wave: int | None = None
    age: str | None = None
    status: str | None = BreakStatus.OPEN.value


def _age_range(day: dt.date, bucket: str) -> Any:
    bounds = dict(AGING_BUCKETS)
    names = [name for name, _ in AGING_BUCKETS]
    if bucket not in BUCKET_NAMES:
        return None
    if bucket not in bounds:
        return Break.fact_on < day - dt.timedelta(days=AGING_BUCKETS[-1][1])
    upper = bounds[bucket]
    index = names.index(bucket)
    lower = AGING_BUCKETS[index - 1][1] if index else None
    newest = Break.fact_on >= day - dt.timedelta(days=upper)
    return newest if lower is None else and_(newest, Break.fact_on < day - dt.timedelta(days=lower))


def _filtered(query: Select[Any], chosen: BreakFilter) -> Select[Any]:
    conditions = []
    if chosen.break_type:
        conditions.append(Break.break_type == chosen.break_type)
    if chosen.partner_code:
        conditions.append(Break.partner_code == chosen.partner_code)
    if chosen.wave is not None:
        conditions.append(Break.wave == chosen.wave)
    if chosen.status:
        conditions.append(Break.status == chosen.status)
    if chosen.age:
        age = _age_range(chosen.day, chosen.age)
        if age is not None:
            conditions.append(age)
    return query.where(*conditions) if conditions else query


def breaks_page(
    session: Session, chosen: BreakFilter, *, page: int, size: int = PAGE_SIZE
) -> tuple[list[Break], bool]:
    """Return one page of breaks (newest first) and whether a next page exists, in SQL."""
    query = _filtered(select(Break), chosen).order_by(Break.detected_on.desc(), Break.break_id)
    rows = list(session.scalars(query.offset((page - 1) * size).limit(size + 1)))
    return rows[:size], len(rows) > size


def _open_on(day: dt.date) -> Any:
    """Breaks open at the end of `day`: found by then and not resolved by then."""
    return and_(Break.detected_on <= day, or_(Break.resolved_on.is_(None), Break.resolved_on > day))


def open_breaks_by(
    session: Session, column: str, day: dt.date, *, limit: int = 20
) -> list[tuple[str, int]]:
    """Return the breaks open on `day` counted by partner_code or break_type, largest first."""
    key = {"partner": Break.partner_code, "type": Break.break_type}[column]
    rows = session.execute(
        select(key, func.count())
        .where(_open_on(day))
        .group_by(key)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    return [(str(name or "-"), int(count)) for name, count in rows]


def open_breaks_by_age(session: Session, day: dt.date) -> list[tuple[str, int]]:
    """Return the breaks open on `day` per aging bucket, in bucket order."""
    columns = []
    for bucket in BUCKET_NAMES:
        condition = _age_range(day, bucket)
        columns.append(func.coalesce(func.sum(_when(condition)), 0))
    counts = session.execute(select(*columns).where(Break.status == BreakStatus.OPEN.value)).one()
    return [(bucket, int(count)) for bucket, count in zip(BUCKET_NAMES, counts, strict=True)]


def _when(condition: Any) -> Any:
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def break_partners(session: Session) -> list[str]:
    """Return every partner code breaks name, for the filter's choices."""
    return [
        str(code)
        for code in session.scalars(
            select(Break.partner_code).where(Break.partner_code.is_not(None)).distinct()
        )
    ]


@dataclass(frozen=True)
class BreakFacts:
    """A break and the records behind it."""

    found: Break
    instruction: Instruction | None
    results: list[PartnerResult]
    bank_lines: list[BankStatementLine]
    invoice_lines: list[InvoiceLine]


def break_facts(session: Session, break_id: str) -> BreakFacts | None:
    """Return a break with its instruction, partner results, bank lines and invoice lines."""
    found = session.get(Break, break_id)
    if found is None:
        return None
    instruction = session.get(Instruction, found.instruction_id) if found.instruction_id else None
    results = _results(session, found)
    bank = (
        list(
            session.scalars(
                select(BankStatementLine).where(BankStatementLine.batch_id == found.batch_id)
            )
        )
        if found.batch_id
        else []
    )
    invoices = (
        list(
            session.scalars(
                select(InvoiceLine).where(InvoiceLine.voucher_code == found.voucher_code)
            )
        )
        if found.voucher_code
        else []
    )
    return BreakFacts(found, instruction, results, bank, invoices)


def _results(session: Session, found: Break) -> list[PartnerResult]:
    keys = []
    if found.instruction_id:
        keys.append(PartnerResult.instruction_id == found.instruction_id)
    if found.partner_txn_id:
        keys.append(PartnerResult.partner_txn_id == found.partner_txn_id)
    if not keys:
        return []
    return list(session.scalars(select(PartnerResult).where(or_(*keys)).order_by(PartnerResult.id)))


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
    selected = {
        (wave, province): int(count)
        for wave, province, count in session.execute(
            select(SelectionResult.wave, Registration.province_code, func.count())
            .join(Registration, Registration.id == SelectionResult.registration_id)
            .where(SelectionResult.card_number.is_not(None))
            .group_by(SelectionResult.wave, Registration.province_code)
        )
    }
    revoked = {
        (wave, province): int(count)
        for wave, province, count in session.execute(
            select(Card.wave, Card.province_code, func.count())
            .where(Card.revoked_on.is_not(None))
            .group_by(Card.wave, Card.province_code)
        )
    }
    quotas = session.execute(
        select(
            WaveQuota.wave, WaveQuota.province_code, WaveQuota.quota, WaveQuota.added_places
        ).order_by(WaveQuota.wave, WaveQuota.province_code)
    ).all()
    return [
        ProvinceRow(
            wave=wave,
            province_code=province,
            quota=int(quota),
            refilled=int(added or 0),
            selected=_of(selected, wave, province),
            revoked=_of(revoked, wave, province),
        )
        for wave, province, quota, added in quotas
    ]


def _of(counts: dict[tuple[int, str | None], int], wave: int, province: str) -> int:
    """A province's count; the national quota ("*") counts the whole wave."""
    if province == "*":
        return sum(count for (number, _), count in counts.items() if number == wave)
    return counts.get((wave, province), 0)


def recent_runs(session: Session, *, limit: int = 30) -> list[ReconciliationRun]:
    """Return the latest reconciliation runs, newest first."""
    return list(
        session.scalars(
            select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(limit)
        )
    )
