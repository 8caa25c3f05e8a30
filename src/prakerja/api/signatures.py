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
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from prakerja.api.redeem_models import RedeemRequest
from prakerja.kit.errors import InputError, UnauthenticatedError

#: How far a request's timestamp may be from the server's clock, either way.
WINDOW_SECONDS = 300
#: What a signature looks like: 40 lower-case hex digits (HMAC-SHA1).
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{40}")
#: The one refusal for a wrong signature or an unknown client (they must look the same).
INVALID_SIGNATURE = "invalid signature"
#: The secret an unknown client's signature is checked against (and never matches: refused).
_STAND_IN_SECRET = secrets.token_hex(20)
#: The most characters a timestamp (Unix seconds, maybe signed) may have.
_TIMESTAMP_DIGITS = 20


def sign(secret: str, client_code: str, timestamp: str, path: str, body: str) -> str:
    """Return the lower-case hex HMAC-SHA1 a client sends as `signature`."""
    message = f"{client_code}{timestamp}POST{path}{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha1).hexdigest()


def compact_forms(raw: bytes, parsed: Any) -> list[str]:
    """Return the body texts a client may have signed: compact JSON (two escapings), raw.

    A form that is no UTF-8 text (a lone surrogate, unescaped)
    is one no client can have signed, and is left out.
    """
    forms = []
    with contextlib.suppress(ValueError, RecursionError):
        forms.append(json.dumps(parsed, separators=(",", ":"), ensure_ascii=False))
        forms.append(json.dumps(parsed, separators=(",", ":")))
    with contextlib.suppress(UnicodeDecodeError):
        forms.append(raw.decode("utf-8"))
    return [form for form in dict.fromkeys(forms) if _is_utf8_text(form)]


def _is_utf8_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def signature_matches(
    secret: str, client_code: str, timestamp: str, path: str, *, bodies: list[str], given: str
) -> bool:
    """Return True when `given` signs the request for one of the candidate bodies."""
    candidate = given.strip().lower()
    if not _HEX_SIGNATURE.fullmatch(candidate):
        return False
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
    text = timestamp.strip()
    if not text.isascii() or len(text) > _TIMESTAMP_DIGITS:
        return False
    try:
        sent = int(text)
    except ValueError:
        return False
    return abs(math.floor(now) - sent) <= WINDOW_SECONDS


@dataclass(frozen=True)
class Arrival:
    """A request past its header checks: who says they sent it, what they may have signed, its body.

    The body is validated on arrival but its problem is told only to a client
    whose signature holds (`authenticate`): a stranger learns nothing of it.
    """

    client_code: str
    timestamp: str
    signature: str
    path: str
    bodies: list[str]
    body: RedeemRequest | None
    problem: str

    @property
    def redeem_code(self) -> str:
        """The code asked about ("" when the body is malformed: it is refused anyway)."""
        return self.body.redeem_code if self.body is not None else ""

    @property
    def sequence(self) -> int:
        """The session asked about (1 when the body is malformed)."""
        return self.body.sequence if self.body is not None else 1


def _parsed(raw: bytes) -> tuple[Any, bool]:
    """Return the body as JSON and True, or None and False when it is no JSON Python can hold."""
    try:
        return json.loads(raw), True
    except (ValueError, RecursionError):  # not JSON, not UTF-8, too deep, too many digits
        return None, False


def _validated(parsed: Any) -> tuple[RedeemRequest | None, str]:
    """Return the body as a request, or None and why it is malformed."""
    if not isinstance(parsed, dict):
        return None, "the body must be a JSON object with redeem_code and sequence"
    try:
        return RedeemRequest.model_validate(parsed), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return None, f"malformed body: {where}: {first['msg']}"


def _plausible_client_code(client_code: str) -> bool:
    """Return True for a client code that could exist: printable ASCII, at most 40 characters."""
    return client_code.isascii() and client_code.isprintable() and len(client_code) <= 40


def received(headers: Mapping[str, str], path: str, raw: bytes, now: float) -> Arrival:
    """Refuse a request without signing headers or with a stale timestamp; return what arrived."""
    client_code = headers.get("client_code") or ""
    timestamp = headers.get("timestamp") or ""
    signature = headers.get("signature") or ""
    if not client_code or not timestamp or not signature:
        raise UnauthenticatedError("missing client_code, timestamp or signature header")
    if not timestamp_fresh(timestamp, now):
        raise UnauthenticatedError("timestamp is more than 5 minutes off")
    if not _plausible_client_code(client_code):
        raise UnauthenticatedError(INVALID_SIGNATURE)  # as any unknown client: no oracle
    parsed, is_json = _parsed(raw)
    bodies = (
        compact_forms(raw, parsed)
        if is_json and parsed is not None
        else [raw.decode("utf-8", "replace")]
    )
    body, problem = _validated(parsed)
    return Arrival(client_code, timestamp, signature, path, bodies, body, problem)


def authenticate(arrival: Arrival, secret: str | None) -> RedeemRequest:
    """Refuse a request its provider's secret (None: none) did not sign, then a bad body."""
    # An unknown client's request is checked against a stand-in secret all the same, so
    # that it takes as long to refuse as a known client's.
    matches = signature_matches(
        secret if secret is not None else _STAND_IN_SECRET,
        arrival.client_code,
        arrival.timestamp,
        arrival.path,
        bodies=arrival.bodies,
        given=arrival.signature,
    )
    if secret is None or not matches:
        raise UnauthenticatedError(INVALID_SIGNATURE)
    if arrival.body is None:
        raise InputError(arrival.problem)
    return arrival.body
