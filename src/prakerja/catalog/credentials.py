"""Provider API credentials: secrets generated here, kept only encrypted at rest.

HMAC needs the secret itself, so it cannot be hashed: it is encrypted with
Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the
`secret_key` setting, and decrypted only to check a request's signature.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

from prakerja.config import get_settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

_SECRET_BYTES = 32
_KEY_CONTEXT = b"prakerja/provider-credentials/v1"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    from cryptography.fernet import Fernet

    derived = hashlib.pbkdf2_hmac("sha256", secret_key.encode(), _KEY_CONTEXT, 100_000)
    return Fernet(base64.urlsafe_b64encode(derived))


def new_secret() -> str:
    """Return a fresh random secret (hex, 256 bits)."""
    return secrets.token_hex(_SECRET_BYTES)


def encrypt_secret(secret: str) -> str:
    """Encrypt a secret under the settings' key, for storage."""
    return _fernet(get_settings().secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(ciphertext: str) -> str | None:
    """Decrypt a stored secret; None when it was encrypted under another secret key.

    Answers are remembered per (secret key, ciphertext): a rotation stores a
    new ciphertext, so the old secret is never found again once replaced.
    """
    return _decrypted(get_settings().secret_key, ciphertext)


@lru_cache(maxsize=1024)
def _decrypted(secret_key: str, ciphertext: str) -> str | None:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(secret_key).decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return None
