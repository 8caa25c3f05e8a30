"""Money is an integer number of rupiah; these helpers parse and show it."""

from __future__ import annotations

import re

from prakerja.kit.errors import InputError

_AMOUNT = re.compile(r"^-?\d+$")


def parse_rupiah(text: str) -> int:
    """Parse a whole number of rupiah, refusing fractions and thousands separators."""
    cleaned = text.strip()
    if not _AMOUNT.match(cleaned):
        raise InputError(f"not a whole number of rupiah: {text!r}")
    return int(cleaned)


def thousands(number: int) -> str:
    """Write a whole number the Indonesian way, a dot between thousands: `1.125`."""
    return f"{number:,}".replace(",", ".")


def format_rupiah(amount: int) -> str:
    """Show an amount the Indonesian way: `Rp 1.200.000`."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {thousands(abs(amount))}"
