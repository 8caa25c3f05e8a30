"""Loaders of the payout flow's contract files: payout accounts, partner results, bank statement."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.ingest import checks
from prakerja.ingest.checks import Field
from prakerja.ingest.pipeline import ImportContext, Loader, StoreOutcome
from prakerja.ingest.reader import RawFile
from prakerja.ingest.validate import rejects_for
from prakerja.kit.clock import jakarta_days
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import post_movements
from prakerja.payouts.books import EntryKind
from prakerja.payouts.codes import Direction, FailureCode, Partner, ResultStatus
from prakerja.payouts.models import BankStatementLine, PartnerResult, PayoutAccount
from prakerja.payouts.settle import settle_results
from prakerja.registry import service as registry
from prakerja.storage.base import table_of
from prakerja.storage.bulk import insert_new_rows

PARTNERS = tuple(partner.value for partner in Partner)
_PARTNERS = pa.array(PARTNERS, pa.string())


def _run_ids(rows: pa.Table, context: ImportContext) -> pa.Array:
    return pa.array([context.import_run_id] * rows.num_rows, pa.int64())


def _blank(values: pa.ChunkedArray) -> pa.Array:
    return pc.fill_null(pc.equal(values, ""), True)


class PayoutAccountsLoader(Loader):
    """payout-accounts.csv: a card's bank or e-wallet account; a later link replaces it."""

    kind: ClassVar[str] = "payout-accounts"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("card_number", checks.digits(16)),
        Field("partner_code", checks.one_of(PARTNERS)),
        Field("account_id", checks.text(60)),
        Field("account_name", checks.text(200)),
        Field("linked_at", checks.timestamp()),
    )
    key: ClassVar[tuple[str, ...]] = ("card_number", "linked_at", "partner_code", "account_id")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(PayoutAccount),)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Insert new links of known cards; a card the program never issued is a reject."""
        cards = registry.card_schemes(session)["card_number"]
        unknown = pc.invert(pc.is_in(rows["card_number"], value_set=cards))
        rejects = rejects_for(rows, unknown, "card_number", "unknown card number")
        rows = rows.filter(pc.invert(unknown))
        table = pa.table(
            {
                "card_number": rows["card_number"],
                "partner_code": rows["partner_code"],
                "account_id": rows["account_id"],
                "account_name": rows["account_name"],
                "linked_at": rows["linked_at"],
                "linked_on": jakarta_days(rows["linked_at"]),
                "import_run_id": _run_ids(rows, context),
            }
        )
        inserted = insert_new_rows(session, table_of(PayoutAccount), table, key=self.key)
        return StoreOutcome(duplicates=rows.num_rows - inserted, rejects=rejects)


class PartnerResultsLoader(Loader):
    """partner-results.csv: what a payment partner did with each instruction.

    Every well-formed row is kept, also when it contradicts the instruction
    (another amount or account, a second SUCCESS, an instruction id never
    issued): those are facts for reconciliation. The key is the partner's
    own transaction id, so a re-delivered row is a duplicate, never a payment.
    """

    kind: ClassVar[str] = "partner-results"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("partner_code", checks.one_of(PARTNERS)),
        Field("instruction_id", checks.text(60)),
        Field("partner_txn_id", checks.text(80)),
        Field("account_id", checks.text(60), required=False),
        Field("amount_idr", checks.integer(minimum=0)),
        Field("status", checks.one_of(tuple(ResultStatus))),
        Field("failure_code", checks.one_of(tuple(FailureCode)), required=False),
        Field("processed_at", checks.timestamp()),
    )
    key: ClassVar[tuple[str, ...]] = ("partner_code", "partner_txn_id")
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(PartnerResult),)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Insert new results, then apply them to their instructions and the ledger."""
        success = pc.equal(rows["status"], ResultStatus.SUCCESS.value)
        no_code = _blank(rows["failure_code"])
        faults = [
            (pc.and_(success, pc.invert(no_code)), "failure_code", "only a FAILED result has one"),
            (pc.and_(pc.invert(success), no_code), "failure_code", "missing (FAILED needs one)"),
            (pc.and_(success, _blank(rows["account_id"])), "account_id", "missing"),
        ]
        rejected = pa.array([False] * rows.num_rows, pa.bool_())
        reject_tables = []
        for mask, column, reason in faults:
            fresh = pc.and_(mask, pc.invert(rejected))
            reject_tables.append(rejects_for(rows, fresh, column, reason))
            rejected = pc.or_(rejected, fresh)
        rows = rows.filter(pc.invert(rejected))
        table = pa.table(
            {
                "partner_code": rows["partner_code"],
                "instruction_id": rows["instruction_id"],
                "partner_txn_id": rows["partner_txn_id"],
                "account_id": pc.fill_null(rows["account_id"], ""),
                "amount_idr": rows["amount_idr"],
                "status": rows["status"],
                "failure_code": rows["failure_code"],
                "processed_at": rows["processed_at"],
                "processed_on": jakarta_days(rows["processed_at"]),
                "import_run_id": _run_ids(rows, context),
                "source_line": rows["_line"],
            }
        )
        context.reporter.start("storing partner results", table.num_rows)
        inserted = insert_new_rows(
            session,
            table_of(PartnerResult),
            table,
            key=self.key,
            progress=context.reporter.advance,
        )
        settle_results(session, import_run_id=context.import_run_id)
        return StoreOutcome(
            duplicates=rows.num_rows - inserted, rejects=pa.concat_tables(reject_tables)
        )


