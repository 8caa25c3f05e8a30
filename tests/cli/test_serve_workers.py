"""`prakerja serve` workers: one per usable CPU by default, each on the same database."""

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

VARIABLE = "PRAKERJA_DATABASE_URL"


@pytest.fixture
def started(monkeypatch):
    """What `uvicorn.run` was asked to start, and the database URL its workers would see."""
    runs = []

    def run(app, **options):
        runs.append((app, options, os.environ.get(VARIABLE)))

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.delenv(VARIABLE, raising=False)
    return runs


def test_serve_starts_one_worker_per_usable_cpu_by_default(cli, started, database_url):
    from prakerja.cli.serve import default_workers

    assert default_workers() == len(os.sched_getaffinity(0)) >= 1
    assert cli("serve", "--port", "8124").exit_code == 0
    app, options, url = started[0]
    assert options["workers"] == default_workers() and options["factory"] is True
    assert app == "prakerja.server:service_from_settings"
    assert make_url(url) == make_url(database_url)
    assert VARIABLE not in os.environ  # handed to the workers only, then put back


def test_serve_takes_a_worker_count(cli, started):
    assert cli("serve", "--workers", "3").exit_code == 0
    assert started[0][1]["workers"] == 3
    assert cli("serve", "--workers", "0").exit_code != 0
    assert len(started) == 1


def test_serve_help_tells_the_default_worker_count(cli):
    from prakerja.cli.serve import default_workers

    shown = cli("serve", "--help", db=False)
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.replace("│", " ").split())
    assert f"default: one per CPU this process may use, {default_workers()} here" in text


def test_each_worker_builds_the_service_on_the_database_it_is_handed(monkeypatch, database_url):
    from prakerja.server import service_from_settings

    monkeypatch.setenv(VARIABLE, database_url)
    app = service_from_settings()
    assert make_url(str(app.state.engine.url)) == make_url(database_url)
    assert TestClient(app).get("/openapi.json").status_code == 200
    app.state.engine.dispose()
