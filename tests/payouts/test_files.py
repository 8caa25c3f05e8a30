"""Instruction files: one per partner per run, each batch sent once, nothing re-sent by a re-run."""

import datetime as dt

from sqlalchemy import select

from prakerja.payouts.models import Instruction, PaymentBatch
from tests.builders import read_csv
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

DAY = dt.date(2020, 4, 23)


def _cards(session, count):
    cards = []
    for _ in range(count):
        card = make_card(session)
        make_training(session, card)
        cards.append(card)
    session.commit()
    return cards


def _link(cli, tmp_path, rows, name="a"):
    result = cli("import", "payout-accounts", write_accounts(tmp_path / f"{name}.csv", rows))
    assert result.exit_code == 0, result.stderr


def _run(cli, out, day=DAY):
    result = cli("payouts", "run", "--date", day.isoformat(), "--out", out)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _ids(path):
    return [(row["batch_id"], row["instruction_id"]) for row in read_csv(path)]


def _fail_and_relink(cli, tmp_path, row, card, partner="GOPAY"):
    failed = result_row(
        row,
        status="FAILED",
        failure_code="ACCOUNT_NOT_VERIFIED",
        processed_at=f"{DAY}T08:00:00+07:00",
    )
    cli("import", "partner-results", write_results(tmp_path / "failed.csv", [failed]))
    link = account_row(card, partner=partner, account_id="0899", linked_at=f"{DAY}T09:00:00+07:00")
    _link(cli, tmp_path, [link], name="relink")


def test_a_same_day_rerun_into_another_folder_writes_only_its_own_batch(cli, session, tmp_path):
    sent, failing = _cards(session, 2)
    _link(cli, tmp_path, [account_row(sent, partner="GOPAY"), account_row(failing)])
    _run(cli, tmp_path / "run1")
    [first] = read_csv(tmp_path / "run1" / f"instructions-OVO-{DAY}.csv")
    _fail_and_relink(cli, tmp_path, first, failing)
    _run(cli, tmp_path / "run2")
    assert sorted(p.name for p in (tmp_path / "run2").iterdir()) == [
        f"instructions-GOPAY-{DAY}.csv"
    ]
    assert _ids(tmp_path / "run2" / f"instructions-GOPAY-{DAY}.csv") == [
        (f"B-GOPAY-{DAY}-02", f"INS-{failing}-PT-01-02")
    ]


def test_a_run_with_nothing_new_writes_nothing_and_says_so(cli, session, tmp_path):
    [card] = _cards(session, 1)
    _link(cli, tmp_path, [account_row(card)])
    _run(cli, tmp_path / "run1")
    said = _run(cli, tmp_path / "run2")
    assert not (tmp_path / "run2").exists() or not list((tmp_path / "run2").iterdir())
    assert "no instruction file to write" in said
    before = (tmp_path / "run1" / f"instructions-OVO-{DAY}.csv").stat().st_mtime_ns
    _run(cli, tmp_path / "run1")
    assert (tmp_path / "run1" / f"instructions-OVO-{DAY}.csv").stat().st_mtime_ns == before


def test_a_rerun_into_the_same_folder_adds_its_batch_to_the_file(cli, session, tmp_path):
    sent, failing, cancelled = _cards(session, 3)
    _link(
        cli,
        tmp_path,
        [account_row(sent, partner="GOPAY"), account_row(failing), account_row(cancelled)],
    )
    out = tmp_path / "out"
    _run(cli, out)
    first = {r["card_number"]: r for r in read_csv(out / f"instructions-OVO-{DAY}.csv")}
    _fail_and_relink(cli, tmp_path, first[failing], failing, partner="OVO")
    dropped = first[cancelled]["instruction_id"]
    assert cli("payouts", "cancel", dropped, "--reason", "never executed").exit_code == 0
    _run(cli, out)
    # the same file: the first batch's rows that stand (the failed one too), then batch 02
    # with the retry and the cancelled one's new attempt; the cancelled row is gone
    assert _ids(out / f"instructions-OVO-{DAY}.csv") == sorted(
        [
            (f"B-OVO-{DAY}-01", first[failing]["instruction_id"]),
            (f"B-OVO-{DAY}-02", f"INS-{failing}-PT-01-02"),
            (f"B-OVO-{DAY}-02", f"INS-{cancelled}-PT-01-02"),
        ]
    )
    assert _ids(out / f"instructions-GOPAY-{DAY}.csv") == [
        (f"B-GOPAY-{DAY}-01", f"INS-{sent}-PT-01-01")
    ]
    assert not list(out.glob("*.partial"))


def test_every_batch_is_marked_written_once_its_file_is_in_place(cli, session, tmp_path):
    [card] = _cards(session, 1)
    _link(cli, tmp_path, [account_row(card)])
    _run(cli, tmp_path / "out")
    session.expire_all()
    [batch] = session.scalars(select(PaymentBatch)).all()
    assert batch.files_written_at is not None
    assert len(session.scalars(select(Instruction)).all()) == 1


def test_out_must_be_a_writable_folder_before_anything_is_committed(cli, session, tmp_path):
    [card] = _cards(session, 1)
    _link(cli, tmp_path, [account_row(card)])
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    for out in (not_a_folder, not_a_folder / "below"):
        result = cli("payouts", "run", "--date", DAY.isoformat(), "--out", out)
        assert result.exit_code != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert str(not_a_folder) in result.stderr
    session.expire_all()
    assert session.scalars(select(Instruction)).all() == []
    _run(cli, tmp_path / "new" / "folder")
    assert (tmp_path / "new" / "folder" / f"instructions-OVO-{DAY}.csv").exists()


def test_a_batch_a_killed_run_left_unwritten_is_written_by_the_next_run(
    cli, engine, session, tmp_path
):
    from prakerja.operations.timeline import advance_to
    from prakerja.payouts import service as payouts
    from prakerja.storage.db import unit_of_work

    early, late = _cards(session, 2)
    _link(cli, tmp_path, [account_row(early)])
    with unit_of_work(engine) as killed:  # committed, then killed before its files
        advance_to(killed, day=DAY)
        payouts.run_payouts(killed, day=DAY)
    _link(cli, tmp_path, [account_row(late, linked_at=f"{DAY}T07:00:00+07:00")], name="late")
    _run(cli, tmp_path / "out")
    assert _ids(tmp_path / "out" / f"instructions-OVO-{DAY}.csv") == [
        (f"B-OVO-{DAY}-01", f"INS-{early}-PT-01-01"),
        (f"B-OVO-{DAY}-02", f"INS-{late}-PT-01-01"),
    ]
    assert "no instruction file to write" in _run(cli, tmp_path / "elsewhere")
