"""Masks for personal data shown where the whole value is not needed."""

from __future__ import annotations

_DOT = "•"


def mask_nik(nik: str) -> str:
    """Return a NIK with only its region (first 4) and last 2 digits shown."""
    if len(nik) <= 6:
        return _DOT * len(nik)
    return nik[:4] + _DOT * (len(nik) - 6) + nik[-2:]


def mask_card(card_number: str) -> str:
    """Return a card number masked to its last four digits."""
    return f"{_DOT * 4} {card_number[-4:]}" if card_number else ""


def mask_account(account_id: str) -> str:
    """Return an account number (bank or e-wallet) with only its last 3 characters shown."""
    if len(account_id) <= 3:
        return _DOT * len(account_id)
    return _DOT * (len(account_id) - 3) + account_id[-3:]


def mask_phone(phone: str) -> str:
    """Return a phone number with only its last 3 digits shown (its prefix kept)."""
    if len(phone) <= 6:
        return _DOT * len(phone)
    return phone[:3] + _DOT * (len(phone) - 6) + phone[-3:]
