"""The demo plants each integrity signal beside the look-alike that must not signal."""

from __future__ import annotations

import datetime as dt
import random

from prakerja.demo.planted import (
    FAMILY_ACCOUNT,
    MULE_ACCOUNT,
    SHARED_PHONES,
    plant_accounts,
    plant_fast_completions,
    plant_registrations,
)
from prakerja.demo.synth import ParticipantFactory, WavePlan, applicants
from prakerja.kit.nik import encoded_date_digits
from prakerja.statistics.service import evaluate_signals
from tests.builders import COURSE_COLUMNS, course, write_csv
from tests.statistics.factories import ISSUED, Program


def _waves() -> tuple[ParticipantFactory, list[dict[str, str]], list[dict[str, str]]]:
    factory = ParticipantFactory(random.Random(7))
    plans = [
        WavePlan(n, "PANDEMIC_2020", dt.date(2020, 4, 11 + 9 * n), dt.date(2020, 4, 15), 120, 50)
        for n in (1, 2)
    ]
    first, second = (list(applicants(plan, factory)) for plan in plans)
    return factory, first, second


def test_registrations_share_a_phone_both_ways_and_twins_share_a_name_and_birth_date():
    factory, first, second = _waves()
    plant_registrations(factory, first, second)
    sharing = [row for row in first if row["phone"] in SHARED_PHONES]
    assert sorted(row["phone"] for row in sharing) == sorted(SHARED_PHONES * 5)
    assert len({row["kk_number"] for row in sharing}) == 10
    assert {row["employment_status"] for row in sharing} == {"LAID_OFF"}
    by_person: dict[tuple[str, str], set[str]] = {}
    for row in first:
        key = (" ".join(row["full_name"].upper().split()), row["birth_date"])
        by_person.setdefault(key, set()).add(row["nik"])
    twins = {key: niks for key, niks in by_person.items() if len(niks) > 1}
    assert len(twins) == 5
    for (_name, born), niks in twins.items():
        for nik in niks:
            row = next(r for r in first if r["nik"] == nik)
            assert nik[6:12] == encoded_date_digits(dt.date.fromisoformat(born), row["gender"])
    again = second[-1]
    assert again["wave"] == "2" and any(row["nik"] == again["nik"] for row in first)


def test_accounts_and_completions_signal_but_the_family_and_the_exact_hours_do_not(
    cli, session, engine, tmp_path
):
    program = Program(session)
    program.wave(1)
    strangers = [program.person() for _ in range(5)]
    family = [program.person(kk_number="3171010100000099") for _ in range(2)]
    session.commit()
    catalog = [
        course("SP-1", course_type="SELF_PACED", sessions="1", hours="4", price_idr="250000")
    ]
    assert (
        cli("import", "courses", write_csv(tmp_path / "c.csv", COURSE_COLUMNS, catalog)).exit_code
        == 0
    )
    assert plant_accounts(engine, tmp_path, ISSUED).rejected == 0
    assert plant_fast_completions(engine, tmp_path, ISSUED).loaded == 6
    with session.begin():
        signals = evaluate_signals(session, day=ISSUED + dt.timedelta(days=1))
    kinds = sorted((s.signal_type, len(s.card_numbers)) for s in signals)
    assert kinds == [("FAST_COMPLETION", 1), ("FAST_COMPLETION", 1), ("SHARED_ACCOUNT", 4)]
    (account,) = [s for s in signals if s.signal_type == "SHARED_ACCOUNT"]
    assert account.subject == ":".join(MULE_ACCOUNT)
    assert set(account.card_numbers) < set(strangers + family)
    assert ":".join(FAMILY_ACCOUNT) not in {s.subject for s in signals}
