"""Assets offline; every template string translated (the staff pages: test_staff_*)."""

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from prakerja.web.i18n import LOCALE_DIR, pick_locale
from prakerja.web.pages import TEMPLATES, install


@pytest.fixture
def client(engine):
    app = FastAPI()
    app.state.engine = engine
    install(app)
    return TestClient(app)


def test_assets_are_served_locally(client):
    page = client.get("/saya").text
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
