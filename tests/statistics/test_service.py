"""The read functions the staff pages use: ranking by wave and province, completions, signals."""

from __future__ import annotations

import pytest

from prakerja.statistics import service
from tests.statistics.factories import D, Program, at


@pytest.fixture
def planted(program: Program, session):
    """Two provinces, a webinar of 12 hours and a self-paced course of 10."""
    program.wave(1)
    program.wave(2)
    program.course("WEB", "FINANCE", hours=12)
    program.course("SP", "SALES_MARKETING", "IT", hours=10, course_type="SELF_PACED")
    jakarta = [program.person(province="31") for _ in range(2)]
    bali = program.person(province="51", wave=2)
    start = at(D(2020, 4, 21))
    program.purchase(jakarta[0], "WEB", bought=start, completed=at(D(2020, 4, 23)))
    program.purchase(jakarta[1], "SP", bought=start, completed=at(D(2020, 4, 21), 15))
    program.purchase(bali, "SP", bought=start)
    session.commit()


def test_ranking_by_wave_and_province_counts_first_trainings(session, planted):
    rows = service.ranking_by_wave_province(session)
    assert [(r.wave, r.province_code, r.category, r.participants) for r in rows] == [
        (1, "31", "BUNDLE", 1),
        (1, "31", "FINANCE", 1),
        (2, "51", "BUNDLE", 1),
    ]


def test_completions_give_rates_and_time_taken_against_the_hours(session, planted):
    courses, providers = service.completions(session)
    assert [
        (c.course_code, c.purchased, c.completed, c.median_hours_taken, c.sooner_than_hours)
        for c in courses
    ] == [("SP", 2, 1, 5.0, 1), ("WEB", 1, 1, 48.0, 0)]
    (provider,) = providers
    assert (provider.provider_code, provider.courses, provider.purchased, provider.completed) == (
        "LP-1",
        2,
        3,
        2,
    )
    assert provider.sooner_than_hours == 1
    assert provider.median_share_of_hours == pytest.approx((0.5 + 4.0) / 2)


def test_signals_for_a_page_only_read_and_list_their_cards(session, program, planted):
    cards = [program.person() for _ in range(3)]
    for card in cards:
        program.link(card, "42", on=D(2020, 4, 20))
    session.commit()
    assert service.evaluate_signals(session, day=D(2020, 4, 25), record=False) == []
    seen = service.evaluate_signals(session, day=D(2020, 4, 25))
    account = [s for s in seen if s.signal_type == "SHARED_ACCOUNT"]
    assert [(s.subject, s.card_numbers) for s in account] == [("BNI:42", tuple(sorted(cards)))]
    again = service.evaluate_signals(session, day=D(2020, 4, 26), record=False)
    assert [s.first_seen_on for s in again if s.signal_type == "SHARED_ACCOUNT"] == [D(2020, 4, 25)]
