"""Late and crossing results: a SUCCESS on an earlier attempt while a retry is in flight.

The audit's story: attempt 1 (OVO) fails, the participant links GOPAY, attempt 2 is sent,
and then OVO reports that attempt 1 was credited after all. The entitlement is paid from
that SUCCESS on (books, gap report, survey windows), and never instructed again.
"""

import datetime as dt

from sqlalchemy import insert, select

from prakerja.payouts.books import prove_books
from prakerja.payouts.models import Entitlement, Instruction, PartnerResult
from prakerja.payouts.service import failed_awaiting_account
from prakerja.surveys.loaders import ANSWER_COLUMNS
from tests.builders import read_csv, summary, write_csv
from tests.payouts.factories import (
    account_row,
    at,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)
from tests.surveys.test_responses import answer

FIRST = dt.date(2020, 4, 21)
RETRY = dt.date(2020, 4, 23)


def _run(cli, day, out):
    result = cli("payouts", "run", "--date", day.isoformat(), "--out", out)
    assert result.exit_code == 0, result.stderr
    return {path.name: read_csv(path) for path in sorted(out.glob(f"instructions-*-{day}.csv"))}


def _answer(cli, tmp_path, name, row, processed_at, **fields):
    path = write_results(
        tmp_path / f"{name}.csv", [result_row(row, processed_at=processed_at, **fields)]
    )
    result = cli("import", "partner-results", path)
    assert summary(result.stdout)["loaded"] == 1, result.stdout


def _retry_in_flight(cli, session, tmp_path):
    """Attempt 1 at OVO failed on 04-22, attempt 2 at GOPAY sent on 04-23; return both rows."""
    card = make_card(session)
    make_training(session, card, completed_on=dt.date(2020, 4, 20), reviewed_on=FIRST)
    session.commit()
    cli("import", "payout-accounts", write_accounts(tmp_path / "a1.csv", [account_row(card)]))
    [first] = _run(cli, FIRST, tmp_path / "out")[f"instructions-OVO-{FIRST}.csv"]
    _answer(
        cli,
        tmp_path,
        "failed",
        first,
        "2020-04-22T11:00:00+07:00",
        status="FAILED",
        failure_code="ACCOUNT_NOT_VERIFIED",
    )
    link = account_row(
        card, partner="GOPAY", account_id="081199", linked_at="2020-04-23T09:00:00+07:00"
    )
    cli("import", "payout-accounts", write_accounts(tmp_path / "a2.csv", [link]))
    [retry] = _run(cli, RETRY, tmp_path / "out")[f"instructions-GOPAY-{RETRY}.csv"]
    assert retry["attempt"] == "2"
    return card, first, retry


def _entitlement(session):
    session.expire_all()
    return session.scalars(
        select(Entitlement).where(Entitlement.kind == "POST_TRAINING", Entitlement.tranche == 1)
    ).one()


def _states(session):
    session.expire_all()
    return {i.attempt: i.state for i in session.scalars(select(Instruction))}


def _survey(cli, tmp_path, card, submitted):
    path = write_csv(tmp_path / "sv.csv", ANSWER_COLUMNS, [answer(card, 1, submitted)])
    return summary(cli("import", "survey-responses", path).stdout)


def _gap(cli, tmp_path, day):
    path = tmp_path / f"gap-{day}.csv"
    assert cli("export", "gap", "--date", day.isoformat(), "--out", path).exit_code == 0
    return {row["stage"]: int(row["participants"]) for row in read_csv(path)}


