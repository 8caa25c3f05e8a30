"""The scoped daily run: which keys a day can change, and their facts alone.

Every break is about one card (the payment breaks, through instruction and
entitlement; INELIGIBLE through the holder's NIK), one batch, one voucher
(the invoice breaks) or one partner result naming no instruction
(UNKNOWN_PAYMENT); the gap report stages each card. A key's outcome can
change between two runs only if

- a fact about it was written since the previous run read the queue (the
  triggers queue its keys), or a fact dated after the previous run's day
  comes due (the triggers queue it under that day, and it waits until then);
- it has a live break (its age, its partner's SLA, an operator's hand);
- the day alone moves it: an instruction still unanswered crossing its
  result SLA (MISSING_RESULT), a batch still undebited past its next day.

The scope is those keys; the run reads only their facts (staged keys the
domain readers join), runs the same SQL and keeps the conditions of the
scope, and the store compares them with the live breaks, all of which are in
the scope. Reading a key that did not change is harmless (its conditions
come out as stored); only a key left out could be wrong, and none is.
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
#: What the scope reads of the live breaks.
LIVE_KEYS = pa.schema(
    [
        ("break_type", pa.string()),
        ("card_number", pa.string()),
        ("batch_id", pa.string()),
        ("voucher_code", pa.string()),
        ("partner_code", pa.string()),
        ("partner_txn_id", pa.string()),
    ]
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


def _of_types(live: pa.Table, types: frozenset[str], column: str) -> pa.Array:
    kept = live.filter(pc.is_in(live["break_type"], pa.array(sorted(types), pa.string())))
    return kept[column].combine_chunks()


def build_scope(
    session: Session, *, day: dt.date, previous: dt.date, changes: pa.Table, live: pa.Table
) -> Scope:
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
    payment = live.filter(
        pc.invert(pc.is_in(live["break_type"], pa.array(sorted(BATCH_TYPES | INVOICE_TYPES))))
    )
    cards = _distinct(
        changes["card_number"],
        registry.cards_of_holders(session, niks=niks)["card_number"],
        matched["card_number"],
        payment["card_number"],
        waiting["card_number"],
    )
    undebited = payouts.undebited_batches(
        session, since=previous - dt.timedelta(days=_DEBIT_DAYS), debited_by=previous, as_of=day
    )
    batches = _distinct(
        changes["batch_id"], _of_types(live, BATCH_TYPES, "batch_id"), undebited["batch_id"]
    )
    vouchers = _distinct(changes["voucher_code"], _of_types(live, INVOICE_TYPES, "voucher_code"))
    named = payment.filter(pc.is_null(payment["card_number"]))
    results = (
        pa.concat_tables(
            [
                unmatched.select(["partner_code", "partner_txn_id"]),
                named.select(["partner_code", "partner_txn_id"]).cast(
                    unmatched.select(["partner_code", "partner_txn_id"]).schema
                ),
            ]
        )
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
    payments = PaymentFacts(
        instructions=compact(
            payouts.scoped_instructions(session, as_of=day, cards=cards, batches=scope.batches)
        ),
        results=compact(
            payouts.scoped_results(session, as_of=day, cards=cards, results=scope.results)
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


def in_scope(conditions: pa.Table, facts: Facts, scope: Scope) -> pa.Table:
    """Keep the conditions of the scope's keys (the others were read only in part).

    A payment condition belongs to its card, or, naming none, to the result
    read; a batch condition to its batch; an invoice condition to its voucher.
    """
    kind = conditions["break_type"]
    batch = pc.is_in(kind, pa.array(sorted(BATCH_TYPES)))
    invoice = pc.is_in(kind, pa.array(sorted(INVOICE_TYPES)))
    payment = pc.invert(pc.or_(batch, invoice))
    results = facts.payments.results
    read = pc.binary_join_element_wise(
        results["partner_code"].cast(pa.string()), results["partner_txn_id"], "|"
    )
    named = pc.binary_join_element_wise(
        conditions["partner_code"], conditions["partner_txn_id"], "|"
    )
    keep = pc.or_kleene(
        pc.and_kleene(batch, pc.is_in(conditions["batch_id"], scope.batch_ids)),
        pc.or_kleene(
            pc.and_kleene(invoice, pc.is_in(conditions["voucher_code"], scope.voucher_codes)),
            pc.and_kleene(
                payment,
                pc.if_else(
                    pc.is_valid(conditions["card_number"]),
                    pc.is_in(conditions["card_number"], scope.card_numbers),
                    pc.fill_null(pc.is_in(named, read), False),
                ),
            ),
        ),
    )
    return conditions.filter(pc.fill_null(keep, False))


__all__ = [
    "Scope",
    "build_scope",
    "fingerprint",
    "in_scope",
    "needs_full_run",
    "read_scoped_facts",
]
