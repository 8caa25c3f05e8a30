"""Every response carries the security headers; refusals and failures are answered one way."""

import logging
import sqlite3

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from prakerja.api.headers import CONTENT_SECURITY_POLICY
from prakerja.kit.errors import ConflictError
from tests.api.signing import NOW, STATUS

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}

probe = APIRouter()


@probe.get("/api/v1/probe/boom")
def api_boom() -> dict[str, str]:
    raise RuntimeError("a bug, with a secret detail")


@probe.get("/boom")
def page_boom() -> dict[str, str]:
    raise RuntimeError("a page bug")


@probe.get("/api/v1/probe/busy")
def api_busy() -> dict[str, str]:
    raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))


@probe.get("/busy")
def page_busy() -> dict[str, str]:
    raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))


@probe.get("/api/v1/probe/typed")
def typed(n: int) -> dict[str, int]:
    return {"n": n}


@probe.get("/api/v1/probe/conflict")
def conflict() -> dict[str, str]:
    raise ConflictError("already done")


@pytest.fixture
def client(engine):
    from prakerja.server import create_service

    app = create_service(engine, clock=lambda: NOW)
    app.include_router(probe)
    return TestClient(app)


def _has_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/docs", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/static/api/docs.js", 200),
        ("GET", "/static/web/app.css", 200),
        ("POST", STATUS, 401),
        ("GET", STATUS, 405),
        ("GET", "/api/v1/nothing-here", 404),
        ("GET", "/nothing-here", 404),
        ("GET", "/api/v1/probe/boom", 500),
        ("GET", "/boom", 500),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = client.request(method, path)
    assert response.status_code == status, response.text
    _has_security_headers(response)


def test_api_refusals_have_the_contracts_shape_and_one_log_line(client, caplog):
    cases = [
        ("GET", STATUS, 405, "Method Not Allowed"),
        ("GET", "/api/v1/nothing-here", 404, "Not Found"),
        ("GET", "/api/v1/probe/typed?n=x", 422, None),
        ("GET", "/api/v1/probe/conflict", 409, "already done"),
    ]
    for method, path, status, message in cases:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = client.request(method, path)
        assert response.status_code == status
        body = response.json()
        assert body == {"success": False, "message": message or body["message"]}
        assert "input" not in body["message"]
        lines = [r for r in caplog.records if r.name == "prakerja.http"]
        assert len(lines) == 1 and lines[0].exc_info is None
        assert lines[0].getMessage().startswith(f"refused {method} {path.split('?')[0]}: {status}")


def test_a_page_refusal_keeps_fastapis_own_answer(client):
    assert client.get("/nothing-here").json() == {"detail": "Not Found"}


def test_an_unexpected_exception_is_logged_once_with_its_traceback_and_answered_500(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/probe/boom")
    assert response.status_code == 500
    assert response.json() == {
        "success": False,
        "message": "internal error; it was logged for the operator",
    }
    assert "secret detail" not in response.text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and failures[0].exc_info is not None
    page = client.get("/boom")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/plain")


def test_a_database_that_could_not_answer_is_a_503_to_ask_again(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/probe/busy")
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json() == {
        "success": False,
        "message": "the database is busy or out of reach; try again shortly",
    }
    assert "locked" not in response.text and "SELECT" not in response.text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and failures[0].exc_info is not None
    page = client.get("/busy")
    assert page.status_code == 503 and page.headers["retry-after"] == "1"
    assert page.headers["content-type"].startswith("text/plain") and "I/O" not in page.text
    _has_security_headers(page)


def test_log_lines_escape_what_a_stranger_puts_in_the_path(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/api/v1/x%1B[31mred%7F")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "prakerja.http"]
    assert "\x1b" not in line and "\x7f" not in line
    assert "/api/v1/x\\x1b[31mred\\x7f" in line


def test_a_served_refusal_is_one_line_on_standard_error(engine, monkeypatch, capfd):

    from prakerja.server import log_to_stderr

    product = logging.getLogger("prakerja")
    monkeypatch.setattr(product, "handlers", [])
    monkeypatch.setattr(product, "propagate", True)
    monkeypatch.setattr(product, "level", logging.NOTSET)
    log_to_stderr()
    from prakerja.server import create_service

    TestClient(create_service(engine, clock=lambda: NOW)).post(STATUS, content=b"{}")
    lines = capfd.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        f"INFO prakerja.http: refused POST {STATUS}: 401 "
        "missing client_code, timestamp or signature header"
    )
