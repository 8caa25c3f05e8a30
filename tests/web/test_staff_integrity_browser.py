"""In headless Chromium: an auditor follows a signal's card to a story; an operator resolves a
grievance. Screenshots of the statistics, signals, grievance and recoveries pages."""

import datetime as dt

import pytest

from prakerja.accounts.permissions import Role
from prakerja.participants.service import file_grievance
from prakerja.statistics.service import evaluate_signals
from tests.statistics.factories import D, Program, at
from tests.web.staff_helpers import accounts_of_every_role, click_through, sign_in


@pytest.fixture
def staff(session):
    return accounts_of_every_role(session)


@pytest.fixture
def page(browser):
    opened = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    yield opened
    opened.close()


def test_an_auditor_follows_a_signals_card_to_the_participants_story(
    live_server, page, staff, session, screenshot
):
    from prakerja.audit.models import AuditEvent

    program = Program(session)
    program.wave(1)
    program.course("SP", "SALES_MARKETING", "IT", hours=10, course_type="SELF_PACED")
    cards = [program.person(province="31") for _ in range(3)]
    for card in cards:
        program.purchase(card, "SP", bought=at(D(2020, 4, 21)), completed=at(D(2020, 4, 21), 12))
        program.link(card, "0123", on=D(2020, 4, 22))
    program.answer(cards[0], 1, on=D(2020, 6, 1), employment="EMPLOYED", income=2_500_000)
    evaluate_signals(session, day=D(2020, 4, 25))
    session.commit()
    sign_in(page, live_server, *staff[Role.AUDITOR])
    page.goto(f"{live_server}/statistics")
    assert "Statistik program" in page.content()
    screenshot(page, "staff-statistics")
    click_through(page, "header nav >> text=Sinyal")
    assert page.url == f"{live_server}/signals"
    screenshot(page, "staff-signals")
    click_through(page, f"a[href='/participants/card/{cards[1]}']")
    assert page.url == f"{live_server}/participants/card/{cards[1]}"
    screenshot(page, "staff-signal-story")
    opened = session.query(AuditEvent).filter_by(action="participant.story_opened").one()
    assert (opened.actor, opened.details["searched_by"]) == ("auditor1", "card_link")


def test_an_operator_resolves_a_grievance(live_server, page, staff, session, screenshot):
    from prakerja.participants.models import Grievance

    filed = file_grievance(
        session,
        nik="3171000000000009",
        category="NOT_RECEIVED",
        instruction_id=None,
        text="Insentif bulan Mei belum masuk ke rekening saya.",
        now=dt.datetime(2020, 6, 2, 3, 0, tzinfo=dt.UTC),
    )
    session.commit()
    sign_in(page, live_server, *staff[Role.OPERATOR])
    click_through(page, "header nav >> text=Pengaduan")
    screenshot(page, "staff-grievances")
    click_through(page, f"text={filed.grievance_id}")
    page.fill("textarea[name=reason]", "Dana sudah dikirim ulang pada 3 Juni.")
    screenshot(page, "staff-grievance")
    click_through(page, "form[action$='/resolve'] button[type=submit]")
    assert page.url == f"{live_server}/grievances/{filed.grievance_id}"
    assert "operator1" in page.content() and "Dana sudah dikirim ulang" in page.content()
    screenshot(page, "staff-grievance-resolved")
    session.expire_all()
    resolved = session.get(Grievance, filed.grievance_id)
    assert (resolved.status, resolved.resolved_by) == ("RESOLVED", "operator1")
    page.goto(f"{live_server}/recoveries")
    screenshot(page, "staff-recoveries")
