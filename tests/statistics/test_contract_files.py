"""From contract files through the importers to `export signals` and `export ranking`, to the row."""

from __future__ import annotations

import datetime as dt

from tests.builders import (
    COURSE_COLUMNS,
    EVENT_COLUMNS,
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    course,
    event,
    participant,
    read_csv,
    wave_row,
    write_csv,
)
from tests.statistics.test_signals import sid

ACCOUNT_COLUMNS = ("card_number", "partner_code", "account_id", "account_name", "linked_at")


def test_signals_and_ranking_from_imported_files(cli, tmp_path):
    born = dt.date(1991, 2, 3)
    phone = [participant(phone=p) for p in ("081299990000", "+6281299990000", "081299990000")]
    twins = [participant(birth_date=born, full_name=n) for n in ("Dewi Lestari", "DEWI  LESTARI")]
    namesake = participant(birth_date=dt.date(1992, 2, 3), full_name="Dewi Lestari")
    family = [participant(kk_number="3171010199990001") for _ in range(2)]
    people = [*phone, *twins, namesake, *family]
    for number, person in enumerate(people):
        person["phone"] = person["phone"] if person in phone else f"08570000{number:04d}"
        if person not in (*twins, namesake):
            person["full_name"] = f"Peserta Nomor {number}"
    assert (
        cli("import", "waves", write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1)])).exit_code
        == 0
    )
    assert (
        cli(
            "import", "participants", write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, people)
        ).exit_code
        == 0
    )
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    assert cli("export", "cards", "--wave", "1", "--out", tmp_path / "cards.csv").exit_code == 0
    card = {row["nik"]: row["card_number"] for row in read_csv(tmp_path / "cards.csv")}
    assert len(card) == len(people)
    a, b, c = (card[p["nik"]] for p in phone)
    catalog = [
        course("SP", categories="IT", course_type="SELF_PACED", sessions="1", hours="4"),
        course("BDL", categories="SALES_MARKETING;IT"),
    ]
    cli("import", "courses", write_csv(tmp_path / "c.csv", COURSE_COLUMNS, catalog))
    events = [
        event("PURCHASE", a, "V-A", course_code="SP", at="2020-04-21T08:00:00+07:00"),
        event("COMPLETION", a, "V-A", course_code="SP", at="2020-04-21T09:30:00+07:00"),
        event("PURCHASE", b, "V-B", course_code="SP", at="2020-04-21T08:00:00+07:00"),
        event("COMPLETION", b, "V-B", course_code="SP", at="2020-04-21T12:00:00+07:00"),
        event("PURCHASE", c, "V-C", course_code="BDL", at="2020-04-22T08:00:00+07:00"),
    ]
    result = cli("import", "platform-events", write_csv(tmp_path / "e.csv", EVENT_COLUMNS, events))
    assert "rejected=0" in result.stdout, result.stdout
    links = [
        {
            "card_number": n,
            "partner_code": "BNI",
            "account_id": "0123",
            "account_name": "X",
            "linked_at": "2020-04-23T10:00:00+07:00",
        }
        for n in (a, b, c)
    ] + [
        {
            "card_number": card[p["nik"]],
            "partner_code": "OVO",
            "account_id": "0899",
            "account_name": "X",
            "linked_at": "2020-04-23T10:00:00+07:00",
        }
        for p in family
    ]
    cli("import", "payout-accounts", write_csv(tmp_path / "a.csv", ACCOUNT_COLUMNS, links))
    out = tmp_path / "signals.csv"
    assert cli("export", "signals", "--date", "2020-04-25", "--out", out).exit_code == 0
    dewi = sorted(card[p["nik"]] for p in twins)
    assert [tuple(row.values()) for row in read_csv(out)] == [
        (
            sid("SHARED_ACCOUNT", "BNI:0123"),
            "SHARED_ACCOUNT",
            "BNI:0123",
            ";".join(sorted([a, b, c])),
            "2020-04-25",
            "account BNI:0123 linked by 3 cards of 3 NIKs since 2020-04-23",
        ),
        (
            sid("SHARED_PHONE", "+6281299990000"),
            "SHARED_PHONE",
            "+6281299990000",
            ";".join(sorted([a, b, c])),
            "2020-04-25",
            "phone +6281299990000 on registrations of 3 NIKs holding 3 cards since 2020-04-17",
        ),
        (
            sid("FAST_COMPLETION", "V-A"),
            "FAST_COMPLETION",
            "V-A",
            a,
            "2020-04-25",
            "course SP of 4 hours completed 90 minutes after its purchase, on 2020-04-21",
        ),
        (
            sid("SAME_PERSON", "DEWI LESTARI|1991-02-03"),
            "SAME_PERSON",
            "DEWI LESTARI|1991-02-03",
            ";".join(dewi),
            "2020-04-25",
            "2 NIKs holding 2 cards carry the name DEWI LESTARI born 1991-02-03 since 2020-04-17",
        ),
    ]
    ranking = tmp_path / "ranking.csv"
    assert cli("export", "ranking", "--date", "2020-04-25", "--out", ranking).exit_code == 0
    assert [tuple(r.values()) for r in read_csv(ranking)][:3] == [
        ("1", "IT", "2"),
        ("2", "BUNDLE", "1"),
        ("3", "SALES_MARKETING", "0"),
    ]