def test_a_late_success_pays_at_once_and_the_cancelled_retry_is_not_resent(cli, session, tmp_path):
    card, first, retry = _retry_in_flight(cli, session, tmp_path)
    _answer(cli, tmp_path, "late", first, "2020-04-23T20:00:00+07:00", txn="OVO-T2")
    # paid from the late SUCCESS on: the books, the gap report and the survey window agree
    assert _entitlement(session).paid_on == RETRY
    proof = prove_books(session)
    assert proof.balanced, proof
    assert (proof.states.paid, proof.states.in_flight) == (600_000, 0)
    assert _gap(cli, tmp_path, RETRY)["PAID"] == 1
    assert _survey(cli, tmp_path, card, "2020-05-24T10:00:00+07:00")["loaded"] == 1
    # the partner confirms attempt 2 was never executed: attempt 1's SUCCESS is the payment
    cancelled = cli("payouts", "cancel", retry["instruction_id"], "--reason", "never executed")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert "SUCCESS paid it on 2020-04-23; nothing is resent" in cancelled.stdout
    assert _states(session) == {1: "SUCCEEDED", 2: "CANCELLED"}
    assert _run(cli, RETRY + dt.timedelta(days=1), tmp_path / "out") == {}
    assert _run(cli, RETRY + dt.timedelta(days=1), tmp_path / "out") == {}
    assert prove_books(session).balanced
    assert _entitlement(session).paid_on == RETRY


def test_a_late_success_then_a_failed_retry_makes_the_earlier_attempt_the_payment(
    cli, session, tmp_path
):
    _card, first, retry = _retry_in_flight(cli, session, tmp_path)
    _answer(cli, tmp_path, "late", first, "2020-04-23T20:00:00+07:00")
    _answer(
        cli,
        tmp_path,
        "retry-failed",
        retry,
        "2020-04-24T10:00:00+07:00",
        status="FAILED",
        failure_code="NAME_MISMATCH",
    )
    assert _states(session) == {1: "SUCCEEDED", 2: "FAILED"}
    assert failed_awaiting_account(session) == []
    proof = prove_books(session)
    assert proof.balanced, proof
    assert (proof.ledger.paid, proof.ledger.returned) == (600_000, 0)
    later = account_row(
        _card, partner="DANA", account_id="0812", linked_at="2020-04-25T09:00:00+07:00"
    )
    cli("import", "payout-accounts", write_accounts(tmp_path / "a3.csv", [later]))
    assert _run(cli, dt.date(2020, 4, 26), tmp_path / "out") == {}


def test_two_successes_anchor_the_survey_windows_on_the_earliest(cli, session, tmp_path):
    card, first, retry = _retry_in_flight(cli, session, tmp_path)
    _answer(cli, tmp_path, "late", first, "2020-04-23T20:00:00+07:00")
    _answer(cli, tmp_path, "retry-ok", retry, "2020-04-25T10:00:00+07:00")
    assert _entitlement(session).paid_on == RETRY
    assert sorted(_states(session).values()).count("SUCCEEDED") == 1
    proof = prove_books(session)
    assert proof.balanced and proof.ledger.paid == 600_000, proof
    # survey 1 opens 30 days after 04-23 (not after 04-25)
    assert _survey(cli, tmp_path, card, "2020-05-23T08:00:00+07:00")["loaded"] == 1


def test_an_earlier_success_arriving_last_moves_the_paid_day_back(cli, session, tmp_path):
    _card, first, retry = _retry_in_flight(cli, session, tmp_path)
    _answer(cli, tmp_path, "retry-ok", retry, "2020-04-25T10:00:00+07:00")
    assert _entitlement(session).paid_on == dt.date(2020, 4, 25)
    _answer(cli, tmp_path, "late", first, "2020-04-23T20:00:00+07:00")
    assert _entitlement(session).paid_on == RETRY
    assert prove_books(session).balanced


def test_a_success_on_file_is_never_instructed_again(cli, session, tmp_path):
    """A database left by the earlier release: a SUCCESS on a failed attempt, the retry
    cancelled, the entitlement never marked paid. The run must not send attempt 3."""
    _card, first, retry = _retry_in_flight(cli, session, tmp_path)
    assert cli("payouts", "cancel", retry["instruction_id"], "--reason", "x").exit_code == 0
    session.execute(
        insert(PartnerResult).values(
            partner_code="OVO",
            instruction_id=first["instruction_id"],
            partner_txn_id="OVO-LATE",
            account_id=first["account_id"],
            amount_idr=600_000,
            status="SUCCESS",
            processed_at=at(RETRY, 20),
            processed_on=RETRY,
        )
    )
    session.commit()
    assert _run(cli, RETRY + dt.timedelta(days=1), tmp_path / "out") == {}
    session.expire_all()
    assert len(session.scalars(select(Instruction)).all()) == 2
