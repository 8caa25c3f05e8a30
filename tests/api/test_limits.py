"""Request bodies over their path's limit are refused with 413 before they are read."""

import logging
import socket
import time
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from prakerja.api.limits import limit_for
from prakerja.config import DEFAULT_BODY_LIMIT, Settings
from tests.api.signing import NOW, STATUS


@pytest.fixture
def client(engine):
    from prakerja.server import create_service

    return TestClient(create_service(engine, clock=lambda: NOW))


def test_the_longest_matching_prefix_sets_the_limit():
    table = {"/api/v1/partner/": 10, "/api/v1/partner/files/": 1000}
    assert limit_for("/api/v1/partner/files/x", 5, table) == 1000
    assert limit_for("/api/v1/partner/tokens", 5, table) == 10
    assert limit_for("/api/v1/integration/payment/redeem-code/status", 5, table) == 5


def test_the_limit_table_is_a_setting(monkeypatch):
    monkeypatch.setenv("PRAKERJA_REQUEST_BODY_LIMITS", '{"/api/v1/partner/files/": 5000000}')
    monkeypatch.setenv("PRAKERJA_REQUEST_BODY_LIMIT", "2048")
    settings = Settings()
    assert settings.request_body_limits == {"/api/v1/partner/files/": 5_000_000}
    assert settings.request_body_limit == 2048
    monkeypatch.delenv("PRAKERJA_REQUEST_BODY_LIMITS")
    monkeypatch.delenv("PRAKERJA_REQUEST_BODY_LIMIT")
    defaults = Settings(_env_file=None)
    assert defaults.request_body_limit == 64 * 1024
    assert defaults.request_body_limits["/api/v1/partner/files/"] > 100 * 1024 * 1024


def test_a_declared_length_over_the_limit_is_413_in_the_contracts_shape(client, caplog):
    body = b'{"redeem_code":"' + b"A" * DEFAULT_BODY_LIMIT + b'"}'
    with caplog.at_level(logging.INFO):
        response = client.post(STATUS, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {
        "success": False,
        "message": f"the request body is over the limit of {DEFAULT_BODY_LIMIT} bytes",
    }
    lines = [r.getMessage() for r in caplog.records if r.name == "prakerja.http"]
    assert lines == [
        f"refused POST {STATUS}: 413 the request body is over the limit of "
        f"{DEFAULT_BODY_LIMIT} bytes"
    ]


def test_a_chunked_body_is_counted_while_it_streams(client):
    def chunks():
        for _ in range(20):
            yield b"A" * 8192

    response = client.post(STATUS, content=chunks())
    assert response.status_code == 413
    assert response.json()["success"] is False
    small = client.post(STATUS, content=iter([b"{}"]))
    assert small.status_code == 401  # under the limit: on to the signature check


def test_a_body_fastapi_parses_itself_is_413_too(engine):
    """FastAPI turns an error while parsing a body into 400: the limit's 413 must win."""
    from fastapi import APIRouter, UploadFile
    from pydantic import BaseModel

    from prakerja.server import create_service

    class Payload(BaseModel):
        text: str

    probe = APIRouter()

    @probe.post("/api/v1/probe/json")
    def json_body(payload: Payload) -> dict[str, int]:
        return {"length": len(payload.text)}

    @probe.post("/api/v1/probe/upload")
    def upload(file: UploadFile) -> dict[str, str]:
        return {"name": file.filename or ""}

    app = create_service(engine, clock=lambda: NOW)
    app.include_router(probe)
    client = TestClient(app)

    def chunks(total, first=b""):
        yield first
        for _ in range(total // 8192):
            yield b"A" * 8192

    big_json = client.post(
        "/api/v1/probe/json",
        content=chunks(100_000, b'{"text":"'),
        headers={"content-type": "application/json"},
    )
    assert big_json.status_code == 413, big_json.text
    boundary = "b0undary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    big_upload = client.post(
        "/api/v1/probe/upload",
        content=chunks(100_000, head.encode()),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert big_upload.status_code == 413, big_upload.text
    assert big_upload.json()["success"] is False
    small = client.post(
        "/api/v1/probe/json",
        content=iter([b'{"text":"abc"}']),
        headers={"content-type": "application/json"},
    )
    assert small.json() == {"length": 3}


def test_pages_have_the_small_limit_and_partner_uploads_a_large_one(client):
    page = client.post("/status", content=b"x" * (DEFAULT_BODY_LIMIT + 1))
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/plain")
    upload = client.post("/api/v1/partner/files/payout-results", content=b"x" * 200_000)
    assert upload.status_code != 413
    assert upload.json()["success"] is False  # no such route here: 404 in the contract's shape


def test_a_200_mb_declaration_is_refused_without_reading_the_body(live_server):
    """The server answers at once; had it waited for the body it would never answer."""
    address = urlsplit(live_server)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            f"POST {STATUS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {200 * 1024 * 1024}\r\n\r\n".encode()
            + b'{"redeem_code":'
        )
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5
