"""`prakerja payouts run` and `payouts cancel`, driven as an operator would."""

import datetime as dt

import pytest
from sqlalchemy import select, text

from prakerja.payouts.books import prove_books
from prakerja.payouts.models import Entitlement, Instruction
from tests.builders import read_csv, summary
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

DAY = dt.date(2020, 4, 22)


def _setup(session, tmp_path, cli, cards=1, partner="OVO"):
    numbers = []
    for _ in range(cards):
        card = make_card(session)
        make_training(session, card)
        numbers.append(card)
    session.commit()
    accounts = write_accounts(
        tmp_path / "accounts.csv", [account_row(card, partner=partner) for card in numbers]
    )
    assert summary(cli("import", "payout-accounts", accounts).stdout)["loaded"] == cards
    return numbers


def test_run_instructs_the_first_tranche_once(cli, session, tmp_path):
    [card] = _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    result = cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    assert result.exit_code == 0, result.stderr
    header = (out / f"instructions-OVO-{DAY}.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "instruction_id,batch_id,card_number,beneficiary_name,partner_code,account_id,"
        "amount_idr,incentive_kind,tranche,attempt,created_at"
    )
    rows = read_csv(out / f"instructions-OVO-{DAY}.csv")
    assert rows == [
        {
            "instruction_id": f"INS-{card}-PT-01-01",
            "batch_id": f"B-OVO-{DAY}-01",
            "card_number": card,
            "beneficiary_name": "PESERTA",
            "partner_code": "OVO",
            "account_id": f"08{card[-10:]}",
            "amount_idr": "600000",
            "incentive_kind": "POST_TRAINING",
            "tranche": "1",
            "attempt": "1",
            "created_at": DAY.isoformat(),
        }
    ]
    again = cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    assert again.exit_code == 0, again.stderr
    assert read_csv(out / f"instructions-OVO-{DAY}.csv") == rows
    assert len(session.scalars(select(Instruction)).all()) == 1
    assert prove_books(session).balanced


def test_success_pays_and_later_tranches_fall_due(cli, session, tmp_path):
    [card] = _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    [row] = read_csv(out / f"instructions-OVO-{DAY}.csv")
    results = write_results(tmp_path / "r.csv", [result_row(row)])
    assert summary(cli("import", "partner-results", results).stdout)["loaded"] == 1
    session.expire_all()
    paid = session.scalars(select(Entitlement)).one()
    assert paid.paid_on == DAY
    later = DAY + dt.timedelta(days=31)
    cli("payouts", "run", "--date", later.isoformat(), "--out", out)
    rows = read_csv(out / f"instructions-OVO-{later}.csv")
    assert [r["instruction_id"] for r in rows] == [f"INS-{card}-PT-02-01"]
    assert prove_books(session).balanced


def _run(cli, day, out):
    result = cli("payouts", "run", "--date", day.isoformat(), "--out", out)
    assert result.exit_code == 0, result.stderr
    path = out / f"instructions-OVO-{day}.csv"
    return read_csv(path) if path.exists() else []


def test_failure_is_retried_only_after_a_new_account(cli, session, tmp_path):
    [card] = _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    [first] = _run(cli, DAY, out)
    failed = result_row(
        first,
        status="FAILED",
        failure_code="ACCOUNT_NOT_VERIFIED",
        processed_at="2020-04-23T11:00:00+07:00",
    )
    cli("import", "partner-results", write_results(tmp_path / "r1.csv", [failed]))
    assert _run(cli, DAY + dt.timedelta(days=2), out) == []
    # a link made before the failure was processed does not count as a new account
    early = account_row(card, account_id="0811111111", linked_at="2020-04-23T09:00:00+07:00")
    cli("import", "payout-accounts", write_accounts(tmp_path / "a1.csv", [early]))
    assert _run(cli, DAY + dt.timedelta(days=3), out) == []
    fixed = account_row(card, account_id="0822222222", linked_at="2020-04-26T09:00:00+07:00")
    cli("import", "payout-accounts", write_accounts(tmp_path / "a2.csv", [fixed]))
    assert _run(cli, DAY + dt.timedelta(days=3), out) == []  # linked after that day
    [retry] = _run(cli, DAY + dt.timedelta(days=4), out)
    assert retry["instruction_id"] == f"INS-{card}-PT-01-02"
    assert (retry["attempt"], retry["account_id"]) == ("2", "0822222222")
    assert retry["batch_id"] == f"B-OVO-{DAY + dt.timedelta(days=4)}-01"
    assert prove_books(session).balanced


