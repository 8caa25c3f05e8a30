"""The staff pages' content per role: overview, breaks, resolving, stories, runs, downloads."""

import datetime as dt
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from prakerja.accounts.permissions import Role
from prakerja.accounts.rules import csrf_token
from prakerja.audit.models import AuditEvent
from prakerja.kit.clock import jakarta_date, utc_now
from prakerja.reconciliation.models import Break
from prakerja.recovery import service as recovery
from prakerja.server import create_service
from prakerja.statistics.models import SignalEvaluation
from prakerja.web.auth import COOKIE
from tests.builders import (
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    make_nik,
    participant,
    wave_row,
    write_csv,
)
from tests.recovery.planting import claimed
from tests.web.staff_helpers import DAY, accounts_of_every_role, one_open_break


@pytest.fixture
def made(session):
    accounts = accounts_of_every_role(session)
    one_open_break(session)
    return accounts


@pytest.fixture
def app(engine, made):
    return create_service(engine)


def _client(app, made, role):
    client = TestClient(app, follow_redirects=False)
    username, password = made[role]
    assert (
        client.post("/login", data={"username": username, "password": password}).status_code == 303
    )
    return client


def _csrf(client):
    return csrf_token(client.cookies.get(COOKIE))


def _more_breaks(session, count, **fields):
    for number in range(count):
        values = {
            "break_id": f"BRK-{fields.get('break_type', 'X')[:3]}-{number:04d}",
            "break_type": "FAILED_PAYMENT",
            "break_key": f"K{number}",
            "occurrence": 1,
            "partner_code": "BANKY",
            "fact_on": DAY - dt.timedelta(days=40),
            "reason": "failed",
            "detected_on": DAY,
            "status": "OPEN",
            "still_holds": True,
        } | fields
        session.add(Break(**values))
    session.commit()


def test_the_overview_tells_the_day_in_plain_words(app, made):
    page = _client(app, made, Role.OPERATOR).get("/?date=2020-06-01").text
    assert "Per 2020-06-01, 4 peserta telah menyelesaikan" in page
    assert "Belum ada hasil dari mitra pembayaran" in page
    assert "Dalam proses di mitra pembayaran" in page
    assert "Rp 7.400.000" in page
    assert "chart-4.6.2.umd.min.js" in page and "<script>" not in page
    english = _client(app, made, Role.FINANCE).get("/?lang=en").text
    assert "No result from the payment partner" in english and "Escrow proof" in english


def test_breaks_filter_and_page_in_sql(app, made, session):
    _more_breaks(session, 52, break_type="FAILED_PAYMENT")
    client = _client(app, made, Role.FINANCE)
    first = client.get("/breaks?type=FAILED_PAYMENT").text
    assert first.count('href="/breaks/BRK-') == 50
    assert "BRK-0001" not in first and "page=2" in first
    second = client.get("/breaks?type=FAILED_PAYMENT&page=2").text
    assert second.count('href="/breaks/BRK-') == 2
    by_partner = client.get("/breaks?partner=BANKX").text
    assert by_partner.count('href="/breaks/BRK-') == 1
    old = client.get("/breaks?age=older&date=2020-06-01").text
    assert old.count('href="/breaks/BRK-') == 50 and "BRK-0001" not in old
    assert client.get("/breaks?status=RESOLVED").text.count('href="/breaks/BRK-') == 0
    assert client.get("/breaks?page=abc&wave=x&type=NOPE").status_code == 200
    assert client.get("/breaks?partner=" + "X" * 500).status_code == 422


def test_a_partner_sees_only_its_own_breaks(app, made, session):
    _more_breaks(session, 3)
    page = _client(app, made, Role.PARTNER).get("/partner/breaks?partner=BANKY").text
    assert "BRK-0001" in page and "BANKY" not in page


def test_resolving_needs_a_reason_and_records_the_username(app, made, session):
    client = _client(app, made, Role.FINANCE)
    empty = client.post(
        "/breaks/BRK-0001/resolve", data={"reason": " ", "csrf_token": _csrf(client)}
    )
    assert empty.status_code == 422 and "alasan tertulis wajib" in empty.text
    done = client.post(
        "/breaks/BRK-0001/resolve", data={"reason": "dibayar manual", "csrf_token": _csrf(client)}
    )
    assert done.status_code == 303
    page = client.get("/breaks/BRK-0001").text
    assert "finance1" in page and "dibayar manual" in page
    session.expire_all()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "break.resolved")).one()
    assert (event.actor, event.subject_id) == ("finance1", "BRK-0001")


@pytest.fixture
def person(cli, tmp_path):
    someone = participant(
        birth_date=dt.date(1990, 5, 1), nik=make_nik(dt.date(1990, 5, 1), "P", serial=4242)
    )
    cli("import", "waves", write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, quota=1)]))
    cli("import", "participants", write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [someone]))
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    return someone


def test_a_story_is_masked_for_roles_that_do_not_need_the_nik(app, made, person, session):
    finance = _client(app, made, Role.FINANCE)
    masked = finance.post(
        "/participants", data={"query": person["nik"], "csrf_token": _csrf(finance)}
    )
    assert masked.status_code == 200
    assert person["nik"] not in masked.text and person["nik"][-2:] in masked.text
    assert person["full_name"] not in masked.text
    operator = _client(app, made, Role.OPERATOR)
    full = operator.post(
        "/participants", data={"query": person["nik"], "csrf_token": _csrf(operator)}
    )
    assert person["nik"] in full.text and "Lolos seleksi" in full.text
    missing = operator.post(
        "/participants", data={"query": "nobody", "csrf_token": _csrf(operator)}
    )
    assert missing.status_code == 404
    opened = session.scalars(
        select(AuditEvent.actor).where(AuditEvent.action == "participant.story_opened")
    ).all()
    assert sorted(opened) == ["finance1", "operator1"]


