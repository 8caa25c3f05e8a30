"""`prakerja serve` refuses other machines while secrets sit under the development key."""

import pytest

from prakerja.cli.serve import is_loopback
from prakerja.config import get_settings


@pytest.fixture
def no_secret_key(monkeypatch):
    monkeypatch.delenv("PRAKERJA_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_serve_off_loopback_without_a_key_refuses_to_start(cli, no_secret_key, host):
    result = cli("serve", "--host", host, "--port", "1")
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        f"error: refusing to listen on {host} with the built-in development key: set "
        "PRAKERJA_SECRET_KEY to a key of your own (or listen on 127.0.0.1)"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_keep_the_development_key(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "::", "myhost"])
def test_other_addresses_are_not_loopback(host):
    assert not is_loopback(host)
