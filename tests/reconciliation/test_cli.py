"""The reconciliation's commands, as an operator and an auditor use them."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from prakerja.registry.models import Card
from prakerja.reporting.breaks import BREAKS_COLUMNS
from tests.builders import read_csv
from tests.reconciliation.factories import AMOUNT, D

SENT = D(2020, 5, 4)
DAY = dt.timedelta(days=1)


def _plant(world, session):
    """One clean payment, one missing result, one amount mismatch, one short batch debit."""
    batch = world.batch(day=SENT)
    cards = [world.card(wave=1), world.card(wave=2), world.card(wave=2)]
    clean, missing, short = (world.instruction(c, batch=batch, day=SENT) for c in cards)
    world.result(clean, day=SENT + DAY)
    world.result(short, day=SENT + DAY, amount=AMOUNT - 100)
    world.debit_batch(batch, day=SENT)
    world.bank_line(day=SENT - DAY, amount=10 * AMOUNT, direction="CREDIT", counterparty="BNI")
    session.commit()
    return batch, missing, short


def test_reconcile_prints_what_changed_the_escrow_proof_and_ends_with_the_gap_sentence(
    cli, world, session
):
    _plant(world, session)
    result = cli("reconcile", "--date", str(SENT + 2 * DAY))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"reconciled {SENT + 2 * DAY}: 2 break(s) opened, 0 resolved, 2 open"
    assert "MISSING_RESULT=1" in lines[1] and "AMOUNT_MISMATCH=1" in lines[1]
    assert "DUPLICATE_INVOICE=0" in lines[1]
    assert lines[2].startswith(f"escrow {SENT + 2 * DAY}: opening Rp 4.200.000")
    assert lines[-1].startswith(f"As of {SENT + 2 * DAY}, 0 participants completed")


def test_export_breaks_writes_breaks_csv_as_of_a_day(cli, world, session, tmp_path):
    _batch, missing, short = _plant(world, session)
    assert cli("reconcile", "--date", str(SENT + 2 * DAY)).exit_code == 0
    world.result(missing, day=SENT + 3 * DAY)
    session.commit()
    assert cli("reconcile", "--date", str(SENT + 3 * DAY)).exit_code == 0
    out = tmp_path / "breaks.csv"
    result = cli("export", "breaks", "--date", str(SENT + 3 * DAY), "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(BREAKS_COLUMNS)
    rows = {row["break_type"]: row for row in read_csv(out)}
    assert set(rows) == {"MISSING_RESULT", "AMOUNT_MISMATCH"}
    resolved = rows["MISSING_RESULT"]
    assert (resolved["status"], resolved["resolved_on"], resolved["detected_on"]) == (
        "RESOLVED",
        str(SENT + 3 * DAY),
        str(SENT + 2 * DAY),
    )
    assert (resolved["instruction_id"], resolved["partner_txn_id"], resolved["voucher_code"]) == (
        missing,
        "",
        "",
    )
    assert (resolved["expected_amount_idr"], resolved["reported_amount_idr"]) == (str(AMOUNT), "")
    mismatch = rows["AMOUNT_MISMATCH"]
    assert (mismatch["status"], mismatch["resolved_on"], mismatch["instruction_id"]) == (
        "OPEN",
        "",
        short,
    )
    assert (mismatch["expected_amount_idr"], mismatch["reported_amount_idr"]) == (
        str(AMOUNT),
        str(AMOUNT - 100),
    )
    assert (mismatch["incentive_kind"], mismatch["tranche"]) == ("POST_TRAINING", "1")
    earlier = tmp_path / "earlier.csv"
    assert cli("export", "breaks", "--date", str(SENT + 2 * DAY), "--out", earlier).exit_code == 0
    assert {r["break_type"]: r["status"] for r in read_csv(earlier)} == {
        "MISSING_RESULT": "OPEN",
        "AMOUNT_MISMATCH": "OPEN",
    }
    assert cli("export", "breaks", "--date", str(SENT + DAY), "--out", earlier).exit_code == 0
    assert read_csv(earlier) == []


def test_export_breaks_reconciles_the_day_first_when_no_run_reached_it(
    cli, world, session, tmp_path
):
    _plant(world, session)
    out = tmp_path / "breaks.csv"
    result = cli("export", "breaks", "--date", str(SENT + 2 * DAY), "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "reconciled" in result.stderr
    assert len(read_csv(out)) == 2


def _paid_on_the_day_its_card_is_revoked(world, session):
    """A card never used by its purchase deadline, paid on the day the time rules revoke it."""
    card = world.card()
    revoked = world.session.get(Card, card).purchase_deadline + DAY
    batch = world.batch(day=revoked)
    world.result(world.instruction(card, batch=batch, day=revoked), day=revoked)
    world.debit_batch(batch, day=revoked)
    session.commit()
    return card, revoked


def test_reconcile_reads_what_its_own_time_rules_just_wrote(cli, world, session):
    card, day = _paid_on_the_day_its_card_is_revoked(world, session)
    result = cli("reconcile", "--date", str(day))
    assert result.exit_code == 0, result.stderr
    assert "INELIGIBLE_PAYMENT=1" in result.stdout.splitlines()[1]
    session.expire_all()
    assert session.get(Card, card).revoked_on == day


def test_export_breaks_reconciles_after_the_days_time_rules(cli, world, session, tmp_path):
    card, day = _paid_on_the_day_its_card_is_revoked(world, session)
    out = tmp_path / "breaks.csv"
    assert cli("export", "breaks", "--date", str(day), "--out", out).exit_code == 0
    assert [(row["break_type"], row["card_number"]) for row in read_csv(out)] == [
        ("INELIGIBLE_PAYMENT", card)
    ]


def test_breaks_resolve_needs_a_reason_and_an_open_break(cli, world, session, tmp_path):
    _plant(world, session)
    cli("reconcile", "--date", str(SENT + 2 * DAY))
    out = tmp_path / "breaks.csv"
    cli("export", "breaks", "--date", str(SENT + 2 * DAY), "--out", out)
    target = next(r for r in read_csv(out) if r["break_type"] == "AMOUNT_MISMATCH")["break_id"]
    empty = cli("breaks", "resolve", target, "--reason", " ")
    assert empty.exit_code != 0 and len(empty.stderr.strip().splitlines()) == 1
    done = cli("breaks", "resolve", target, "--reason", "partner credited the fee separately")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"resolved {target} (AMOUNT_MISMATCH) on {SENT + 2 * DAY}")
    again = cli("breaks", "resolve", target, "--reason", "again")
    assert again.exit_code != 0 and "already resolved" in again.stderr
    unknown = cli("breaks", "resolve", "BRK-0000", "--reason", "x")
    assert unknown.exit_code != 0 and "unknown break" in unknown.stderr
    cli("reconcile", "--date", str(SENT + 3 * DAY))
    cli("export", "breaks", "--date", str(SENT + 3 * DAY), "--out", out)
    statuses = {r["break_type"]: r["status"] for r in read_csv(out)}
    assert statuses == {"MISSING_RESULT": "OPEN", "AMOUNT_MISMATCH": "RESOLVED"}


def test_a_malformed_date_is_refused_in_one_line(cli):
    bad = cli("reconcile", "--date", "2020-13-01")
    assert bad.exit_code != 0 and len(bad.stderr.strip().splitlines()) == 1


def test_an_earlier_day_is_shown_as_it_was_and_changes_nothing(cli, world, session, tmp_path):
    _plant(world, session)
    assert cli("reconcile", "--date", str(SENT + 2 * DAY)).exit_code == 0
    assert cli("reconcile", "--date", str(SENT + 3 * DAY)).exit_code == 0
    back = cli("reconcile", "--date", str(SENT + 2 * DAY))
    assert back.exit_code == 0, back.stderr
    assert "nothing changed" in back.stderr
    lines = back.stdout.strip().splitlines()
    assert lines[0] == f"reconciled {SENT + 2 * DAY}: 2 break(s) opened, 0 resolved, 2 open"
    before = cli("reconcile", "--date", str(SENT + DAY))
    assert before.stdout.startswith(
        f"reconciled {SENT + DAY}: 0 break(s) opened, 0 resolved, 0 open"
    )
    out = tmp_path / "breaks.csv"
    cli("export", "breaks", "--date", str(SENT + 3 * DAY), "--out", out)
    assert len(read_csv(out)) == 2
    rebuild_back = cli("reconcile", "--date", str(SENT), "--rebuild")
    assert rebuild_back.exit_code != 0 and "already reconciled up to" in rebuild_back.stderr


def test_reconcile_rebuild_keeps_the_breaks(cli, world, session, tmp_path):
    _plant(world, session)
    for offset in (1, 2, 3):
        cli("reconcile", "--date", str(SENT + offset * DAY))
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    cli("export", "breaks", "--date", str(SENT + 3 * DAY), "--out", before)
    rebuilt = cli("reconcile", "--date", str(SENT + 3 * DAY), "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "rebuilt the breaks from scratch over 3 day(s)" in rebuilt.stderr
    cli("export", "breaks", "--date", str(SENT + 3 * DAY), "--out", after)
    assert read_csv(after) == read_csv(before)


def test_export_gap_lists_every_stage(cli, world, session, tmp_path):
    _plant(world, session)
    out = tmp_path / "gap.csv"
    result = cli("export", "gap", "--date", str(SENT), "--out", out)
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out)
    assert [r["stage"] for r in rows] == [
        "PAID",
        "HELD_INELIGIBLE",
        "IN_FLIGHT",
        "FAILED_AWAITING_ACCOUNT",
        "AWAITING_REVIEW",
        "NO_ACCOUNT",
        "DUE_NOT_INSTRUCTED",
    ]
    assert all(r["participants"] == "0" and r["amount_idr"] == "0" for r in rows)


def test_export_statement_writes_a_workbook_and_a_pdf(cli, world, session, tmp_path):
    _plant(world, session)
    result = cli("export", "statement", "--date", str(SENT + 2 * DAY), "--out", tmp_path / "st")
    assert result.exit_code == 0, result.stderr
    stem = tmp_path / "st" / f"reconciliation-statement-{SENT + 2 * DAY}"
    pdf = stem.with_suffix(".pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    book = load_workbook(stem.with_suffix(".xlsx"), read_only=True)
    assert book.sheetnames == [
        "Summary",
        "Payment partners",
        "Waves",
        "Training platforms",
        "Open breaks",
    ]
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row[0]]
    texts = [row[0] for row in summary]
    assert f"Business day: {SENT + 2 * DAY}" in texts
    proof_header = texts.index("bank: opening")
    # The factories post no ledger entry: the books know of no funding, so the whole
    # balance the bank holds is the difference.
    assert summary[proof_header + 1][:11] == (
        *(7 * AMOUNT, 0, 0, 7 * AMOUNT),
        *(0, 0, 0, 0, 0, 0, 7 * AMOUNT),  # funded + repaid - paid - in flight - written off
    )
    open_rows = list(book["Open breaks"].iter_rows(values_only=True))
    assert len(open_rows) == 3
    assert {row[1] for row in open_rows[1:]} == {"MISSING_RESULT", "AMOUNT_MISMATCH"}
    partners = [row for row in book["Payment partners"].iter_rows(values_only=True) if row[0]]
    ovo = next(row for row in partners if row[0] == "OVO")
    assert ovo[1:5] == (3, 3 * AMOUNT, 2, 2 * AMOUNT - 100)


def test_export_breaks_reconciles_its_day_again_when_facts_arrived_after_its_run(
    cli, world, session, tmp_path
):
    _batch, missing, _short = _plant(world, session)
    day = SENT + 2 * DAY
    assert cli("reconcile", "--date", str(day)).exit_code == 0
    world.result(missing, day=SENT + DAY)  # a late partner file, dated before the run's day
    session.commit()
    out = tmp_path / "breaks.csv"
    done = cli("export", "breaks", "--date", str(day), "--out", out)
    assert done.exit_code == 0, done.stderr
    rows = {row["break_type"]: row for row in read_csv(out)}
    assert (rows["MISSING_RESULT"]["status"], rows["MISSING_RESULT"]["resolved_on"]) == (
        "RESOLVED",
        str(day),
    )
    again = tmp_path / "again.csv"
    assert cli("export", "breaks", "--date", str(day), "--out", again).exit_code == 0
    assert read_csv(again) == read_csv(out)


def test_the_statement_ages_each_open_break_from_its_fact_into_its_bucket(
    cli, world, session, tmp_path
):
    day = SENT + 40 * DAY
    ages = (0, 1, 2, 3, 4, 7, 8, 30, 31)
    batch = world.batch(day=SENT)
    sent = [world.instruction(world.card(), batch=batch, day=SENT) for _ in ages]
    world.debit_batch(batch, day=SENT)
    for instruction, age in zip(sent, ages, strict=True):
        world.result(instruction, day=day - age * DAY, amount=AMOUNT - 1)
    session.commit()
    done = cli("export", "statement", "--date", str(day), "--out", tmp_path)
    assert done.exit_code == 0, done.stderr
    book = load_workbook(tmp_path / f"reconciliation-statement-{day}.xlsx", read_only=True)
    rows = list(book["Open breaks"].iter_rows(values_only=True))
    header = rows[0]
    found = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    found = [row for row in found if row["break_type"] == "AMOUNT_MISMATCH"]
    assert sorted((row["age_days"], row["bucket"]) for row in found) == [
        (0, "T+1"),
        (1, "T+1"),
        (2, "T+3"),
        (3, "T+3"),
        (4, "T+7"),
        (7, "T+7"),
        (8, "T+30"),
        (30, "T+30"),
        (31, "older"),
    ]
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row[0]]
    buckets = next(row for row in summary if row[0] == "break type")
    assert buckets[1:6] == ("T+1", "T+3", "T+7", "T+30", "older")
    mismatch = next(row for row in summary if row[0] == "AMOUNT_MISMATCH")
    assert mismatch[1:7] == (2, 2, 2, 2, 1, 9)
