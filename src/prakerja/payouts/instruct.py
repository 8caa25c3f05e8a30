"""Disbursement instructions: one attempt to pay one due entitlement, in one batch per partner.

An entitlement gets an instruction on a business day when it has fallen
due, is not held, is not paid, has no instruction in flight, and has a
payout account linked by that day; after a failed attempt, only once an
account was linked after the failure. A retry or a re-send after a cancel is
a new attempt with its own `instruction_id`. The partial unique index on
`instructions` makes a second live instruction for one entitlement
impossible, whatever this code does.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import and_, exists, func, insert, or_, select, text
from sqlalchemy.orm import Session, aliased

from prakerja.kit.clock import utc_now
from prakerja.payouts.books import (
    PAYABLE,
    RETURNED,
    EntryKind,
    post_movements,
    settlement_accounts,
)
from prakerja.payouts.models import (
    Entitlement,
    IncentiveKind,
    Instruction,
    InstructionState,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows

#: Columns of the outbound file `instructions-PARTNER-DATE.csv`, in the contract's order.
FILE_COLUMNS = (
    "instruction_id",
    "batch_id",
    "card_number",
    "beneficiary_name",
    "partner_code",
    "account_id",
    "amount_idr",
    "incentive_kind",
    "tranche",
    "attempt",
    "created_at",
)
KIND_CODES = {IncentiveKind.POST_TRAINING.value: "PT", IncentiveKind.SURVEY.value: "SV"}
_LIVE = (InstructionState.OPEN.value, InstructionState.SUCCEEDED.value)

_PLAN_SCHEMA = pa.schema(
    [
        ("entitlement_id", pa.int64()),
        ("card_number", pa.string()),
        ("kind", pa.string()),
        ("tranche", pa.int64()),
        ("amount_idr", pa.int64()),
        ("partner_code", pa.string()),
        ("account_id", pa.string()),
        ("beneficiary_name", pa.string()),
        ("last_attempt", pa.int64()),
        ("last_state", pa.string()),
    ]
)
_FILE_SCHEMA = pa.schema(
    [
        ("instruction_id", pa.string()),
        ("batch_id", pa.string()),
        ("card_number", pa.string()),
        ("beneficiary_name", pa.string()),
        ("partner_code", pa.string()),
        ("account_id", pa.string()),
        ("amount_idr", pa.int64()),
        ("incentive_kind", pa.string()),
        ("tranche", pa.int64()),
        ("attempt", pa.int64()),
        ("created_at", pa.date32()),
    ]
)


@dataclass(frozen=True)
class Batch:
    """One partner's instructions of one run."""

    batch_id: str
    partner_code: str
    instructions: int
    amount_idr: int


def instruction_ids(
    cards: pa.Array, kinds: pa.Array, tranches: pa.Array, attempts: pa.Array
) -> pa.Array:
    """Return `INS-<card>-<PT|SV>-<tranche>-<attempt>` (two digits at least) for each row."""
    codes = pc.if_else(pc.equal(kinds, IncentiveKind.POST_TRAINING.value), "PT", "SV")

    def two_digits(values: pa.Array) -> pa.Array:
        return pc.utf8_lpad(pc.cast(values, pa.string()), 2, "0")

    return pc.binary_join_element_wise(
        "INS", cards, codes, two_digits(tranches), two_digits(attempts), "-"
    )


def batch_id(partner_code: str, day: dt.date, run_number: int) -> str:
    """Return the batch id of a partner's `run_number`-th batch of a day (at most 35 chars)."""
    return f"B-{partner_code}-{day.isoformat()}-{run_number:02d}"


