"""The staff pages of the statistics and the signals, in both languages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from prakerja.statistics.service import evaluate_signals
from prakerja.web.pages import install
from tests.statistics.factories import D, Program, at


@pytest.fixture
def client(engine):
    app = FastAPI()
    app.state.engine = engine
    install(app)
    return TestClient(app)


@pytest.fixture
def planted(session):
    program = Program(session)
    program.wave(1)
    program.course("SP", "SALES_MARKETING", "IT", hours=10, course_type="SELF_PACED")
    buyers = [program.person(province="31") for _ in range(3)]
    for card in buyers:
        program.purchase(card, "SP", bought=at(D(2020, 4, 21)), completed=at(D(2020, 4, 21), 12))
        program.link(card, "0123", on=D(2020, 4, 22))
    program.answer(buyers[0], 1, on=D(2020, 6, 1), employment="EMPLOYED", income=2_500_000)
    evaluate_signals(session, day=D(2020, 4, 25))
    session.commit()
    return buyers


def test_statistics_page_charts_the_ranking_and_shows_counts_behind_percentages(client, planted):
    page = client.get("/statistics")
    assert page.status_code == 200
    assert "Statistik program" in page.text
    assert "<svg" in page.text and "BUNDLE" in page.text
    assert "Rp 2.500.000" in page.text
    assert "1 (100%)" in page.text
    english = client.get("/statistics?lang=en&wave=1&province=31")
    assert "Training categories by participants" in english.text
    assert "3 (100%)" in english.text


def test_signals_page_lists_each_signal_with_its_cards(client, planted):
    page = client.get("/signals?lang=en")
    assert page.status_code == 200
    assert "account BNI:0123 linked by 3 cards of 3 NIKs since 2020-04-22" in page.text
    assert all(card in page.text for card in planted)
    assert "FAST_COMPLETION" in page.text


def test_bad_filters_are_refused_with_a_client_error(client, planted):
    assert client.get("/statistics?province=jakarta").status_code == 422
    assert client.get("/statistics?wave=0").status_code == 422
