"""Pure rules of the participants' door: phones, code hashes, limits, grievance ids."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

#: A code is valid this long after it was sent.
CODE_VALID_FOR = dt.timedelta(minutes=10)
#: Wrong or right, a code may be tried this many times.
CODE_ATTEMPTS = 5
#: At most this many codes per NIK ...
CODES_PER_WINDOW = 3
#: ... within this long.
SENDING_WINDOW = dt.timedelta(hours=1)
#: A participant's session ends this long after signing in.
SESSION_LIFETIME = dt.timedelta(minutes=30)
#: The longest grievance text kept.
GRIEVANCE_TEXT_LIMIT = 2000
CODE_DIGITS = 6

_SEPARATORS = re.compile(r"[\s\-().]")
_MIN_SUBSCRIBER_DIGITS = 8
_MAX_SUBSCRIBER_DIGITS = 13


def normalise_phone(raw: str | None) -> str | None:
    """Return an Indonesian phone number as +62 followed by its digits, or None when unusable.

    `0812...`, `62812...`, `+62 812-...` and `812...` all give `+62812...`.
    """
    if not raw:
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+"):
        text = text[1:]
        if not text.startswith("62"):
            return None
    if not text.isascii() or not text.isdigit():
        return None
    if text.startswith("62"):
        subscriber = text[2:]
    elif text.startswith("0"):
        subscriber = text[1:]
    else:
        subscriber = text
    subscriber = subscriber.lstrip("0")
    if not _MIN_SUBSCRIBER_DIGITS <= len(subscriber) <= _MAX_SUBSCRIBER_DIGITS:
        return None
    return "+62" + subscriber


def new_code() -> str:
    """Return a fresh random six-digit code."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(key: str, *, nik: str, code: str) -> str:
    """Return the keyed hash (HMAC-SHA256) of a code for a NIK: all that is ever stored."""
    message = f"sign-in-code:{nik}:{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def code_matches(key: str, *, nik: str, code: str, stored_hash: str) -> bool:
    """Return True when a code is the one whose hash is stored (compared in constant time)."""
    return hmac.compare_digest(code_hash(key, nik=nik, code=code), stored_hash)


def is_code_shaped(text: str) -> bool:
    """Return True when the text is six ASCII digits."""
    return len(text) == CODE_DIGITS and text.isascii() and text.isdigit()


def may_send(*, third_last_sent: dt.datetime | None, now: dt.datetime) -> bool:
    """Return True when a new code keeps a NIK within three codes in any hour.

    `third_last_sent` is when the code three places before the new one was
    sent (None when fewer than three were ever sent).
    """
    return third_last_sent is None or third_last_sent <= now - SENDING_WINDOW


def new_session_token() -> str:
    """Return a fresh random session id for the cookie."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the hash of a session id (the table keeps only this)."""
    return hashlib.sha256(token.encode()).hexdigest()


def form_token(key: str, session_hash: str) -> str:
    """Return the anti-forgery token of a session's forms."""
    return hmac.new(key.encode(), f"form:{session_hash}".encode(), hashlib.sha256).hexdigest()


def new_grievance_id() -> str:
    """Return a fresh grievance id, `GRV-` and 12 random upper-case hex digits."""
    return "GRV-" + secrets.token_hex(6).upper()


def clean_text(text: str) -> str:
    """Return a grievance text trimmed, with control characters other than new lines dropped."""
    kept = "".join(c for c in text if c.isprintable() or c in "\n\t")
    return kept.strip()