def plan(session: Session, day: dt.date) -> pa.Table:
    """Return the entitlements to instruct on `day`, each with its account and last attempt."""
    current = (
        select(
            PayoutAccount.card_number,
            PayoutAccount.partner_code,
            PayoutAccount.account_id,
            PayoutAccount.account_name,
            PayoutAccount.linked_at,
            func.row_number()
            .over(
                partition_by=PayoutAccount.card_number,
                order_by=(PayoutAccount.linked_at.desc(), PayoutAccount.id.desc()),
            )
            .label("position"),
        )
        .where(PayoutAccount.linked_on <= day)
        .subquery()
    )
    earlier = aliased(Instruction)
    mine = earlier.entitlement_id == Entitlement.id
    last_attempt = select(func.max(earlier.attempt)).where(mine).scalar_subquery()
    last_state = (
        select(earlier.state).where(mine).order_by(earlier.attempt.desc()).limit(1)
    ).scalar_subquery()
    failed_at = (
        select(earlier.result_at)
        .where(mine, earlier.state == InstructionState.FAILED.value)
        .order_by(earlier.attempt.desc())
        .limit(1)
    ).scalar_subquery()
    live = exists(select(earlier.instruction_id).where(mine, earlier.state.in_(_LIVE)))
    query = (
        select(
            Entitlement.id,
            Entitlement.card_number,
            Entitlement.kind,
            Entitlement.tranche,
            Entitlement.amount_idr,
            current.c.partner_code,
            current.c.account_id,
            current.c.account_name,
            func.coalesce(last_attempt, 0),
            last_state,
        )
        .join(
            current,
            and_(current.c.card_number == Entitlement.card_number, current.c.position == 1),
        )
        .where(
            Entitlement.due_on <= day,
            Entitlement.paid_on.is_(None),
            or_(Entitlement.held_from.is_(None), Entitlement.held_from > day),
            ~live,
            or_(failed_at.is_(None), current.c.linked_at > failed_at),
        )
        .order_by(Entitlement.card_number, Entitlement.kind, Entitlement.tranche)
    )
    return fetch_arrow(session, query, _PLAN_SCHEMA)


def _next_run_numbers(session: Session, day: dt.date, partners: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(PaymentBatch.partner_code, func.max(PaymentBatch.run_number))
        .where(PaymentBatch.business_date == day, PaymentBatch.partner_code.in_(partners))
        .group_by(PaymentBatch.partner_code)
    )
    done = {str(partner): int(number) for partner, number in rows}
    return {partner: done.get(partner, 0) + 1 for partner in partners}


