"""The scoped daily run: which keys a day can change, and their facts alone.

Every break is about one card (the payment breaks, through instruction and
entitlement; INELIGIBLE through the holder's NIK), one batch, one voucher
(the invoice breaks) or one partner result naming no instruction
(UNKNOWN_PAYMENT); the gap report stages each card. A key's outcome can
change between two runs only if

- a fact about it was written since the previous run read the queue (the
  triggers queue its keys), or a fact dated after the previous run's day
  comes due (the triggers queue it under that day, and it waits until then);
- the day alone moves it: an instruction still unanswered crossing its
  result SLA (MISSING_RESULT), a batch still undebited past its next day.

A live break is not read again for its own sake: once a condition holds it
keeps holding, with the same description, until a fact about its key
changes (a result arrives, a retry succeeds, a debit comes, an operator's
cancel), and every such fact is queued. The only day-driven conditions are
the two above, and they only ever start to hold.

The scope is those keys; the run reads only their facts (staged keys the
domain readers join), runs the same SQL and keeps the conditions of the
scope, and the store compares them with the live breaks of the scope alone
(`ScopeFilter`); the other live breaks stay as they are. Reading a key that
did not change is harmless (its conditions come out as stored); only a key
left out could be wrong, and none is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.payouts import facts as payouts
from prakerja.reconciliation.sources import (
    FIRST_TRAININGS,
    Facts,
    InvoiceFacts,
    ParticipantFacts,
    PaymentFacts,
    compact,
    read_courses,
    scheme_tables,
)
from prakerja.reconciliation.taxonomy import BreakType
from prakerja.registry import facts as registry
from prakerja.storage.migrate import HEAD_REVISION
from prakerja.storage.scope import stage_keys
from prakerja.transactions import facts as transactions
from prakerja.transactions.service import first_trainings

BATCH_TYPES = frozenset({BreakType.BATCH_TOTAL_MISMATCH.value})
INVOICE_TYPES = frozenset(
    {
        BreakType.INVOICE_NOT_PAYABLE.value,
        BreakType.INVOICE_AMOUNT_MISMATCH.value,
        BreakType.DUPLICATE_INVOICE.value,
    }
)
#: A batch's missing debit is a break from the second day after its business day.
_DEBIT_DAYS = 3


@dataclass(frozen=True)
class Scope:
    """The keys a scoped run reconciles, staged in temporary tables of the session."""

    cards: Table
    batches: Table
    vouchers: Table
    results: Table
    card_numbers: pa.Array
    batch_ids: pa.Array
    voucher_codes: pa.Array


def fingerprint() -> str:
    """Return what a scoped run must share with the run before it.

    The schemes' rules the engine reads, and the store's schema revision.
    """
    rules, lists = scheme_tables()
    text = json.dumps(
        [HEAD_REVISION, rules.to_pylist(), lists.to_pylist()], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def needs_full_run(changes: pa.Table) -> bool:
    """Whether a queued change cannot be scoped (a catalog course: every voucher of it)."""
    return bool(pc.any(pc.is_valid(changes["course_code"])).as_py())


def _distinct(*arrays: pa.Array | pa.ChunkedArray) -> pa.Array:
    values = pa.chunked_array(
        [pc.drop_null(a).cast(pa.string()) for a in arrays if len(a)], type=pa.string()
    )
    return pc.unique(values.combine_chunks()) if values.num_chunks else pa.array([], pa.string())


def build_scope(session: Session, *, day: dt.date, previous: dt.date, changes: pa.Table) -> Scope:
    """Stage the keys a run of `day` after one of `previous` must reconcile (see the module)."""
    niks = stage_keys(session, name="scope_niks", keys=pa.table({"nik": _distinct(changes["nik"])}))
    answered = changes.filter(pc.is_valid(changes["partner_txn_id"]))
    refs = stage_keys(
        session,
        name="scope_result_refs",
        keys=answered.select(["partner_code", "instruction_id", "partner_txn_id"]),
    )
    matched = payouts.cards_of_results(session, results=refs)
    unmatched = matched.filter(pc.is_null(matched["card_number"]))
    rules, _ = scheme_tables()
    longest_sla = max([1, *(int(v) for v in rules["sla_days"].to_pylist() if v is not None)])
    waiting = payouts.unanswered_cards(
        session, created_from=previous - dt.timedelta(days=longest_sla + 1), as_of=day
    )
    cards = _distinct(
        changes["card_number"],
        registry.cards_of_holders(session, niks=niks)["card_number"],
        matched["card_number"],
        waiting["card_number"],
    )
    undebited = payouts.undebited_batches(
        session, since=previous - dt.timedelta(days=_DEBIT_DAYS), debited_by=previous, as_of=day
    )
    batches = _distinct(changes["batch_id"], undebited["batch_id"])
    vouchers = _distinct(changes["voucher_code"])
    results = (
        unmatched.select(["partner_code", "partner_txn_id"])
        .group_by(["partner_code", "partner_txn_id"])
        .aggregate([])
    )
    return Scope(
        cards=stage_keys(session, name="scope_cards", keys=pa.table({"card_number": cards})),
        batches=stage_keys(session, name="scope_batches", keys=pa.table({"batch_id": batches})),
        vouchers=stage_keys(
            session, name="scope_vouchers", keys=pa.table({"voucher_code": vouchers})
        ),
        results=stage_keys(session, name="scope_results", keys=results),
        card_numbers=cards,
        batch_ids=batches,
        voucher_codes=vouchers,
    )


def read_scoped_facts(session: Session, *, day: dt.date, scope: Scope) -> Facts:
    """Read the facts of the scope's keys as known on `day` (and every bank line: the escrow)."""
    rules, lists = scheme_tables()
    cards = scope.cards
    instructions = compact(
        payouts.scoped_instructions(session, as_of=day, cards=cards, batches=scope.batches)
    )
    of_cards = instructions.filter(pc.is_in(instructions["card_number"], scope.card_numbers))
    answered = stage_keys(
        session,
        name="scope_instructions",
        keys=of_cards.select(["instruction_id", "partner_code"]),
    )
    payments = PaymentFacts(
        instructions=instructions,
        results=compact(
            payouts.scoped_results(session, as_of=day, instructions=answered, results=scope.results)
        ),
        batches=payouts.batches(session, as_of=day, scope=scope.batches),
        bank_lines=payouts.bank_lines(session, as_of=day),
        cards=registry.card_holders(session, cards=cards),
        exclusions=registry.exclusions(session, as_of=day, cards=cards),
        scheme_rules=rules,
        scheme_lists=lists,
    )
    vouchers = scope.vouchers
    invoices = InvoiceFacts(
        invoices=transactions.invoice_lines(session, as_of=day, vouchers=vouchers),
        vouchers=transactions.invoiced_vouchers(session, as_of=day, vouchers=vouchers),
        attendances=transactions.invoiced_attendances(session, as_of=day, vouchers=vouchers),
        courses=read_courses(session),
    )
    trainings = first_trainings(session, as_of=day, cards=cards)
    participants = ParticipantFacts(
        first_trainings=trainings.select(FIRST_TRAININGS.names).cast(FIRST_TRAININGS),
        payout_accounts=payouts.payout_accounts(session, as_of=day, cards=cards),
        holds=payouts.first_tranche_holds(session, as_of=day, cards=cards),
    )
    return Facts(payments=payments, invoices=invoices, participants=participants)


