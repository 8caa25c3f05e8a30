"""Batch-level and invoice breaks: each planted alone is found once and resolves with the facts."""

from __future__ import annotations

import datetime as dt

from prakerja.reconciliation.taxonomy import BreakType
from tests.reconciliation.conftest import all_breaks
from tests.reconciliation.factories import AMOUNT, D

SENT = D(2020, 5, 4)
DAY = dt.timedelta(days=1)
INVOICED = D(2020, 5, 10)


def _batch_of_two(world):
    batch = world.batch(day=SENT)
    for _ in range(2):
        card = world.card()
        instruction = world.instruction(card, batch=batch, day=SENT)
        world.result(instruction, day=SENT + DAY)
    return batch


def test_a_debit_that_differs_from_the_batch_is_a_break_until_a_corrected_line_comes_in(
    world, run, session
):
    batch = _batch_of_two(world)
    world.debit_batch(batch, day=SENT, amount=1_000_000)
    run(SENT + DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.batch_id, found.partner_code) == (
        BreakType.BATCH_TOTAL_MISMATCH,
        batch,
        "OVO",
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (2 * AMOUNT, 1_000_000)
    assert (found.instruction_id, found.card_number) == (None, None)
    world.debit_batch(batch, day=SENT + 2 * DAY, amount=200_000)
    run(SENT + 2 * DAY)
    (after,) = all_breaks(session)
    assert (after.break_id, after.status, after.resolved_on) == (
        found.break_id,
        "RESOLVED",
        SENT + 2 * DAY,
    )


def test_a_missing_debit_is_a_break_only_after_the_next_day(world, run, session):
    batch = _batch_of_two(world)
    run(SENT + DAY)
    assert all_breaks(session) == []
    run(SENT + 2 * DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.batch_id) == (BreakType.BATCH_TOTAL_MISMATCH, batch)
    assert (found.expected_amount_idr, found.reported_amount_idr) == (2 * AMOUNT, None)
    world.debit_batch(batch, day=SENT + 3 * DAY)
    run(SENT + 3 * DAY)
    (after,) = all_breaks(session)
    assert after.status == "RESOLVED"


def test_a_late_debit_with_the_wrong_amount_keeps_the_same_break_open(world, run, session):
    batch = _batch_of_two(world)
    run(SENT + 2 * DAY)
    (found,) = all_breaks(session)
    world.debit_batch(batch, day=SENT + 3 * DAY, amount=AMOUNT)
    run(SENT + 3 * DAY)
    (after,) = all_breaks(session)
    assert (after.break_id, after.status, after.reported_amount_idr) == (
        found.break_id,
        "OPEN",
        AMOUNT,
    )


def test_a_debit_for_a_batch_never_created(world, run, session):
    world.bank_line(day=SENT, amount=AMOUNT, batch="B-OVO-2020-05-04-99", counterparty="OVO")
    run(SENT)
    (found,) = all_breaks(session)
    assert (found.break_type, found.batch_id, found.partner_code) == (
        BreakType.BATCH_TOTAL_MISMATCH,
        "B-OVO-2020-05-04-99",
        "OVO",
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (0, AMOUNT)


def test_partner_refund_credits_do_not_count_against_the_debit(world, run, session):
    batch = world.batch(day=SENT)
    paid, failed = world.card(), world.card()
    first = world.instruction(paid, batch=batch, day=SENT)
    second = world.instruction(failed, batch=batch, day=SENT)
    world.debit_batch(batch, day=SENT)
    world.result(first, day=SENT + DAY)
    world.result(second, day=SENT + DAY, status="FAILED")
    world.bank_line(day=SENT + 2 * DAY, amount=AMOUNT, direction="CREDIT", batch=batch)
    run(SENT + 2 * DAY)
    assert [b.break_type for b in all_breaks(session)] == [BreakType.FAILED_PAYMENT]


def _webinar(world, **voucher):
    world.course("C-WEB", course_type="WEBINAR", sessions=3)
    card = world.card()
    return world.voucher(card, course="C-WEB", **voucher)


def test_a_fully_attended_redeemed_voucher_invoiced_once_at_its_price_is_payable(
    world, run, session
):
    voucher = _webinar(world, redeemed_on=D(2020, 4, 21))
    world.attend(voucher, 1, 2, day=D(2020, 4, 22))
    world.attend(voucher, 3, day=D(2020, 4, 23), source="PROVIDER")
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    assert all_breaks(session) == []


def test_an_invoice_for_a_voucher_never_purchased(world, run, session):
    world.invoice("VCR-NOWHERE", invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    (found,) = all_breaks(session)
    assert (found.break_type, found.partner_code, found.batch_id, found.voucher_code) == (
        BreakType.INVOICE_NOT_PAYABLE,
        "TOKOPEDIA",
        "INV-1",
        "VCR-NOWHERE",
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (None, 750_000)
    assert (found.instruction_id, found.partner_txn_id) == (None, None)


def test_an_invoice_from_another_platform_than_the_seller_is_not_payable(world, run, session):
    voucher = _webinar(world, redeemed_on=D(2020, 4, 21))
    world.attend(voucher, 1, 2, 3, day=D(2020, 4, 22))
    world.invoice(voucher, invoice_no="INV-BL", day=INVOICED, platform="BUKALAPAK")
    run(INVOICED)
    (found,) = all_breaks(session)
    assert (found.break_type, found.partner_code) == (BreakType.INVOICE_NOT_PAYABLE, "BUKALAPAK")


def test_an_invoice_before_every_session_is_attended_resolves_when_the_last_one_is(
    world, run, session
):
    voucher = _webinar(world, redeemed_on=D(2020, 4, 21))
    world.attend(voucher, 1, 2, day=D(2020, 4, 22))
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    (found,) = all_breaks(session)
    assert found.break_type == BreakType.INVOICE_NOT_PAYABLE
    assert "2 of 3" in found.reason
    assert (found.expected_amount_idr, found.reported_amount_idr) == (750_000, 750_000)
    world.attend(voucher, 3, day=INVOICED + DAY, source="PROVIDER")
    run(INVOICED + DAY)
    (after,) = all_breaks(session)
    assert (after.break_id, after.status, after.resolved_on) == (
        found.break_id,
        "RESOLVED",
        INVOICED + DAY,
    )


def test_an_invoice_for_a_voucher_never_redeemed(world, run, session):
    voucher = _webinar(world)
    world.attend(voucher, 1, 2, 3, day=D(2020, 4, 22))
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    (found,) = all_breaks(session)
    assert found.break_type == BreakType.INVOICE_NOT_PAYABLE
    assert "redeemed" in found.reason


def test_an_invoice_for_a_refunded_voucher_even_when_attended(world, run, session):
    voucher = _webinar(world, redeemed_on=D(2020, 4, 21), refunded_on=D(2020, 5, 12))
    world.attend(voucher, 1, 2, 3, day=D(2020, 4, 22))
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    assert all_breaks(session) == []
    run(D(2020, 5, 12))
    (found,) = all_breaks(session)
    assert (found.break_type, found.detected_on) == (
        BreakType.INVOICE_NOT_PAYABLE,
        D(2020, 5, 12),
    )
    assert "refunded" in found.reason


def test_a_self_paced_course_is_attended_by_its_completion(world, run, session):
    world.course("C-SELF", course_type="SELF_PACED", sessions=1)
    card = world.card()
    voucher = world.voucher(card, course="C-SELF", redeemed_on=D(2020, 4, 21))
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    (found,) = all_breaks(session)
    assert "not completed" in found.reason
    done = world.voucher(
        card, course="C-SELF", redeemed_on=D(2020, 4, 21), completed_on=D(2020, 4, 25)
    )
    world.invoice(done, invoice_no="INV-1", day=INVOICED)
    run(INVOICED + DAY)
    assert [b.voucher_code for b in all_breaks(session)] == [voucher]


def test_an_offline_course_needs_every_session(world, run, session):
    world.course("C-OFF", course_type="OFFLINE", sessions=2)
    card = world.card()
    voucher = world.voucher(card, course="C-OFF", redeemed_on=D(2020, 4, 21))
    world.attend(voucher, 1, day=D(2020, 4, 22), source="PROVIDER")
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED)
    run(INVOICED)
    (found,) = all_breaks(session)
    assert "1 of 2" in found.reason


def test_invoice_amount_mismatch(world, run, session):
    voucher = _webinar(world, redeemed_on=D(2020, 4, 21))
    world.attend(voucher, 1, 2, 3, day=D(2020, 4, 22))
    world.invoice(voucher, invoice_no="INV-1", day=INVOICED, amount=800_000)
    run(INVOICED)
    (found,) = all_breaks(session)
    assert (found.break_type, found.batch_id, found.voucher_code) == (
        BreakType.INVOICE_AMOUNT_MISMATCH,
        "INV-1",
        voucher,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (750_000, 800_000)


def test_a_voucher_invoiced_twice_is_one_duplicate_on_the_later_invoice(world, run, session):
    voucher = _webinar(world, redeemed_on=D(2020, 4, 21))
    world.attend(voucher, 1, 2, 3, day=D(2020, 4, 22))
    world.invoice(voucher, invoice_no="INV-A", day=INVOICED)
    world.invoice(voucher, invoice_no="INV-B", day=INVOICED + 7 * DAY)
    run(INVOICED + 7 * DAY)
    (found,) = all_breaks(session)
    assert (found.break_type, found.batch_id, found.voucher_code) == (
        BreakType.DUPLICATE_INVOICE,
        "INV-B",
        voucher,
    )
    assert (found.expected_amount_idr, found.reported_amount_idr) == (750_000, 750_000)
