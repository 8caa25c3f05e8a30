"""The dashboard in both languages, offline; every template string translated."""

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from prakerja.web.i18n import LOCALE_DIR, pick_locale
from prakerja.web.pages import TEMPLATES, install
from tests.builders import PARTICIPANT_COLUMNS, WAVE_COLUMNS, participant, wave_row, write_csv


@pytest.fixture
def client(engine):
    app = FastAPI()
    app.state.engine = engine
    install(app)
    return TestClient(app)


@pytest.fixture
def selected_wave(cli, tmp_path):
    people = [participant(), participant(birth_date=dt.date(2006, 1, 1)), participant()]
    cli("import", "waves", write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, quota=1)]))
    cli("import", "participants", write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, people))
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    return people


def test_dashboard_shows_waves_in_indonesian_by_default(client, selected_wave):
    page = client.get("/")
    assert page.status_code == 200
    assert "Dasbor program" in page.text
    assert "PANDEMIC_2020" in page.text
    assert "INELIGIBLE_AGE" in page.text
    assert "<svg" in page.text
    english = client.get("/?lang=en")
    assert "Program dashboard" in english.text
    assert (
        client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).text.count(
            "Program dashboard"
        )
        == 1
    )


def test_dashboard_holds_no_personal_data(client, selected_wave):
    page = client.get("/").text
    for person in selected_wave:
        assert person["nik"] not in page
        assert person["full_name"] not in page


def test_assets_are_served_locally(client):
    page = client.get("/").text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in page


def test_every_template_string_is_translated():
    used = {
        m
        for path in Path(TEMPLATES).rglob("*.html")
        for m in re.findall(r'_\("([^"]*)"\)', path.read_text())
    }
    for locale in ("id", "en"):
        catalog = "\n".join(
            path.read_text() for path in (LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")
        )
        known = set(re.findall(r'^msgid "(.+)"$', catalog, flags=re.M))
        assert used <= known, (locale, used - known)


def test_language_choice():
    assert pick_locale("en", None) == "en"
    assert pick_locale("fr", "fr-FR,en;q=0.8") == "en"
    assert pick_locale(None, None) == "id"


def test_dashboard_shows_the_latest_reconciliation(client, cli, selected_wave):
    assert "Rekonsiliasi belum pernah dijalankan" in client.get("/").text
    assert cli("reconcile", "--date", "2020-04-20").exit_code == 0
    assert "Per 2020-04-20, 0 peserta telah menyelesaikan" in client.get("/").text
    page = client.get("/?lang=en").text
    assert "As of 2020-04-20, 0 participants completed their first training" in page
    assert page.count("As of") == 1
    for stage in (
        "PAID",
        "HELD_INELIGIBLE",
        "IN_FLIGHT",
        "FAILED_AWAITING_ACCOUNT",
        "AWAITING_REVIEW",
        "NO_ACCOUNT",
        "DUE_NOT_INSTRUCTED",
    ):
        assert stage in page
    for kind in ("MISSING_RESULT", "DUPLICATE_INVOICE"):
        assert kind in page
    assert "Escrow account" in page