def test_open_instruction_is_never_resent(cli, session, tmp_path):
    _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    _run(cli, DAY, out)
    for later in (1, 5, 40):
        rows = _run(cli, DAY + dt.timedelta(days=later), out)
        assert [r["tranche"] for r in rows] == (["2"] if later == 40 else [])
    session.expire_all()
    assert [i.tranche for i in session.scalars(select(Instruction))] == [1, 2]


def test_cancel_lets_the_same_day_instruct_a_new_attempt(cli, session, tmp_path):
    [card] = _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    [first] = _run(cli, DAY, out)
    cancelled = cli("payouts", "cancel", first["instruction_id"], "--reason", "never executed")
    assert cancelled.exit_code == 0, cancelled.stderr
    rows = _run(cli, DAY, out)
    assert [(r["instruction_id"], r["batch_id"], r["attempt"]) for r in rows] == [
        (f"INS-{card}-PT-01-02", f"B-OVO-{DAY}-02", "2")
    ]
    session.expire_all()
    states = {
        i.instruction_id: (i.state, i.cancelled_on) for i in session.scalars(select(Instruction))
    }
    assert states[first["instruction_id"]] == ("CANCELLED", DAY)
    assert prove_books(session).balanced


def test_cancel_records_the_business_day_and_the_instant(cli, session, tmp_path):
    _setup(session, tmp_path, cli)
    [first] = _run(cli, DAY, tmp_path / "out")
    before = dt.datetime.now(dt.UTC)
    assert cli("payouts", "cancel", first["instruction_id"], "--reason", "x").exit_code == 0
    session.expire_all()
    cancelled = session.get(Instruction, first["instruction_id"])
    assert cancelled.cancelled_on == DAY  # the latest batch's business day
    assert before <= cancelled.cancelled_at <= dt.datetime.now(dt.UTC)


def test_cancel_refuses_unknown_and_answered_instructions(cli, session, tmp_path):
    _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    [first] = _run(cli, DAY, out)
    unknown = cli("payouts", "cancel", "INS-NOPE", "--reason", "x")
    assert unknown.exit_code != 0
    assert len(unknown.stderr.strip().splitlines()) == 1 and "unknown instruction" in unknown.stderr
    cli("import", "partner-results", write_results(tmp_path / "r.csv", [result_row(first)]))
    answered = cli("payouts", "cancel", first["instruction_id"], "--reason", "x")
    assert answered.exit_code != 0
    assert len(answered.stderr.strip().splitlines()) == 1 and "result" in answered.stderr
    again = cli("payouts", "cancel", first["instruction_id"], "--reason", "x")
    assert again.exit_code != 0


def test_a_result_from_another_partner_does_not_block_a_cancel(cli, session, tmp_path):
    _setup(session, tmp_path, cli)
    [first] = _run(cli, DAY, tmp_path / "out")
    stray = result_row(first, partner_code="DANA")  # names the id, never issued to DANA
    cli("import", "partner-results", write_results(tmp_path / "r.csv", [stray]))
    cancelled = cli("payouts", "cancel", first["instruction_id"], "--reason", "x")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert "instructs it again" in cancelled.stdout
    assert prove_books(session).balanced


def test_cancelled_twice_is_refused(cli, session, tmp_path):
    _setup(session, tmp_path, cli)
    out = tmp_path / "out"
    [first] = _run(cli, DAY, out)
    assert cli("payouts", "cancel", first["instruction_id"], "--reason", "x").exit_code == 0
    assert cli("payouts", "cancel", first["instruction_id"], "--reason", "x").exit_code != 0


