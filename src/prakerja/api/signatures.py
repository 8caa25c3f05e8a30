"""Request signatures of the redeem-code API: HMAC-SHA1 over what the provider signed.

The signed string is `client_code + timestamp + "POST" + path + body`, where
body is the JSON body in compact form with its keys in the order sent. Some
public clients send the body with spaces but sign the compact form, so the
compact re-serialisation of what arrived is checked, and the raw body too.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
from typing import Any

#: How far a request's timestamp may be from the server's clock, either way.
WINDOW_SECONDS = 300


def sign(secret: str, client_code: str, timestamp: str, path: str, body: str) -> str:
    """Return the lower-case hex HMAC-SHA1 a client sends as `signature`."""
    message = f"{client_code}{timestamp}POST{path}{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()


def compact_forms(raw: bytes, parsed: Any) -> list[str]:
    """Return the body texts a client may have signed: compact JSON (two escapings), raw."""
    forms = [
        json.dumps(parsed, separators=(",", ":"), ensure_ascii=False),
        json.dumps(parsed, separators=(",", ":")),
    ]
    with contextlib.suppress(UnicodeDecodeError):
        forms.append(raw.decode("utf-8"))
    return list(dict.fromkeys(forms))


def signature_matches(
    secret: str, client_code: str, timestamp: str, path: str, *, bodies: list[str], given: str
) -> bool:
    """Return True when `given` signs the request for one of the candidate bodies."""
    candidate = given.strip().lower()
    return any(
        hmac.compare_digest(sign(secret, client_code, timestamp, path, body), candidate)
        for body in bodies
    )


def timestamp_fresh(timestamp: str, now: float) -> bool:
    """Return True when `timestamp` (Unix seconds) is within the window around `now`.

    The timestamp is in whole seconds, so it is compared with the server's
    current whole second: a timestamp exactly 5 minutes old is not "more than
    5 minutes off", whatever fraction of a second the server's clock is into.
    """
    try:
        sent = int(timestamp.strip())
    except ValueError:
        return False
    return abs(math.floor(now) - sent) <= WINDOW_SECONDS
