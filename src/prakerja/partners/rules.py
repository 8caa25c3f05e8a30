"""Pure rules of partner access: token shape and hashing, safe file names, dispute reasons."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from prakerja.kit.errors import InputError

#: Separates the partner code from the secret part of a token (never in a code).
CODE_END = "."
#: Bytes of randomness in a token's secret part (256 bits).
TOKEN_BYTES = 32
#: A partner code, as the contract writes codes.
CODE_RE = re.compile(r"^[A-Z0-9_-]{1,40}$")
#: The longest dispute reason kept.
REASON_LIMIT = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_NAME_LIMIT = 120


def new_token(partner_code: str) -> str:
    """Return a fresh random token naming its partner: `CODE.` then 256 random bits."""
    return f"{partner_code}{CODE_END}{secrets.token_urlsafe(TOKEN_BYTES)}"


def token_digest(token: str) -> str:
    """Return the SHA-256 (hex) under which a token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_partner(token: str) -> str | None:
    """Return the partner code a token names, or None when it is not shaped like a token."""
    code, separator, secret = token.partition(CODE_END)
    if not separator or not secret or not CODE_RE.match(code):
        return None
    return code


def digest_matches(stored: str, token: str) -> bool:
    """Compare a token with a stored digest in constant time."""
    return hmac.compare_digest(stored.encode("ascii"), token_digest(token).encode("ascii"))


def checked_code(partner_code: str) -> str:
    """Return a partner code as given, or refuse one that is not an upper-case code."""
    if not CODE_RE.match(partner_code):
        raise InputError(f"partner code {partner_code!r} must be 1-40 of A-Z, 0-9, _ or -")
    return partner_code


def safe_file_name(given: str | None) -> str:
    """Return the last part of an uploaded file's name, with anything unusual replaced by `_`.

    The suffix (`.csv`, `.jsonl`, `.xml`) is what decides how the file is
    read, so it is kept; a name that is empty or only dots becomes `upload.csv`.
    """
    base = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip(".")
    if not cleaned.strip("._-"):
        return "upload.csv"
    if len(cleaned) > _NAME_LIMIT:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: _NAME_LIMIT - len(suffix) - 1] + dot + suffix) if dot else cleaned
    return cleaned[-_NAME_LIMIT:]


def written_reason(reason: str) -> str:
    """Return a dispute reason with its whitespace folded; refuse an empty, long or NUL one."""
    written = " ".join(reason.split())
    if not written:
        raise InputError("a dispute needs a written reason")
    if "\x00" in written:  # no text column holds it on PostgreSQL
        raise InputError("the reason holds a NUL character")
    if len(written) > REASON_LIMIT:
        raise InputError(f"the reason is longer than {REASON_LIMIT} characters")
    return written
