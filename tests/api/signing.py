"""Signing requests to the redeem-code API as a provider's client does, for the API tests."""

from __future__ import annotations

import hashlib
import hmac
import json

NOW = 1_587_500_000
STATUS = "/api/v1/integration/payment/redeem-code/status"
COMMIT = "/api/v1/integration/payment/redeem-code/commit"
ENDPOINTS = (STATUS, COMMIT)


def issue_key(cli, provider="LP-001"):
    """Issue a provider's key with the command line; return its secret."""
    result = cli("providers", "key", provider)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip().splitlines()[1].removeprefix("secret=")


def signature(secret, path, body_text, *, client_code="LP-001", timestamp=NOW):
    """The signature a client sends for a body text."""
    message = f"{client_code}{timestamp}POST{path}{body_text}".encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()


def headers_for(secret, path, body_text, *, client_code="LP-001", timestamp=NOW):
    """The three signing headers for a body text."""
    return {
        "client_code": client_code,
        "timestamp": str(timestamp),
        "signature": signature(
            secret, path, body_text, client_code=client_code, timestamp=timestamp
        ),
    }


def signed_post(client, path, secret, raw, *, client_code="LP-001", content_type=None):
    """POST raw bytes signed over their text (as a client that signs what it sends)."""
    text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
    headers = headers_for(secret, path, text, client_code=client_code)
    if content_type is not None:
        headers["content-type"] = content_type
    return client.post(path, content=raw, headers=headers)


def compact(body):
    """The compact JSON a client signs."""
    return json.dumps(body, separators=(",", ":"))
