"""The demo's payment side, on cards with trainings made by factories."""

import datetime as dt

from sqlalchemy import func, select

from prakerja.demo.payouts import Holder, PayoutDay, payout_day
from prakerja.payouts import service as payouts
from prakerja.payouts.models import BankStatementLine, Instruction, PartnerResult
from prakerja.registry.models import Card
from prakerja.surveys.models import SurveyResponse
from prakerja.surveys.service import outcome_statistics
from tests.conftest import empty_all_tables
from tests.payouts.factories import make_card, make_training, make_wave

START = dt.date(2020, 4, 20)


def _program(engine, session, tmp_path, *, cards: int, days: int, serial_from: int):
    """Cards (NIKs fixed, card numbers from `serial_from`) paid over `days` demo days."""
    make_wave(session)
    for n in range(cards):
        card = make_card(session, serial=serial_from + n, nik=f"3171{n:012d}")
        done = START + dt.timedelta(days=n % 9)
        make_training(session, card, completed_on=done, reviewed_on=done + dt.timedelta(days=1))
    session.commit()
    holders = {
        card: Holder(nik, f"Peserta {nik[-4:]}")
        for card, nik in session.execute(select(Card.card_number, Card.nik))
    }
    (tmp_path / "instructions").mkdir(parents=True, exist_ok=True)
    played: list[PayoutDay] = [
        payout_day(engine, tmp_path, 7, START + dt.timedelta(days=4 * step), holders)
        for step in range(days)
    ]
    return played, {card: holder.nik for card, holder in holders.items()}


def test_demo_pays_fixes_retries_and_surveys(engine, session, tmp_path):
    played, _ = _program(engine, session, tmp_path, cards=60, days=36, serial_from=1)
    assert sum(day.instructed for day in played) > 60
    failures = dict(
        session.execute(
            select(PartnerResult.failure_code, func.count()).group_by(PartnerResult.failure_code)
        ).all()
    )
    assert failures.get("ACCOUNT_NOT_VERIFIED", 0) > 0 and failures.get("NAME_MISMATCH", 0) > 0
    retried = session.scalars(
        select(Instruction).where(Instruction.attempt > 1, Instruction.state == "SUCCEEDED")
    ).all()
    assert retried
    totals = payouts.paid_totals(session)
    assert {t.kind for t in totals} == {"POST_TRAINING", "SURVEY"}
    assert {t.tranche for t in totals if t.kind == "POST_TRAINING"} == {1, 2, 3, 4}
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) > 30
    assert any(day.imports["survey-responses"].rejected for day in played)
    assert all(day.imports["partner-results"].duplicates for day in played if day.instructed)
    assert session.scalar(select(func.count()).select_from(BankStatementLine)) > 0
    assert outcome_statistics(session)[0].respondents > 0
    assert payouts.prove_books(session).balanced


def _outcome(session, niks):
    """Every instruction and result, by NIK instead of card number."""
    instructions = sorted(
        (niks[card], kind, tranche, attempt, partner, amount, state)
        for card, kind, tranche, attempt, partner, amount, state in session.execute(
            select(
                Instruction.card_number,
                Instruction.kind,
                Instruction.tranche,
                Instruction.attempt,
                Instruction.partner_code,
                Instruction.amount_idr,
                Instruction.state,
            )
        )
    )
    results = sorted(
        session.execute(
            select(PartnerResult.status, PartnerResult.failure_code, PartnerResult.amount_idr)
        ).all()
    )
    return instructions, results


def test_the_same_seed_plays_the_same_program_whatever_the_card_numbers(engine, session, tmp_path):
    """Card numbers are drawn at random; the demo keys its choices by NIK, not by card."""
    _, niks = _program(engine, session, tmp_path / "a", cards=30, days=14, serial_from=1)
    first = _outcome(session, niks)
    session.close()
    empty_all_tables(engine)
    _, niks = _program(engine, session, tmp_path / "b", cards=30, days=14, serial_from=5000)
    second = _outcome(session, niks)
    assert first == second
    assert len(first[0]) > 30
