"""The demo's payment side, on cards with trainings made by factories."""

import datetime as dt
import random

from sqlalchemy import func, select

from prakerja.demo.payouts import play_payouts
from prakerja.payouts import service as payouts
from prakerja.payouts.models import BankStatementLine, Instruction, PartnerResult
from prakerja.surveys.models import SurveyResponse
from prakerja.surveys.service import outcome_statistics
from tests.payouts.factories import make_card, make_training, make_wave


def test_demo_pays_fixes_retries_and_surveys(engine, session, tmp_path):
    start = dt.date(2020, 4, 20)
    make_wave(session)
    for n in range(60):
        card = make_card(session)
        done = start + dt.timedelta(days=n % 9)
        make_training(session, card, completed_on=done, reviewed_on=done + dt.timedelta(days=1))
    session.commit()
    days = [start + dt.timedelta(days=4 * step) for step in range(36)]
    played = play_payouts(engine, tmp_path, random.Random(7), days=days, waves=[1])
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
