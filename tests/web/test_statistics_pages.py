"""The staff pages of the statistics and the signals, in both languages, behind sign-in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from prakerja.accounts.permissions import Role
from prakerja.server import create_service
from prakerja.statistics.service import evaluate_signals
from tests.statistics.factories import D, Program, at
from tests.web.staff_helpers import accounts_of_every_role


@pytest.fixture
def accounts(session):
    return accounts_of_every_role(session)


def _signed_in(engine, username, password):
    client = TestClient(create_service(engine), follow_redirects=False)
    assert (
        client.post("/login", data={"username": username, "password": password}).status_code == 303
    )
    return client


@pytest.fixture
def client(engine, accounts):
    return _signed_in(engine, *accounts[Role.AUDITOR])


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


def test_each_signal_card_links_to_the_participants_story_and_the_opening_is_audited(
    client, planted, session
):
    from prakerja.audit.models import AuditEvent

    page = client.get("/signals")
    assert f'href="/participants/card/{planted[0]}"' in page.text
    story = client.get(f"/participants/card/{planted[0]}")
    assert story.status_code == 200
    opened = session.query(AuditEvent).filter_by(action="participant.story_opened").all()
    assert [(e.actor, e.details["searched_by"]) for e in opened] == [("auditor1", "card_link")]
    assert client.get("/participants/card/9999999999999999").status_code == 404
    assert client.get("/participants/card/not-a-card").status_code == 422


def test_anonymous_visitors_are_sent_to_sign_in_and_finance_sees_no_signals(
    engine, accounts, planted
):
    anonymous = TestClient(create_service(engine), follow_redirects=False)
    for path in ("/statistics", "/signals"):
        answer = anonymous.get(path)
        assert (answer.status_code, answer.headers["location"][:6]) == (303, "/login")
    finance = _signed_in(engine, *accounts[Role.FINANCE])
    assert finance.get("/statistics").status_code == 200
    assert finance.get("/signals").status_code == 403
