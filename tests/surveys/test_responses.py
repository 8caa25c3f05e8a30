"""Survey answers: judged against their windows, counted once, paid, and summarised."""

import datetime as dt

from sqlalchemy import select

from prakerja.payouts.models import Entitlement
from prakerja.surveys.loaders import ANSWER_COLUMNS
from prakerja.surveys.service import outcome_statistics
from tests.builders import read_csv, summary, write_csv
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

PAID = dt.date(2020, 4, 22)


def _paid_card(cli, session, tmp_path, name="x"):
    card = make_card(session)
    make_training(session, card)
    session.commit()
    cli(
        "import", "payout-accounts", write_accounts(tmp_path / f"a-{name}.csv", [account_row(card)])
    )
    out = tmp_path / f"out-{name}"
    cli("payouts", "run", "--date", PAID.isoformat(), "--out", out)
    [row] = [r for r in read_csv(out / f"instructions-OVO-{PAID}.csv") if r["card_number"] == card]
    results = write_results(tmp_path / f"r-{name}.csv", [result_row(row)])
    cli("import", "partner-results", results)
    return card


def answer(card, survey_no=1, submitted="2020-05-30T12:00:00+07:00", **overrides):
    row = {
        "card_number": card,
        "survey_no": str(survey_no),
        "submitted_at": submitted,
        "employment_status": "MICRO_BUSINESS",
        "started_business": "true",
        "business_type": "Warung Kopi",
        "monthly_income_idr": "2500000",
        "skills_improved": "true",
    }
    row.update(overrides)
    return row


def test_answers_within_their_windows_count_once(cli, session, tmp_path):
    card = _paid_card(cli, session, tmp_path)
    unpaid = make_card(session)
    session.commit()
    rows = [
        answer(card, 1, "2020-05-22T00:00:00+07:00"),  # the day it opens
        answer(card, 1, "2020-05-25T09:00:00+07:00"),  # a second answer
        answer(card, 2, "2020-06-20T23:59:00+07:00"),  # before survey 2 opens
        answer(card, 3, "2020-08-20T23:59:00+07:00"),  # the last day of survey 3
        answer(card, 4),  # the scheme has three surveys
        answer("5299999999999999"),
        answer(unpaid),
        answer(card, 2, employment_status="RETIRED"),
    ]
    path = write_csv(tmp_path / "s.csv", ANSWER_COLUMNS, rows)
    result = cli("import", "survey-responses", path)
    assert summary(result.stdout) == {"loaded": 2, "duplicates": 1, "rejected": 5, "pending": 0}
    rejects = read_csv(tmp_path / "s.csv.rejects.csv")
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("4", "submitted_at"),
        ("6", "survey_no"),
        ("7", "card_number"),
        ("8", "submitted_at"),
        ("9", "employment_status"),
    ]
    assert "open from 2020-06-21 to 2020-07-21" in rejects[0]["reason"]
    assert "not paid yet" in rejects[3]["reason"]
    again = cli("import", "survey-responses", path)
    assert summary(again.stdout) == {"loaded": 0, "duplicates": 3, "rejected": 5, "pending": 0}
    session.expire_all()
    surveys = {
        e.tranche: (e.amount_idr, e.due_on)
        for e in session.scalars(select(Entitlement).where(Entitlement.kind == "SURVEY"))
    }
    assert surveys == {1: (50_000, dt.date(2020, 5, 22)), 3: (50_000, dt.date(2020, 8, 20))}


def test_survey_incentive_is_instructed_from_the_day_it_was_answered(cli, session, tmp_path):
    card = _paid_card(cli, session, tmp_path)
    path = write_csv(tmp_path / "s.csv", ANSWER_COLUMNS, [answer(card, 1)])
    cli("import", "survey-responses", path)
    out = tmp_path / "later"
    cli("payouts", "run", "--date", "2020-05-29", "--out", out)
    rows = read_csv(out / "instructions-OVO-2020-05-29.csv")
    assert [r["incentive_kind"] for r in rows] == ["POST_TRAINING"]
    cli("payouts", "run", "--date", "2020-05-30", "--out", out)
    rows = read_csv(out / "instructions-OVO-2020-05-30.csv")
    assert [
        (r["instruction_id"], r["incentive_kind"], r["tranche"], r["amount_idr"]) for r in rows
    ] == [(f"INS-{card}-SV-01-01", "SURVEY", "1", "50000")]


def test_an_earlier_answer_in_the_same_file_wins(cli, session, tmp_path):
    card = _paid_card(cli, session, tmp_path)
    rows = [
        answer(card, 1, "2020-06-01T12:00:00+07:00", monthly_income_idr="1"),
        answer(card, 1, "2020-05-28T12:00:00+07:00", monthly_income_idr="2"),
    ]
    cli("import", "survey-responses", write_csv(tmp_path / "s.csv", ANSWER_COLUMNS, rows))
    [stats] = outcome_statistics(session)
    assert stats.respondents == 1 and stats.median_income_idr == 2


def test_outcome_statistics(cli, session, tmp_path):
    cards = [_paid_card(cli, session, tmp_path, name=str(n)) for n in range(3)]
    rows = [
        answer(cards[0], 1, business_type="Warung Kopi ", monthly_income_idr="3000000"),
        answer(cards[1], 1, business_type="warung kopi", monthly_income_idr="1000000"),
        answer(
            cards[2],
            1,
            employment_status="EMPLOYED",
            started_business="false",
            business_type="",
            monthly_income_idr="",
            skills_improved="false",
        ),
    ]
    cli("import", "survey-responses", write_csv(tmp_path / "s.csv", ANSWER_COLUMNS, rows))
    [stats] = outcome_statistics(session)
    assert (stats.survey_no, stats.respondents, stats.started_business, stats.skills_improved) == (
        1,
        3,
        2,
        2,
    )
    assert stats.employment == {"MICRO_BUSINESS": 2, "EMPLOYED": 1}
    assert stats.business_types == {"warung kopi": 2}
    assert (stats.median_income_idr, stats.mean_income_idr) == (2_000_000, 2_000_000)
