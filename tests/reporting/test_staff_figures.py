"""The overview's figures: payments matched as of a day, kept until the records change."""

import datetime as dt

from prakerja.kit.clock import utc_now
from prakerja.payouts.models import Entitlement, Instruction, PaymentBatch
from prakerja.reconciliation.models import Break
from prakerja.reporting.staff import matched_payments
from prakerja.reporting.staff_figures import figures_marker, overview_figures

DAY = dt.date(2020, 6, 1)


def _instruction(session, number, *, answered):
    entitlement = Entitlement(
        card_number=f"52640000000000{number:02d}",
        kind="POST_TRAINING",
        tranche=1,
        amount_idr=600_000,
        due_on=DAY,
        created_at=utc_now(),
    )
    session.add(entitlement)
    session.flush()
    session.add(
        Instruction(
            instruction_id=f"INS-{number}",
            batch_id="B-1",
            entitlement_id=entitlement.id,
            card_number=entitlement.card_number,
            kind="POST_TRAINING",
            tranche=1,
            attempt=1,
            partner_code="BNI",
            account_id="123",
            beneficiary_name="X",
            amount_idr=600_000,
            created_on=DAY - dt.timedelta(days=3),
            created_at=utc_now(),
            state="SUCCEEDED" if answered else "OPEN",
            result_at=answered,
        )
    )


def test_matched_payments_are_answered_ones_without_an_open_break(session):
    session.add(
        PaymentBatch(
            batch_id="B-1",
            partner_code="BNI",
            business_date=DAY,
            run_number=1,
            instruction_count=3,
            total_amount_idr=1_800_000,
            created_at=utc_now(),
        )
    )
    answered = dt.datetime(2020, 5, 30, 9, tzinfo=dt.UTC)
    _instruction(session, 1, answered=answered)
    _instruction(session, 2, answered=answered)
    _instruction(session, 3, answered=None)
    session.add(
        Break(
            break_id="BRK-1",
            break_type="AMOUNT_MISMATCH",
            break_key="INS-2",
            occurrence=1,
            instruction_id="INS-2",
            fact_on=DAY,
            reason="x",
            detected_on=DAY,
            status="OPEN",
            still_holds=True,
        )
    )
    session.commit()
    assert matched_payments(session, DAY) == 1
    assert matched_payments(session, dt.date(2020, 5, 29)) == 0
    before = figures_marker(session)
    assert overview_figures(session, DAY)["matched"] == 1
    assert figures_marker(session) == before
