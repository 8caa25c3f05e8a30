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
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import (
    Date,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, aliased

from prakerja.kit import files
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import InputError
from prakerja.ledger.service import LEDGER_INSERT
from prakerja.payouts.books import PAYABLE, RETURNED, SETTLEMENT_PREFIX, EntryKind
from prakerja.payouts.codes import IncentiveKind, InstructionState, ResultStatus
from prakerja.payouts.models import (
    Entitlement,
    Instruction,
    PartnerResult,
    PaymentBatch,
    PayoutAccount,
)
from prakerja.storage.arrow import compile_sql, fetch_arrow
from prakerja.storage.base import UtcDateTime
from prakerja.storage.db import refresh_statistics
from prakerja.storage.duck import read_sql

_PACKAGE = "prakerja.payouts"

_LIVE = (InstructionState.OPEN.value, InstructionState.SUCCEEDED.value)

#: The outbound file `instructions-PARTNER-DATE.csv`, its columns in the contract's order.
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


def batch_id(partner_code: str, day: dt.date, run_number: int) -> str:
    """Return the batch id of a partner's `run_number`-th batch of a day (at most 35 chars)."""
    return f"B-{partner_code}-{day.isoformat()}-{run_number:02d}"


def plan_query(day: dt.date) -> Select[Any]:
    """Return the SELECT of the entitlements to instruct on `day`, with account and attempt.

    Never one that has a SUCCESS on file (on any of its instructions, from the
    partner it was issued to), whatever its states say.

    Columns: entitlement_id, card_number, kind, tranche, amount_idr, partner_code,
    account_id, beneficiary_name, attempt (the new one), retried (1 when the
    latest attempt failed, so the amount comes back from incentives returned).
    """
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
    succeeded = exists(
        select(PartnerResult.id).where(
            mine,
            PartnerResult.instruction_id == earlier.instruction_id,
            PartnerResult.partner_code == earlier.partner_code,
            PartnerResult.status == ResultStatus.SUCCESS.value,
        )
    )
    return (
        select(
            Entitlement.id.label("entitlement_id"),
            Entitlement.card_number,
            Entitlement.kind,
            Entitlement.tranche,
            Entitlement.amount_idr,
            current.c.partner_code,
            current.c.account_id,
            current.c.account_name.label("beneficiary_name"),
            (func.coalesce(last_attempt, 0) + 1).label("attempt"),
            case((last_state == InstructionState.FAILED.value, 1), else_=0).label("retried"),
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
            ~succeeded,
            or_(failed_at.is_(None), current.c.linked_at > failed_at),
        )
    )


def _sql(name: str) -> str:
    return read_sql(_PACKAGE, name)


#: The states, kinds and accounts the instructing steps write.
_CODES = {
    "post_training": IncentiveKind.POST_TRAINING.value,
    "open": InstructionState.OPEN.value,
    "instructed_kind": EntryKind.INSTRUCTED,
    "settlement_prefix": SETTLEMENT_PREFIX,
    "returned": RETURNED,
    "payable": PAYABLE,
}


def _next_run_numbers(session: Session, day: dt.date, partners: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(PaymentBatch.partner_code, func.max(PaymentBatch.run_number))
        .where(PaymentBatch.business_date == day, PaymentBatch.partner_code.in_(partners))
        .group_by(PaymentBatch.partner_code)
    )
    done = {str(partner): int(number) for partner, number in rows}
    return {partner: done.get(partner, 0) + 1 for partner in partners}


#: The tables the plan joins, analysed before it is planned (PostgreSQL).
_PLANNED_OVER = ("entitlements", "instructions", "partner_results", "payout_accounts")


def _lock_payouts(session: Session) -> None:
    """Serialise payouts runs on PostgreSQL (SQLite has one writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('prakerja.payouts'))"))


def instruct_due(session: Session, *, day: dt.date) -> list[Batch]:
    """Create the day's instructions, one batch per partner, funded to the partners' settlement.

    The whole step is SQL inside the system of record (a temporary plan
    table, then INSERT ... SELECT), so that no row travels through Python.
    Returns the batches created (none when nothing is to be instructed).
    """
    _lock_payouts(session)
    # A run follows imports that grew these tables by hundreds of thousands of rows, and
    # autovacuum samples them late (or never, where it is off): the plan's anti-join over
    # the partners' successes, planned for a few rows, went quadratic (the fourth tranche
    # of 280,000 participants ran past five minutes; bench/README.md).
    refresh_statistics(session, *_PLANNED_OVER)
    connection = session.connection()
    connection.execute(text("DROP TABLE IF EXISTS payout_plan"))
    connection.execute(
        text(f"CREATE TEMP TABLE payout_plan AS {compile_sql(session, plan_query(day))}")
    )
    refresh_statistics(session, "payout_plan")
    totals = connection.execute(
        text(
            "SELECT partner_code, count(*), sum(amount_idr) FROM payout_plan "
            "GROUP BY partner_code ORDER BY partner_code"
        )
    ).all()
    if not totals:
        connection.execute(text("DROP TABLE payout_plan"))
        return []
    runs = _next_run_numbers(session, day, [str(partner) for partner, _n, _a in totals])
    now = utc_now()
    created = [
        Batch(batch_id(str(partner), day, runs[str(partner)]), str(partner), int(n), int(amount))
        for partner, n, amount in totals
    ]
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
    stamps = (bindparam("day", type_=Date), bindparam("now", type_=UtcDateTime))
    values = {**_CODES, "day": day, "now": now}
    connection.execute(text(_sql("instruct_insert")).bindparams(*stamps), values)
    sent = text(LEDGER_INSERT + _sql("instruct_sent_ledger")).bindparams(*stamps)
    connection.execute(sent, values)
    connection.execute(text("DROP TABLE payout_plan"))
    return created


def prepare_folder(out: Path) -> None:
    """Create the instructions folder if need be; refuse one that is a file or not writable."""
    if out.exists() and not out.is_dir():
        raise InputError(f"instructions folder {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(f"instructions folder {out} cannot be written: {reason}") from exc


def file_name(partner_code: str, day: dt.date) -> str:
    """Return the contract's name of a partner's instructions file for a day."""
    return f"instructions-{partner_code}-{day.isoformat()}.csv"


def _batches_in(path: Path) -> set[str]:
    """Return the batch ids an instructions file already written into `path` holds."""
    if not path.exists():
        return set()
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=["batch_id"], column_types={"batch_id": pa.string()}
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        raise InputError(f"{path} is there but is not an instructions file: {exc}") from exc
    return {str(batch) for batch in pc.unique(table["batch_id"]).to_pylist()}


def _file_rows(session: Session, batch_ids: list[str]) -> pa.Table:
    """Return the instructions of these batches that still stand (not cancelled), as filed."""
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
            Instruction.batch_id.in_(batch_ids),
            Instruction.state != InstructionState.CANCELLED.value,
        )
        .order_by(Instruction.batch_id, Instruction.instruction_id)
    )
    rows = fetch_arrow(session, query, _FILE_SCHEMA)
    return rows.set_column(
        rows.schema.get_field_index("created_at"),
        "created_at",
        pc.strftime(pc.cast(rows["created_at"], pa.timestamp("s")), format="%Y-%m-%d"),
    )


def partner_day_rows(session: Session, *, partner_code: str, day: dt.date) -> pa.Table:
    """Return a partner's instructions of a business day as its file lists them (not cancelled)."""
    batches = session.scalars(
        select(PaymentBatch.batch_id).where(
            PaymentBatch.business_date == day, PaymentBatch.partner_code == partner_code
        )
    ).all()
    return _file_rows(session, [str(batch) for batch in batches])


def _write_csv(target: Path, rows: pa.Table) -> None:
    """Write the file atomically (never half-written), every value exactly as the contract says."""
    columns = [rows[name].to_pylist() for name in rows.column_names]
    files.write_csv(
        target, rows.column_names, zip(*columns, strict=True), for_people=False, notice=None
    )


def write_files(session: Session, *, day: dt.date, out: Path) -> list[tuple[Path, int]]:
    """Write the files of the day's batches not written yet; return each file with its rows.

    Those are the batches of the run that just committed and any that a run
    killed after its commit left unwritten. A partner's file that `out`
    already holds (an earlier run of the day into the same folder) keeps the
    batches it has and gains the new ones; cancelled instructions are
    dropped. A batch is marked written once its file is in place, so a batch
    is sent once, and a run that made nothing new writes nothing.
    """
    unwritten = session.execute(
        select(PaymentBatch.partner_code, PaymentBatch.batch_id)
        .where(PaymentBatch.business_date == day, PaymentBatch.files_written_at.is_(None))
        .order_by(PaymentBatch.partner_code, PaymentBatch.batch_id)
        .with_for_update()
    ).all()
    if not unwritten:
        return []
    prepare_folder(out)
    new: dict[str, list[str]] = {}
    for partner, batch in unwritten:
        new.setdefault(str(partner), []).append(str(batch))
    of_the_day = session.execute(
        select(PaymentBatch.partner_code, PaymentBatch.batch_id).where(
            PaymentBatch.business_date == day, PaymentBatch.partner_code.in_(list(new))
        )
    ).all()
    written: list[tuple[Path, int]] = []
    for partner, batches in new.items():
        target = out / file_name(partner, day)
        known = {str(batch) for code, batch in of_the_day if code == partner}
        rows = _file_rows(session, sorted((_batches_in(target) & known) | set(batches)))
        _write_csv(target, rows)
        session.execute(
            update(PaymentBatch)
            .where(PaymentBatch.batch_id.in_(batches))
            .values(files_written_at=utc_now())
        )
        written.append((target, rows.num_rows))
    return written