def _lock_payouts(session: Session) -> None:
    """Serialise payouts runs on PostgreSQL (SQLite has one writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('prakerja.payouts'))"))


def instruct_due(session: Session, *, day: dt.date) -> list[Batch]:
    """Create the day's instructions, one batch per partner, funded to the partners' settlement.

    Returns the batches created (none when nothing is to be instructed).
    """
    _lock_payouts(session)
    planned = plan(session, day)
    if planned.num_rows == 0:
        return []
    partners = sorted(set(planned["partner_code"].to_pylist()))
    runs = _next_run_numbers(session, day, partners)
    batch_of = {partner: batch_id(partner, day, runs[partner]) for partner in partners}
    attempts = pc.add(planned["last_attempt"], 1)
    ids = instruction_ids(planned["card_number"], planned["kind"], planned["tranche"], attempts)
    batches = pa.array([batch_of[partner] for partner in partners], pa.string()).take(
        pc.index_in(planned["partner_code"], value_set=pa.array(partners, pa.string()))
    )
    now = utc_now()
    count = planned.num_rows
    rows = pa.table(
        {
            "instruction_id": ids,
            "batch_id": batches,
            "entitlement_id": planned["entitlement_id"],
            "card_number": planned["card_number"],
            "kind": planned["kind"],
            "tranche": planned["tranche"],
            "attempt": attempts,
            "partner_code": planned["partner_code"],
            "account_id": planned["account_id"],
            "beneficiary_name": planned["beneficiary_name"],
            "amount_idr": planned["amount_idr"],
            "created_on": pa.array([day] * count, pa.date32()),
            "created_at": pa.array([now] * count, pa.timestamp("us", tz="UTC")),
            "state": pa.array([InstructionState.OPEN.value] * count, pa.string()),
        }
    )
    summary = rows.group_by("partner_code").aggregate(
        [("instruction_id", "count"), ("amount_idr", "sum")]
    )
    created = [
        Batch(batch_of[partner], partner, int(number), int(amount))
        for partner, number, amount in zip(
            summary["partner_code"].to_pylist(),
            summary["instruction_id_count"].to_pylist(),
            summary["amount_idr_sum"].to_pylist(),
            strict=True,
        )
    ]
    created.sort(key=lambda batch: batch.partner_code)
    session.execute(
        insert(PaymentBatch),
        [
            {
                "batch_id": batch.batch_id,
                "partner_code": batch.partner_code,
                "business_date": day,
                "run_number": runs[batch.partner_code],
                "instruction_count": batch.instructions,
                "total_amount_idr": batch.amount_idr,
                "created_at": now,
            }
            for batch in created
        ],
    )
    insert_new_rows(session, table_of(Instruction), rows)
    retried = pc.fill_null(pc.equal(planned["last_state"], InstructionState.FAILED.value), False)
    post_movements(
        session,
        keys=pc.binary_join_element_wise("SENT", ids, ":"),
        kind=EntryKind.INSTRUCTED,
        debit=settlement_accounts(planned["partner_code"]),
        credit=pc.if_else(retried, RETURNED, PAYABLE),
        amounts=planned["amount_idr"],
        day=day,
        references=ids,
    )
    return created


def day_instructions(session: Session, day: dt.date) -> pa.Table:
    """Return the day's instructions that still stand (not cancelled), as the file has them."""
    query = (
        select(
            Instruction.instruction_id,
            Instruction.batch_id,
            Instruction.card_number,
            Instruction.beneficiary_name,
            Instruction.partner_code,
            Instruction.account_id,
            Instruction.amount_idr,
            Instruction.kind,
            Instruction.tranche,
            Instruction.attempt,
            Instruction.created_on,
        )
        .where(
            Instruction.created_on == day,
            Instruction.state != InstructionState.CANCELLED.value,
        )
        .order_by(Instruction.batch_id, Instruction.instruction_id)
    )
    return fetch_arrow(session, query, _FILE_SCHEMA)


def day_partners(session: Session, day: dt.date) -> list[str]:
    """Return the partners that have a batch on `day`."""
    return sorted(
        session.scalars(
            select(PaymentBatch.partner_code).where(PaymentBatch.business_date == day).distinct()
        )
    )


def file_name(partner_code: str, day: dt.date) -> str:
    """Return the contract's name of a partner's instructions file for a day."""
    return f"instructions-{partner_code}-{day.isoformat()}.csv"


def write_files(session: Session, *, day: dt.date, out: Path) -> list[tuple[Path, int]]:
    """Write one file per partner with a batch that day: every instruction of the day not cancelled.

    A re-run of the same day writes the same files again (with any new
    batch of that day added), so that a partner never misses a file; each
    file is written beside its final name and renamed, never left half-written.
    """
    out.mkdir(parents=True, exist_ok=True)
    rows = day_instructions(session, day)
    rows = rows.set_column(
        rows.schema.get_field_index("created_at"),
        "created_at",
        pc.strftime(pc.cast(rows["created_at"], pa.timestamp("s")), format="%Y-%m-%d"),
    )
    written: list[tuple[Path, int]] = []
    for partner in day_partners(session, day):
        mine = rows.filter(pc.equal(rows["partner_code"], partner))
        target = out / file_name(partner, day)
        partial = target.with_name(target.name + ".partial")
        pacsv.write_csv(
            mine,
            partial,
            write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed"),
        )
        os.replace(partial, target)
        written.append((target, mine.num_rows))
    return written