@dataclass(frozen=True)
class ScopeFilter:
    """Which breaks and conditions belong to a scoped run's keys (the others were not read).

    A payment break belongs to its card, or, naming none, to the partner
    result it names if that result was read; a batch break to its batch; an
    invoice break to its voucher.
    """

    card_numbers: pa.Array
    batch_ids: pa.Array
    voucher_codes: pa.Array
    results_read: pa.Array
    """`partner_code|partner_txn_id` of every result the run read."""

    @classmethod
    def of(cls, scope: Scope, facts: Facts) -> ScopeFilter:
        """Return the filter of a scope whose facts were read."""
        results = facts.payments.results
        read = pc.binary_join_element_wise(
            results["partner_code"].cast(pa.string()), results["partner_txn_id"], "|"
        )
        return cls(scope.card_numbers, scope.batch_ids, scope.voucher_codes, read)

    def keep(self, rows: pa.Table) -> pa.Table:
        """Keep the rows (conditions or live breaks) of the scope's keys."""
        kind = rows["break_type"]
        batch = pc.is_in(kind, pa.array(sorted(BATCH_TYPES)))
        invoice = pc.is_in(kind, pa.array(sorted(INVOICE_TYPES)))
        payment = pc.invert(pc.or_(batch, invoice))
        named = pc.binary_join_element_wise(rows["partner_code"], rows["partner_txn_id"], "|")
        keep = pc.or_kleene(
            pc.and_kleene(batch, pc.is_in(rows["batch_id"], self.batch_ids)),
            pc.or_kleene(
                pc.and_kleene(invoice, pc.is_in(rows["voucher_code"], self.voucher_codes)),
                pc.and_kleene(
                    payment,
                    pc.if_else(
                        pc.is_valid(rows["card_number"]),
                        pc.is_in(rows["card_number"], self.card_numbers),
                        pc.fill_null(pc.is_in(named, self.results_read), False),
                    ),
                ),
            ),
        )
        return rows.filter(pc.fill_null(keep, False))


__all__ = [
    "Scope",
    "ScopeFilter",
    "build_scope",
    "fingerprint",
    "needs_full_run",
    "read_scoped_facts",
]
