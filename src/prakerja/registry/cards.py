"""Card numbers: 16 digits, random (not guessable from one another), Luhn-checked."""

from __future__ import annotations

import secrets

import numpy as np

CARD_PREFIX = "52"
_BODY_DIGITS = 13


def luhn_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Return the Luhn check digit for each row of a (n, 15) array of digits."""
    digits = bodies[:, ::-1].astype(np.int64)
    doubled = digits.copy()
    doubled[:, 0::2] *= 2
    doubled[doubled > 9] -= 9
    return np.asarray((10 - doubled.sum(axis=1) % 10) % 10)


def _secure_digits(count: int) -> np.ndarray:
    """Return `count` uniform decimal digits from the operating system's CSPRNG."""
    digits = np.empty(0, dtype=np.int64)
    while digits.size < count:
        raw = np.frombuffer(secrets.token_bytes(2 * (count - digits.size) + 16), dtype=np.uint8)
        usable = raw[raw < 250].astype(np.int64) % 10
        digits = np.concatenate([digits, usable])
    return digits[:count]


def new_card_numbers(count: int, taken: set[str]) -> list[str]:
    """Return `count` new card numbers, none in `taken`, from the system's secure random source."""
    numbers: list[str] = []
    seen = set(taken)
    while len(numbers) < count:
        want = count - len(numbers)
        body = _secure_digits(want * _BODY_DIGITS).reshape(want, _BODY_DIGITS)
        prefix = np.tile(np.array([int(d) for d in CARD_PREFIX], dtype=np.int64), (want, 1))
        full = np.hstack([prefix, body])
        check = luhn_check_digits(full)
        text = np.hstack([full, check[:, None]]).astype(np.uint8) + ord("0")
        for raw in text:
            number = raw.tobytes().decode("ascii")
            if number not in seen:
                seen.add(number)
                numbers.append(number)
    return numbers
