"""One participant's story: every part read by its keys, states and next steps, finding by id."""

import datetime as dt

import pyarrow as pa
from sqlalchemy import insert, select

from prakerja.ledger.service import post_movements
from prakerja.participants.service import file_grievance
from prakerja.reconciliation.models import Break
from prakerja.reconciliation.service import reconcile
from prakerja.registry.models import Registration, SelectionResult, Wave
from prakerja.reporting.story import find_participant, participant_story
from prakerja.reporting.story_steps import IncentiveState, NextStep, Step, SurveyState
from tests.builders import read_csv, summary
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)
from tests.recovery.conftest import statement_csv
from tests.recovery.planting import PAID, claimed

DAY = dt.date(2020, 4, 22)
NIK = "3171014508900001"


def _paid_once(session, cli, tmp_path, *, status="SUCCESS", failure_code="", **overrides):
    """A card with a completed and reviewed training, an account, one instruction answered."""
    card = make_card(session, nik=NIK)
    reviewed = make_training(session, card)
    unreviewed = make_training(session, card, purchased_on=DAY, completed_on=DAY, reviewed_on=None)
    session.commit()
    accounts = write_accounts(tmp_path / "a.csv", [account_row(card)])
    assert summary(cli("import", "payout-accounts", accounts).stdout)["loaded"] == 1
    out = tmp_path / "out"
    assert cli("payouts", "run", "--date", DAY.isoformat(), "--out", out).exit_code == 0
    [row] = read_csv(out / f"instructions-OVO-{DAY}.csv")
    results = write_results(
        tmp_path / "r.csv", [result_row(row, status=status, failure_code=failure_code, **overrides)]
    )
    assert summary(cli("import", "partner-results", results).stdout)["loaded"] == 1
    session.expire_all()
    return card, reviewed, unreviewed, row["instruction_id"]


def test_a_failed_payment_asks_for_a_new_account_and_the_open_review(session, cli, tmp_path):
    card, reviewed, unreviewed, instruction = _paid_once(
        session, cli, tmp_path, status="FAILED", failure_code="ACCOUNT_DORMANT"
    )
    story = participant_story(session, nik=NIK, as_of=DAY + dt.timedelta(days=1))
    assert story.is_known
    assert [r.wave for r in story.registrations] == [1]
    assert story.card is not None
    assert (story.card.card_number, story.card.status, story.card.balance_idr) == (
        card,
        "ACTIVE",
        250_000,
    )
    assert [p.purchase.voucher_code for p in story.purchases] == [reviewed, unreviewed]
    assert story.purchases[1].purchase.completed_on == DAY
    assert story.purchases[1].purchase.reviewed_on is None
    [entitlement] = story.entitlements
    assert (entitlement.kind, entitlement.tranche, entitlement.state) == (
        "POST_TRAINING",
        1,
        IncentiveState.FAILED,
    )
    [sent] = story.instructions
    assert (sent.instruction_id, sent.result_status, sent.failure_code) == (
        instruction,
        "FAILED",
        "ACCOUNT_DORMANT",
    )
    assert entitlement.instructions == (sent,)
    assert [(s.step, s.subject) for s in story.next_steps] == [
        (Step.REVIEW_TRAINING, unreviewed),
        (Step.RELINK_ACCOUNT, instruction),
    ]
    assert story.surveys == ()
    filed = file_grievance(
        session,
        nik=NIK,
        category="NOT_RECEIVED",
        instruction_id=instruction,
        text="",
        now=dt.datetime(2020, 4, 23, 3, tzinfo=dt.UTC),
    )
    again = participant_story(session, nik=NIK, as_of=DAY)
    assert [(g.grievance_id, g.instruction_id) for g in again.grievances] == [
        (filed.grievance_id, instruction)
    ]


def test_a_paid_incentive_opens_the_surveys_and_the_breaks_are_listed(session, cli, tmp_path):
    card, *_ = _paid_once(session, cli, tmp_path, amount_idr="500000")
    reconcile(session, day=DAY + dt.timedelta(days=5), actor="tester")
    session.commit()
    in_first_window = DAY + dt.timedelta(days=35)
    story = participant_story(session, nik=NIK, as_of=in_first_window)
    [entitlement] = story.entitlements
    assert (entitlement.state, entitlement.paid_on) == (IncentiveState.PAID, DAY)
    assert [(s.survey_no, s.opens_on, s.closes_on, s.state) for s in story.surveys] == [
        (1, DAY + dt.timedelta(days=30), DAY + dt.timedelta(days=60), SurveyState.OPEN),
        (2, DAY + dt.timedelta(days=60), DAY + dt.timedelta(days=90), SurveyState.UPCOMING),
        (3, DAY + dt.timedelta(days=90), DAY + dt.timedelta(days=120), SurveyState.UPCOMING),
    ]
    assert (Step.ANSWER_SURVEY, "1") in [(s.step, s.subject) for s in story.next_steps]
    stored = session.scalars(select(Break.break_id).where(Break.card_number == card)).all()
    assert stored, "a result for less than instructed is a break naming the card"
    assert sorted(b.break_id for b in story.breaks) == sorted(stored)


