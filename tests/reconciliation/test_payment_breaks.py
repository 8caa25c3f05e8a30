"""Each payment break planted alone is found once, with its amounts, and resolves as the contract says."""

from __future__ import annotations

import datetime as dt

from prakerja.reconciliation.taxonomy import BreakType
from tests.reconciliation.conftest import all_breaks
from tests.reconciliation.factories import AMOUNT, D

SENT = D(2020, 5, 4)
DAY = dt.timedelta(days=1)


def test_a_clean_day_has_no_break(world, run, session):
    card = world.card()
    batch = world.batch(day=SENT)
    instruction = world.instruction(card, batch=batch, day=SENT)
    world.debit_batch(batch, day=SENT)
    world.result(instruction, day=SENT + DAY)
    summary = run(SENT + 10 * DAY)
    assert summary.opened == 0
    assert all_breaks(session) == []


def test_missing_result_waits_for_the_sla_then_resolves_when_the_result_arrives(
    world, run, session
):
    card = world.card()
    batch = world.batch(day=SENT)
    instruction = world.instruction(card, batch=batch, day=SENT)
    world.debit_batch(batch, day=SENT)
    run(SENT + DAY)
    assert all_breaks(session) == []
    run(SENT + 2 * DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.instruction_id, found.batch_id) == (
        BreakType.MISSING_RESULT,
        instruction,
        batch,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (AMOUNT, None)
    assert (found.card_number, found.incentive_kind, found.tranche) == (card, "POST_TRAINING", 1)
    assert (found.status, found.detected_on) == ("OPEN", SENT + 2 * DAY)
    world.result(instruction, day=SENT + 3 * DAY)
    run(SENT + 3 * DAY)
    (after,) = all_breaks(session)
    assert after.break_id == found.break_id
    assert (after.status, after.resolved_on, after.resolution) == (
        "RESOLVED",
        SENT + 3 * DAY,
        "AUTO",
    )


def _paid(world, card, *, day=SENT, amount=AMOUNT, partner="OVO", tranche=1, attempt=1):
    """A batch, its instruction, its debit: everything but the result."""
    batch = world.batch(day=day, partner=partner, run=attempt + 10 * tranche)
    instruction = world.instruction(card, batch=batch, day=day, tranche=tranche, attempt=attempt)
    world.debit_batch(batch, day=day)
    return batch, instruction


def test_missing_result_resolves_when_an_operator_cancels_the_instruction(world, run, session):
    card = world.card()
    _batch, instruction = _paid(world, card)
    run(SENT + 3 * DAY)
    (found,) = all_breaks(session, BreakType.MISSING_RESULT)
    world.cancel(instruction, day=SENT + 4 * DAY)
    run(SENT + 4 * DAY)
    (after,) = all_breaks(session, BreakType.MISSING_RESULT)
    assert (after.break_id, after.status, after.resolved_on) == (
        found.break_id,
        "RESOLVED",
        SENT + 4 * DAY,
    )


def test_failed_payment_stays_open_while_a_retry_is_in_flight_and_resolves_when_it_succeeds(
    world, run, session
):
    card = world.card()
    _batch, first = _paid(world, card)
    failed_txn = world.result(first, day=SENT + DAY, status="FAILED")
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.instruction_id, found.partner_txn_id) == (
        BreakType.FAILED_PAYMENT,
        first,
        failed_txn,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (AMOUNT, AMOUNT)
    world.account(card, linked_on=SENT + 2 * DAY)
    _batch2, retry = _paid(world, card, day=SENT + 3 * DAY, attempt=2)
    run(SENT + 3 * DAY)
    (still,) = all_breaks(session)
    assert (still.break_id, still.status) == (found.break_id, "OPEN")
    world.result(retry, day=SENT + 4 * DAY)
    run(SENT + 4 * DAY)
    (after,) = all_breaks(session)
    assert (after.break_id, after.status, after.resolved_on) == (
        found.break_id,
        "RESOLVED",
        SENT + 4 * DAY,
    )


def test_a_retry_that_fails_again_keeps_the_same_break_naming_the_latest_attempt(
    world, run, session
):
    card = world.card()
    _batch, first = _paid(world, card)
    world.result(first, day=SENT + DAY, status="FAILED")
    run(SENT + DAY)
    (found,) = all_breaks(session)
    _batch2, retry = _paid(world, card, day=SENT + 2 * DAY, attempt=2)
    world.result(retry, day=SENT + 3 * DAY, status="FAILED", failure_code="ACCOUNT_DORMANT")
    run(SENT + 3 * DAY)
    (after,) = all_breaks(session)
    assert (after.break_id, after.status, after.instruction_id) == (found.break_id, "OPEN", retry)
    assert "ACCOUNT_DORMANT" in after.reason


def test_a_failure_followed_by_a_successful_retry_is_not_a_break(world, run, session):
    card = world.card()
    _batch, first = _paid(world, card)
    world.result(first, day=SENT + DAY, status="FAILED")
    _batch2, retry = _paid(world, card, day=SENT + 2 * DAY, attempt=2)
    world.result(retry, day=SENT + 3 * DAY)
    run(SENT + 10 * DAY)
    assert all_breaks(session) == []


def test_amount_mismatch_names_both_amounts(world, run, session):
    card = world.card()
    _batch, instruction = _paid(world, card)
    txn = world.result(instruction, day=SENT + DAY, amount=500_000)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.partner_txn_id, found.instruction_id) == (
        BreakType.AMOUNT_MISMATCH,
        txn,
        instruction,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (AMOUNT, 500_000)


def test_account_mismatch(world, run, session):
    card = world.card()
    _batch, instruction = _paid(world, card)
    txn = world.result(instruction, day=SENT + DAY, account="089999999999")
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.partner_txn_id, found.partner_code) == (
        BreakType.ACCOUNT_MISMATCH,
        txn,
        "OVO",
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (AMOUNT, AMOUNT)


def test_one_instruction_answered_by_two_transactions_is_one_duplicate_on_the_second(
    world, run, session
):
    card = world.card()
    _batch, instruction = _paid(world, card)
    world.result(instruction, day=SENT + DAY, txn="TX-FIRST", hour=9)
    world.result(instruction, day=SENT + DAY, txn="TX-SECOND", hour=15)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.instruction_id, found.partner_txn_id) == (
        BreakType.DUPLICATE_PAYMENT,
        instruction,
        "TX-SECOND",
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (AMOUNT, AMOUNT)


def test_duplicate_payment_across_attempts_names_the_later_success(world, run, session):
    card = world.card()
    _batch, first = _paid(world, card)
    world.result(first, day=SENT + DAY, status="FAILED", txn="TX-F1")
    _batch2, retry = _paid(world, card, day=SENT + 2 * DAY, attempt=2)
    world.result(retry, day=SENT + 3 * DAY, txn="TX-RETRY")
    world.result(first, day=SENT + 4 * DAY, txn="TX-LATE-FIRST")
    run(SENT + 4 * DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.instruction_id, found.partner_txn_id) == (
        BreakType.DUPLICATE_PAYMENT,
        first,
        "TX-LATE-FIRST",
    )


def test_an_exact_redelivery_of_a_result_is_not_a_break(world, run, session):
    from sqlalchemy import select

    from prakerja.payouts.models import PartnerResult
    from prakerja.reconciliation.sources import RESULTS
    from prakerja.storage.arrow import fetch_arrow
    from prakerja.storage.base import table_of
    from prakerja.storage.bulk import insert_new_rows

    card = world.card()
    _batch, instruction = _paid(world, card)
    world.result(instruction, day=SENT + DAY)
    columns = list(RESULTS.names)
    delivered = fetch_arrow(session, select(*(getattr(PartnerResult, c) for c in columns)), RESULTS)
    again = insert_new_rows(
        session,
        table_of(PartnerResult),
        delivered,
        key=("partner_code", "partner_txn_id"),
    )
    assert again == 0
    run(SENT + 5 * DAY)
    assert all_breaks(session) == []


def test_unknown_payment(world, run, session):
    world.card()
    txn = world.result("INS-0000000000000000-PT-01-01", day=SENT, partner="GOPAY")
    run(SENT)
    (found,) = all_breaks(session)
    assert (found.break_type, found.partner_code, found.instruction_id, found.partner_txn_id) == (
        BreakType.UNKNOWN_PAYMENT,
        "GOPAY",
        "INS-0000000000000000-PT-01-01",
        txn,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (None, AMOUNT)
    assert (found.card_number, found.batch_id) == (None, None)


def test_a_result_from_another_partner_than_instructed_is_unknown_and_leaves_the_result_missing(
    world, run, session
):
    card = world.card()
    _batch, instruction = _paid(world, card)
    world.result(instruction, day=SENT + DAY, partner="DANA")
    run(SENT + 2 * DAY)
    kinds = sorted(b.break_type for b in all_breaks(session))
    assert kinds == [BreakType.MISSING_RESULT, BreakType.UNKNOWN_PAYMENT]


def test_ineligible_payment_when_on_a_barring_list_of_the_scheme_when_paid(world, run, session):
    card = world.card()
    _batch, instruction = _paid(world, card)
    world.exclusion(card, list_code="CIVIL_SERVANT", effective_from=D(2020, 5, 1))
    txn = world.result(instruction, day=SENT + DAY)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.partner_txn_id, found.card_number) == (
        BreakType.INELIGIBLE_PAYMENT,
        txn,
        card,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (AMOUNT, AMOUNT)
    assert "CIVIL_SERVANT" in found.reason


def test_ineligible_payment_found_when_the_list_arrives_after_the_payment(world, run, session):
    card = world.card()
    _batch, instruction = _paid(world, card)
    world.result(instruction, day=SENT + DAY)
    run(SENT + DAY)
    assert all_breaks(session) == []
    world.exclusion(card, list_code="STUDENT", effective_from=D(2020, 5, 1))
    run(SENT + 30 * DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.detected_on) == (
        BreakType.INELIGIBLE_PAYMENT,
        SENT + 30 * DAY,
    )


def test_a_list_the_scheme_does_not_bar_and_a_listing_after_the_payment_are_not_breaks(
    world, run, session
):
    social = world.card()
    _b1, first = _paid(world, social)
    world.exclusion(social, list_code="SOCIAL_ASSISTANCE", effective_from=D(2020, 4, 1))
    world.result(first, day=SENT + DAY)
    later = world.card()
    _b2, second = _paid(world, later, partner="DANA")
    world.result(second, day=SENT + DAY)
    world.exclusion(later, list_code="STUDENT", effective_from=D(2020, 6, 1))
    run(SENT + 60 * DAY)
    assert all_breaks(session) == []


def test_ineligible_payment_on_a_revoked_card(world, run, session):
    card = world.card(revoked_on=D(2020, 5, 2))
    _batch, instruction = _paid(world, card)
    world.result(instruction, day=SENT + DAY)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert found.break_type == BreakType.INELIGIBLE_PAYMENT
    assert "revoked" in found.reason
