"""The participants' status page, in both languages, offline (the staff pages: test_staff_*)."""

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


def test_status_needs_nik_and_birth_date_to_match(client, selected_wave):
    person = selected_wave[1]
    found = client.post(
        "/status?lang=en", data={"nik": person["nik"], "birth_date": person["birth_date"]}
    )
    assert "outside the age limits" in found.text
    wrong_birth = client.post(
        "/status?lang=en", data={"nik": person["nik"], "birth_date": "1990-01-01"}
    )
    assert "No registration matches" in wrong_birth.text
    invalid = client.post("/status", data={"nik": "123", "birth_date": "x"})
    assert "Masukkan NIK 16 digit" in invalid.text


def test_status_masks_the_card_number(client, selected_wave, session):
    from sqlalchemy import select

    from prakerja.registry.models import Card

    card = session.scalars(select(Card)).one()
    holder = next(p for p in selected_wave if p["nik"] == card.nik)
    page = client.post(
        "/status", data={"nik": holder["nik"], "birth_date": holder["birth_date"]}
    ).text
    assert card.card_number not in page
    assert card.card_number[-4:] in page
    assert "Lolos" in page


def test_assets_are_served_locally(client):
    page = client.get("/status").text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in page


def test_every_template_string_is_translated():
    used = {
        m
        for path in Path(TEMPLATES).glob("*.html")
        for m in re.findall(r'_\("([^"]*)"\)', path.read_text())
    }
    for locale in ("id", "en"):
        catalog = (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").read_text()
        known = set(re.findall(r'^msgid "(.+)"$', catalog, flags=re.M))
        assert used <= known, (locale, used - known)


def test_language_choice():
    assert pick_locale("en", None) == "en"
    assert pick_locale("fr", "fr-FR,en;q=0.8") == "en"
    assert pick_locale(None, None) == "id"