def test_a_card_without_account_is_asked_to_link_one_and_the_ledger_shows_the_balance(session):
    session.execute(
        insert(Wave).values(
            wave=2,
            scheme="PANDEMIC_2020",
            opens_on=DAY,
            closes_on=DAY,
            created_at=dt.datetime(2020, 4, 1, tzinfo=dt.UTC),
            updated_at=dt.datetime(2020, 4, 1, tzinfo=dt.UTC),
        )
    )
    card = make_card(session, nik=NIK)
    later = session.execute(
        insert(Registration)
        .values(wave=2, nik=NIK, kk_number="3171010000000009", full_name="Siti", phone="0812999")
        .returning(Registration.id)
    ).scalar_one()
    session.execute(
        insert(SelectionResult).values(
            registration_id=later,
            wave=2,
            outcome="NOT_SELECTED",
            reason="INELIGIBLE_ALREADY_ACCEPTED",
            decided_on=DAY,
        )
    )
    fund, balance = "PROGRAM_FUND", f"TRAINING_BALANCE:{card}"
    post_movements(
        session,
        keys=pa.array(["GRANT:1", "SPEND:V1"]),
        kind=pa.array(["CARD_ISSUED", "PURCHASE"]),
        debit=pa.array([balance, "PLATFORM_PAYABLE:X"]),
        credit=pa.array([fund, balance]),
        amounts=pa.array([1_000_000, 750_000], pa.int64()),
        day=DAY,
        references=pa.array([card, "V1"]),
    )
    session.commit()
    story = participant_story(session, nik=NIK, as_of=DAY)
    assert [(m.entry_kind, m.amount_idr) for m in story.balance_movements] == [
        ("CARD_ISSUED", 1_000_000),
        ("PURCHASE", -750_000),
    ]
    assert [(r.wave, r.outcome, r.reason) for r in story.registrations] == [
        (1, None, None),
        (2, "NOT_SELECTED", "INELIGIBLE_ALREADY_ACCEPTED"),
    ]
    assert story.phone == "0812999"
    assert story.card is not None and story.card.card_number == card
    assert [s.step for s in story.next_steps] == [Step.LINK_ACCOUNT]


def test_an_unknown_nik_has_an_empty_story(session):
    story = participant_story(session, nik="3171010101900009", as_of=DAY)
    assert not story.is_known
    assert (story.registrations, story.cards, story.next_steps) == ((), (), ())


def test_find_participant_by_nik_card_voucher_or_instruction(session, cli, tmp_path):
    card, voucher, _, instruction = _paid_once(session, cli, tmp_path)
    for query in (NIK, card, voucher, instruction, f"  {card} "):
        assert find_participant(session, query=query) == NIK, query
    for query in ("", "3171010101900009", "VCR-NOPE", "x" * 500):
        assert find_participant(session, query=query) is None, query


def test_a_recovery_claim_is_in_the_story_with_how_to_repay_until_it_is_repaid(
    session, cli, tmp_path
):
    claim = claimed(session)
    before_due = participant_story(session, nik=claim.nik, as_of=dt.date(2020, 6, 1))
    [owed] = before_due.claims
    assert (owed.claim.claim_id, owed.claim.status, owed.claim.days_left) == (
        claim.claim_id,
        "OPEN",
        33,
    )
    assert (owed.repay.reference, owed.repay.amount_idr, owed.repay.due_on) == (
        claim.claim_id,
        600_000,
        dt.date(2020, 7, 4),
    )
    assert owed.repay.escrow_account
    assert before_due.next_steps[0] == NextStep(
        Step.REPAY_CLAIM, claim.claim_id, dt.date(2020, 7, 4)
    )
    assert before_due.owed_claims == before_due.claims

    overdue = participant_story(session, nik=claim.nik, as_of=dt.date(2020, 7, 5))
    assert [c.claim.status for c in overdue.claims] == ["OVERDUE"]
    assert [s.step for s in overdue.next_steps].count(Step.REPAY_CLAIM) == 1
    assert participant_story(session, nik=claim.nik, as_of=PAID - dt.timedelta(days=1)).claims == ()

    bank = statement_csv(
        tmp_path / "bank.csv",
        (dt.date(2020, 6, 2), "BNI-R1", "REPAYMENT", 600_000, "CREDIT", claim.claim_id),
    )
    assert cli("import", "bank-statement", bank).exit_code == 0
    repaid = participant_story(session, nik=claim.nik, as_of=dt.date(2020, 7, 5))
    assert [(c.claim.status, c.claim.repaid_idr) for c in repaid.claims] == [("REPAID", 600_000)]
    assert repaid.owed_claims == ()
    assert Step.REPAY_CLAIM not in [s.step for s in repaid.next_steps]