class BankStatementLoader(Loader):
    """bank-statement.csv or camt.053 XML: transfers on the program's escrow account.

    Each new line is a ledger movement between the escrow account and the
    counterparty: a debit funds a partner (`PARTNER_FUNDS:<code>`), a credit
    from a payment partner is its refund, any other credit is money paid in
    (`ESCROW_FUNDING:<payer>`). Lines are kept as they came (a debit with an
    unknown batch, an amount that differs from the batch): facts for
    reconciliation.
    """

    kind: ClassVar[str] = "bank-statement"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("statement_date", checks.date()),
        Field("bank_ref", checks.text(80)),
        Field("counterparty_code", checks.code()),
        Field("amount_idr", checks.integer(minimum=1)),
        Field("direction", checks.one_of(tuple(Direction))),
        Field("batch_id", checks.text(35), required=False),
    )
    key: ClassVar[tuple[str, ...]] = ("bank_ref",)
    stored_in: ClassVar[tuple[Table, ...]] = (table_of(BankStatementLine),)

    def read(self, path: Path, required: Sequence[str], optional: Sequence[str]) -> RawFile:
        """Read CSV or JSON Lines, or an ISO 20022 camt.053 statement when the name ends in .xml."""
        if path.suffix.lower() == ".xml":
            from prakerja.payouts.camt053 import read_statement

            return read_statement(path)
        return super().read(path, required, optional)

    def store(self, session: Session, rows: pa.Table, context: ImportContext) -> StoreOutcome:
        """Insert new lines (keyed by the bank's reference) and post each to the ledger once."""
        table = pa.table(
            {
                "bank_ref": rows["bank_ref"],
                "statement_date": rows["statement_date"],
                "counterparty_code": rows["counterparty_code"],
                "amount_idr": rows["amount_idr"],
                "direction": rows["direction"],
                "batch_id": rows["batch_id"],
                "import_run_id": _run_ids(rows, context),
                "source_line": rows["_line"],
            }
        )
        inserted = insert_new_rows(session, table_of(BankStatementLine), table, key=self.key)
        debit = pc.equal(rows["direction"], Direction.DEBIT.value)
        partner_side = pc.or_(debit, pc.is_in(rows["counterparty_code"], value_set=_PARTNERS))
        counterparty = pc.binary_join_element_wise(
            pc.if_else(
                partner_side,
                account(AccountKind.PARTNER_FUNDS),
                account(AccountKind.ESCROW_FUNDING),
            ),
            rows["counterparty_code"],
            ":",
        )
        escrow = account(AccountKind.ESCROW)
        post_movements(
            session,
            keys=pc.binary_join_element_wise("BANK", rows["bank_ref"], ":"),
            kind=pc.if_else(debit, EntryKind.ESCROW_DEBIT, EntryKind.ESCROW_CREDIT),
            debit=pc.if_else(debit, counterparty, escrow),
            credit=pc.if_else(debit, escrow, counterparty),
            amounts=rows["amount_idr"],
            day=rows["statement_date"],
            references=rows["bank_ref"],
        )
        return StoreOutcome(duplicates=rows.num_rows - inserted)
