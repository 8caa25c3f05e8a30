"""Each role's main path through the real pages, in headless Chromium, with screenshots."""

import datetime as dt

import pytest

from prakerja.accounts.permissions import Role
from tests.builders import (
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    make_nik,
    participant,
    wave_row,
    write_csv,
)
from tests.web.staff_helpers import (
    accounts_of_every_role,
    click_through,
    one_open_break,
    sign_in,
)


@pytest.fixture
def staff(session):
    made = accounts_of_every_role(session)
    one_open_break(session)
    return made


@pytest.fixture
def page(browser):
    opened = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
    yield opened
    opened.close()


def test_an_anonymous_visitor_is_sent_to_login(live_server, page, screenshot):
    page.goto(f"{live_server}/breaks")
    assert page.url.startswith(f"{live_server}/login")
    assert page.locator("input[name=password]").count() == 1
    screenshot(page, "staff-login")


def test_an_operator_resolves_a_break(live_server, page, staff, session, screenshot):
    from prakerja.audit.models import AuditEvent
    from prakerja.reconciliation.models import Break

    sign_in(page, live_server, *staff[Role.OPERATOR])
    assert page.url == f"{live_server}/"
    assert "Ikhtisar" in page.content()
    screenshot(page, "staff-overview")
    page.goto(f"{live_server}/breaks?type=MISSING_RESULT")
    screenshot(page, "staff-breaks")
    click_through(page, "text=BRK-0001")
    page.fill("textarea[name=reason]", "Hasil dari bank diterima lewat telepon")
    screenshot(page, "staff-break")
    click_through(page, "form[action$='/resolve'] button[type=submit]")
    assert "operator1" in page.content()
    session.expire_all()
    resolved = session.get(Break, "BRK-0001")
    assert resolved.status == "RESOLVED" and resolved.resolved_by == "operator1"
    actors = [e.actor for e in session.query(AuditEvent).filter_by(action="break.resolved")]
    assert actors == ["operator1"]


def test_an_auditor_finds_a_participant_and_cannot_change_anything(
    live_server, page, staff, cli, tmp_path, session, screenshot
):
    from prakerja.audit.models import AuditEvent

    person = participant(
        birth_date=dt.date(1990, 5, 1), nik=make_nik(dt.date(1990, 5, 1), "P", serial=4242)
    )
    cli("import", "waves", write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, quota=1)]))
    cli("import", "participants", write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [person]))
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    sign_in(page, live_server, *staff[Role.AUDITOR])
    page.goto(f"{live_server}/participants?lang=en")
    page.fill("input[name=query]", person["nik"])
    click_through(page, "form[action='/participants'] button[type=submit]")
    assert person["nik"] in page.content()
    screenshot(page, "staff-story")
    opened = session.query(AuditEvent).filter_by(action="participant.story_opened").one()
    assert (opened.actor, opened.subject_id) == ("auditor1", person["nik"])
    page.goto(f"{live_server}/breaks/BRK-0001")
    assert page.locator("textarea[name=reason]").count() == 0
    page.goto(f"{live_server}/runs")
    assert page.locator("form[action='/runs']").count() == 0


def test_an_account_without_the_role_gets_403(live_server, page, staff, screenshot):
    sign_in(page, live_server, *staff[Role.PARTNER])
    assert page.url == f"{live_server}/partner/breaks"
    answer = page.goto(f"{live_server}/participants")
    assert answer.status == 403
    screenshot(page, "staff-forbidden")


def test_the_sixth_wrong_password_is_refused_even_when_right(live_server, page, staff, screenshot):
    username, password = staff[Role.FINANCE]
    for _ in range(5):
        sign_in(page, live_server, username, "not-the-password")
        assert "salah" in page.content()
    sign_in(page, live_server, username, password)
    assert page.url.startswith(f"{live_server}/login")
    assert "15 menit" in page.content()
    screenshot(page, "staff-locked")


def test_an_operator_runs_a_day_and_watches_it_finish(
    live_server, page, staff, session, screenshot
):
    sign_in(page, live_server, *staff[Role.OPERATOR])
    page.goto(f"{live_server}/runs")
    page.fill("input[name=date]", "2020-06-02")
    click_through(page, "form[action='/runs'] button[type=submit]")
    assert "/runs/jobs/" in page.url
    # htmx (vendored) asks for the progress every second until the run is done.
    page.wait_for_selector("#job.done", timeout=60_000)
    assert "Selesai" in page.content()
    screenshot(page, "staff-run-done")
    page.goto(f"{live_server}/runs")
    assert "2020-06-02" in page.content() and "operator1" in page.content()
    screenshot(page, "staff-runs")


def test_an_auditor_reads_waves_and_downloads(live_server, page, staff, cli, tmp_path, screenshot):
    people = [participant(), participant(birth_date=dt.date(2006, 1, 1)), participant()]
    cli("import", "waves", write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, quota=1)]))
    cli("import", "participants", write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, people))
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    sign_in(page, live_server, *staff[Role.AUDITOR])
    page.goto(f"{live_server}/waves")
    content = page.content()  # three applicants for one place: two not selected, with reasons
    assert "Mengapa pendaftar tidak lolos" in content and "Nasional" in content
    screenshot(page, "staff-waves")
    page.goto(f"{live_server}/downloads?date=2020-06-01")
    with page.expect_download() as download:
        page.click("text=breaks.csv")
    assert download.value.suggested_filename == "breaks-2020-06-01.csv"
    screenshot(page, "staff-downloads")


def test_an_admin_adds_an_account(live_server, page, staff, screenshot):
    sign_in(page, live_server, *staff[Role.ADMIN])
    assert page.url == f"{live_server}/accounts"
    page.fill("input[name=username]", "sri")
    page.select_option("select[name=role]", "FINANCE")
    click_through(page, "form[action='/accounts'] button[type=submit]")
    assert "username=sri" in page.content()
    screenshot(page, "staff-accounts")