def test_one_batch_and_file_per_partner(cli, session, tmp_path):
    cards = []
    for partner in ("OVO", "BNI", "DANA", "OVO"):
        card = make_card(session)
        make_training(session, card)
        cards.append((card, partner))
    session.commit()
    path = write_accounts(tmp_path / "a.csv", [account_row(c, partner=p) for c, p in cards])
    cli("import", "payout-accounts", path)
    out = tmp_path / "out"
    result = cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
    assert result.exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"instructions-{p}-{DAY}.csv" for p in ("BNI", "DANA", "OVO")]
    ovo = read_csv(out / f"instructions-OVO-{DAY}.csv")
    assert len(ovo) == 2 and {r["batch_id"] for r in ovo} == {f"B-OVO-{DAY}-01"}
    assert all(len(r["batch_id"]) <= 35 for r in ovo)


def test_first_tranche_waits_for_review_and_account(cli, session, tmp_path):
    card = make_card(session)
    make_training(session, card, completed_on=dt.date(2020, 4, 20), reviewed_on=None)
    late = make_card(session)
    make_training(
        session, late, completed_on=dt.date(2020, 4, 20), reviewed_on=dt.date(2020, 4, 25)
    )
    session.commit()
    link = account_row(late, linked_at="2020-04-27T21:00:00+07:00")
    cli("import", "payout-accounts", write_accounts(tmp_path / "a.csv", [account_row(card), link]))
    out = tmp_path / "out"
    assert _run(cli, dt.date(2020, 4, 26), out) == []
    [row] = _run(cli, dt.date(2020, 4, 27), out)
    assert row["card_number"] == late
    session.expire_all()
    [due] = session.scalars(select(Entitlement)).all()
    assert due.due_on == dt.date(2020, 4, 27)


def test_barred_participant_is_held_from_the_list_day(cli, session, tmp_path):
    from prakerja.registry.models import Card
    from tests.payouts.factories import make_exclusion

    [card] = _setup(session, tmp_path, cli)
    nik = session.get(Card, card).nik
    make_exclusion(session, nik, "CIVIL_SERVANT", "2020-06")
    make_exclusion(session, nik, "SOCIAL_ASSISTANCE", "2020-05")  # not barring in PANDEMIC_2020
    session.commit()
    out = tmp_path / "out"
    [first] = _run(cli, DAY, out)
    cli("import", "partner-results", write_results(tmp_path / "r.csv", [result_row(first)]))
    [second] = _run(cli, DAY + dt.timedelta(days=30), out)
    assert second["tranche"] == "2"
    assert _run(cli, dt.date(2020, 6, 21), out) == []
    session.expire_all()
    held = {e.tranche: (e.held_from, e.held_reason) for e in session.scalars(select(Entitlement))}
    assert held[3] == (dt.date(2020, 6, 1), "INELIGIBLE_LIST_CIVIL_SERVANT")
    assert held[1] == (None, None)  # paid before the list
    assert prove_books(session).balanced


def test_a_run_plans_on_current_statistics(cli, session, tmp_path, engine):
    """The run analyses the tables its plan joins: autovacuum may sample them late, or never.

    Planned for the few rows of stale statistics, the plan's anti-join over the partners'
    successes went quadratic at 280,000 participants (bench/README.md).
    """
    if engine.dialect.name != "postgresql":
        pytest.skip("the statistics are PostgreSQL's planner's")
    _setup(session, tmp_path, cli, cards=3)
    assert _run(cli, DAY, tmp_path / "out")
    session.rollback()
    counted = session.execute(
        text(
            "SELECT relname, reltuples FROM pg_class WHERE relnamespace = "
            "current_schema()::regnamespace AND relname IN ('entitlements', 'payout_accounts')"
        )
    )
    assert {name: int(rows) for name, rows in counted} == {"entitlements": 3, "payout_accounts": 3}
