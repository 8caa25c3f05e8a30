"""The secret key that encrypts providers' secrets: a warning while the development key is in
use, and a clear refusal (and log line) when a secret was encrypted under another key."""

import hashlib
import hmac
import json
import logging

import pytest
from fastapi.testclient import TestClient

from prakerja.config import get_settings

NOW = 1_587_500_000
STATUS = "/api/v1/integration/payment/redeem-code/status"
WARNING = "warning: PRAKERJA_SECRET_KEY is not set"


@pytest.fixture
def secret_key(monkeypatch):
    """Set (a string) or unset (None) PRAKERJA_SECRET_KEY for the rest of the test."""

    def use(value):
        if value is None:
            monkeypatch.delenv("PRAKERJA_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("PRAKERJA_SECRET_KEY", value)
        get_settings.cache_clear()

    use(None)
    yield use
    monkeypatch.undo()
    get_settings.cache_clear()


def _issue(cli):
    result = cli("providers", "key", "LP-001")
    assert result.exit_code == 0, result.stderr
    return result


def test_providers_key_warns_while_the_development_key_is_in_use(cli, secret_key):
    warned = _issue(cli)
    assert warned.stderr.count(WARNING) == 1 and WARNING not in warned.stdout
    secret_key("a-production-key-from-the-vault")
    assert WARNING not in _issue(cli).stderr


def test_serve_warns_while_the_development_key_is_in_use(cli, secret_key, monkeypatch):
    started = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.append(options))
    warned = cli("serve", "--port", "8123")
    assert warned.exit_code == 0 and warned.stderr.count(WARNING) == 1
    secret_key("a-production-key-from-the-vault")
    quiet = cli("serve", "--port", "8123")
    assert quiet.exit_code == 0 and WARNING not in quiet.stderr
    assert [options["port"] for options in started] == [8123, 8123]


def test_a_secret_encrypted_under_another_key_is_refused_with_401_and_logged(
    engine, cli, secret_key, caplog
):
    from prakerja.api.app import create_app

    secret_key("the-key-of-last-year")
    secret = _issue(cli).stdout.splitlines()[1].removeprefix("secret=")
    secret_key("the-key-of-this-year")
    body = json.dumps({"redeem_code": "X", "sequence": 1}, separators=(",", ":"))
    message = f"LP-001{NOW}POST{STATUS}{body}".encode()
    signature = hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()
    headers = {"client_code": "LP-001", "timestamp": str(NOW), "signature": signature}
    client = TestClient(create_app(engine, clock=lambda: NOW), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR):
        answer = client.post(STATUS, content=body, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["success"] is False and "operator" in answer.json()["message"]
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "cannot be decrypted with the current PRAKERJA_SECRET_KEY" in line
    assert "prakerja providers key LP-001" in line
    assert secret not in caplog.text and "\n" not in line
    secret = _issue(cli).stdout.splitlines()[1].removeprefix("secret=")
    signature = hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()
    reissued = client.post(STATUS, content=body, headers={**headers, "signature": signature})
    assert reissued.status_code == 404