def _run_from_the_page(client, day):
    """Start a reconciliation of `day` on the runs page and follow it; return its last fragment."""
    started = client.post("/runs", data={"date": day, "csrf_token": _csrf(client)})
    assert started.status_code == 303
    job_path = started.headers["location"]
    deadline = time.monotonic() + 60
    while True:
        answer = client.get(job_path, headers={"HX-Request": "true"})
        # As htmx does, a poll the database could not answer (503) is asked again;
        # anything else is the page's answer.
        finished = answer.status_code != 503 and "hx-trigger" not in answer.text
        if finished or time.monotonic() > deadline:
            return answer.text
        time.sleep(0.2)


def test_an_operator_runs_a_reconciliation_and_follows_its_progress(app, made, session):
    client = _client(app, made, Role.OPERATOR)
    fragment = _run_from_the_page(client, "2020-06-02")
    assert "Selesai" in fragment and "1 diselesaikan" in fragment, fragment
    runs = client.get("/runs").text
    assert "2020-06-02" in runs
    # Each run says what it read: everything the first time, then only what changed.
    assert "Fakta yang dibaca" in runs and "seluruh riwayat" in runs, runs
    assert "Selesai" in _run_from_the_page(client, "2020-06-03")
    latest = client.get("/runs").text.split("<td>2020-06-03</td>", 1)[1].split("</tr>", 1)[0]
    assert "yang berubah: 0 peserta" in latest, latest
    session.expire_all()
    runs = session.scalars(select(AuditEvent).where(AuditEvent.action == "reconciliation.run"))
    assert [run.actor for run in runs] == ["operator1", "operator1"]
    # A run started here is the daily run the command runs: its integrity signals too.
    evaluated = session.scalars(select(SignalEvaluation.evaluated_on)).all()
    assert sorted(evaluated) == [dt.date(2020, 6, 2), dt.date(2020, 6, 3)]


def test_downloads_for_a_day(app, made):
    client = _client(app, made, Role.AUDITOR)
    breaks = client.get("/downloads/breaks.csv?date=2020-06-01")
    assert breaks.status_code == 200 and breaks.text.startswith("break_id,")
    assert "BRK-0001" in breaks.text
    workbook = client.get("/downloads/statement.xlsx?date=2020-06-01")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert client.get("/downloads/statement.pdf?date=2020-06-01").content[:4] == b"%PDF"
    assert client.get("/downloads/statement.doc").status_code == 404
    unknown = client.get("/downloads/selection-9.csv")
    assert unknown.status_code == 404 and "9" in unknown.text


def test_an_admin_adds_and_disables_an_account_from_the_page(app, made, session):
    admin = _client(app, made, Role.ADMIN)
    added = admin.post(
        "/accounts", data={"username": "wati", "role": "AUDITOR", "csrf_token": _csrf(admin)}
    )
    password = re.search(r"password=([A-Za-z0-9]+)", added.text).group(1)
    assert len(password) >= 16
    wati = TestClient(app, follow_redirects=False)
    assert wati.post("/login", data={"username": "wati", "password": password}).status_code == 303
    assert wati.get("/breaks").status_code == 200
    again = admin.post(
        "/accounts", data={"username": "wati", "role": "AUDITOR", "csrf_token": _csrf(admin)}
    )
    assert again.status_code == 422
    assert (
        admin.post("/accounts/wati/disable", data={"csrf_token": _csrf(admin)}).status_code == 303
    )
    assert wati.get("/breaks").status_code == 303
    session.expire_all()
    actors = session.scalars(
        select(AuditEvent.actor)
        .where(AuditEvent.action.in_(["account.added", "account.disabled"]))
        .where(AuditEvent.subject_id == "wati")
    ).all()
    assert actors == ["admin1", "admin1"]


def test_the_overview_figures_are_kept_until_the_records_change(app, made, session):
    from prakerja.accounts.models import StaffFigures

    client = _client(app, made, Role.OPERATOR)
    assert "1 selisih terbuka" in client.get("/?date=2020-06-01").text
    session.expire_all()
    kept = session.get(StaffFigures, DAY)
    assert kept is not None and kept.figures["by_partner"] == [["BANKX", 1]]
    client.post("/breaks/BRK-0001/resolve", data={"reason": "ok", "csrf_token": _csrf(client)})
    # Resolved on the latest day reconciled: that day's figures are counted again.
    assert "Semua cocok: tidak ada selisih terbuka." in client.get("/?date=2020-06-01").text


def test_a_story_shows_the_recovery_claims_with_status_and_age(app, made, session):
    claim = claimed(session, reconciled_on=DAY)  # the day of the open break's run
    today = jakarta_date(utc_now())
    [now] = recovery.claims_for_card(session, card_number=claim.card_number, as_of=today)
    assert (now.opened_on, now.age_days) == (DAY, (today - DAY).days)
    operator = _client(app, made, Role.OPERATOR)
    page = operator.post(
        "/participants", data={"query": claim.card_number, "csrf_token": _csrf(operator)}
    ).text
    claims = page.split('id="claims"')[1].split("</section>")[0]
    row = re.sub(r"\s+", " ", claims.split(f"<code>{claim.claim_id}</code>")[1].split("</tr>")[0])
    assert "lewat jatuh tempo" in row
    assert "Rp 600.000" in row and f"{DAY}" in row and f"{DAY + dt.timedelta(days=60)}" in row
    assert f'<td class="num">{now.age_days}</td>' in row
    steps = page.split("</section>")[0]
    assert f"Mengembalikan pembayaran yang bukan haknya <code>{claim.claim_id}</code>" in steps
