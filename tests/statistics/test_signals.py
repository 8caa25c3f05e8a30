"""`prakerja export signals` and the daily evaluation by `reconcile`: each signal and look-alike."""

from __future__ import annotations

import hashlib

import pytest

from tests.builders import read_csv
from tests.statistics.factories import D, Program, at

HEADER = "signal_id,signal_type,subject,card_numbers,first_seen_on,evidence"


def sid(signal_type: str, subject: str) -> str:
    """The stable id a signal must carry."""
    return "SIG-" + hashlib.sha256(f"{signal_type}|{subject}".encode()).hexdigest()[:20]


def _export(cli, tmp_path, day: str):
    out = tmp_path / f"signals-{day}.csv"
    result = cli("export", "signals", "--date", day, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    return read_csv(out)


@pytest.fixture
def planted(program: Program, session):
    """One of each signal, each beside the look-alike that must not signal."""
    program.wave(1)
    program.wave(2)
    mules = [program.person() for _ in range(4)]
    for card, day in zip(mules, (20, 20, 21, 22), strict=True):
        program.link(card, "0123", on=D(2020, 4, day))
    family = [program.person(kk_number="3171010100000077") for _ in range(2)]
    for card in family:
        program.link(card, "0899", on=D(2020, 4, 20), partner="OVO")
    phones = [
        program.person(phone=phone) for phone in ("081299990000", "+6281299990000", "6281299990000")
    ]
    program.person(phone="0812-9999-0000", card=False)
    twice = program.person(phone="081377770000", wave=1)
    program.person(
        phone="081377770000",
        wave=2,
        nik=program.nik_of(twice),
        card=False,
    )
    program.person(phone="+6281377770000")
    dewi = [program.person(name=name) for name in ("Dewi  Lestari", " dewi lestari ")]
    program.person(name="DEWI LESTARI", born=D(1991, 5, 1))
    program.course("SP", "IT", hours=10, course_type="SELF_PACED")
    buyer = program.person()
    fast = program.purchase(
        buyer, "SP", bought=at(D(2020, 4, 21)), completed=at(D(2020, 4, 21), 13, 20)
    )
    exact = program.purchase(
        program.person(), "SP", bought=at(D(2020, 4, 21)), completed=at(D(2020, 4, 21), 20)
    )
    session.commit()
    return {
        "mules": mules,
        "phones": phones,
        "dewi": dewi,
        "buyer": buyer,
        "fast": fast,
        "exact": exact,
    }


def test_each_signal_is_found_to_the_row_and_no_look_alike_is(cli, planted, tmp_path):
    rows = _export(cli, tmp_path, "2020-04-25")
    mules, phones, dewi = planted["mules"], planted["phones"], planted["dewi"]
    assert [tuple(r.values()) for r in rows] == [
        (
            sid("SHARED_ACCOUNT", "BNI:0123"),
            "SHARED_ACCOUNT",
            "BNI:0123",
            ";".join(sorted(mules)),
            "2020-04-25",
            "account BNI:0123 linked by 4 cards of 4 NIKs since 2020-04-21",
        ),
        (
            sid("SHARED_PHONE", "+6281299990000"),
            "SHARED_PHONE",
            "+6281299990000",
            ";".join(sorted(phones)),
            "2020-04-25",
            "phone +6281299990000 on registrations of 3 NIKs holding 3 cards since 2020-04-17",
        ),
        (
            sid("FAST_COMPLETION", planted["fast"]),
            "FAST_COMPLETION",
            planted["fast"],
            planted["buyer"],
            "2020-04-25",
            "course SP of 10 hours completed 200 minutes after its purchase, on 2020-04-21",
        ),
        (
            sid("SAME_PERSON", "DEWI LESTARI|1990-05-01"),
            "SAME_PERSON",
            "DEWI LESTARI|1990-05-01",
            ";".join(sorted(dewi)),
            "2020-04-25",
            "2 NIKs holding 2 cards carry the name DEWI LESTARI born 1990-05-01 since 2020-04-17",
        ),
    ]
    assert planted["exact"] not in {r["subject"] for r in rows}


def test_a_signal_is_first_seen_on_the_first_day_it_held_and_keeps_its_id(cli, planted, tmp_path):
    assert cli("reconcile", "--date", "2020-04-20").exit_code == 0
    assert cli("reconcile", "--date", "2020-04-21").exit_code == 0
    on_21 = {r["signal_type"]: r for r in _export(cli, tmp_path, "2020-04-21")}
    assert on_21["SHARED_ACCOUNT"]["first_seen_on"] == "2020-04-21"
    assert "FAST_COMPLETION" in on_21 and on_21["SAME_PERSON"]["first_seen_on"] == "2020-04-20"
    later = {r["signal_type"]: r for r in _export(cli, tmp_path, "2020-05-01")}
    assert later["SHARED_ACCOUNT"]["first_seen_on"] == "2020-04-21"
    assert later["SHARED_ACCOUNT"]["signal_id"] == on_21["SHARED_ACCOUNT"]["signal_id"]
    on_20 = {r["signal_type"] for r in _export(cli, tmp_path, "2020-04-20")}
    assert on_20 == {"SHARED_PHONE", "SAME_PERSON"}


def test_a_late_fact_is_first_seen_when_known_and_history_is_not_rewritten(
    cli, program, session, tmp_path
):
    program.wave(1)
    cards = [program.person() for _ in range(3)]
    program.link(cards[0], "777", on=D(2020, 4, 20))
    program.link(cards[1], "777", on=D(2020, 4, 20))
    session.commit()
    assert cli("reconcile", "--date", "2020-04-22").exit_code == 0
    program.link(cards[2], "777", on=D(2020, 4, 21))
    session.commit()
    result = cli("reconcile", "--date", "2020-04-23")
    assert result.exit_code == 0
    assert (
        "integrity signals on 2020-04-23: 1 new, 1 seen in all (leads, nothing held)"
        in result.stdout
    )
    assert "0 break(s) opened" in result.stdout
    (row,) = _export(cli, tmp_path, "2020-04-23")
    assert (row["first_seen_on"], row["evidence"]) == (
        "2020-04-23",
        "account BNI:777 linked by 3 cards of 3 NIKs since 2020-04-21",
    )
    assert _export(cli, tmp_path, "2020-04-22") == []


def test_a_family_sharing_an_account_and_a_niks_second_registration_do_not_signal(
    cli, program, session, tmp_path
):
    program.wave(1)
    program.wave(2)
    family = [program.person(kk_number="3171010100000088", phone="081100000001") for _ in range(2)]
    for card in family:
        program.link(card, "0555", on=D(2020, 4, 20))
    program.person(
        nik=program.nik_of(family[0]), wave=2, phone="081100000001", card=False, name="Peserta 1"
    )
    session.commit()
    assert _export(cli, tmp_path, "2020-05-01") == []
