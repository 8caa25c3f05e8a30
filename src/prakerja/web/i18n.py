"""Translations for the pages (Bahasa Indonesia by default, English), with Babel catalogs."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """Return the compiled catalog of a locale: every .po file of its folder, in name order.

    Each part of the product keeps its messages in a catalog of its own
    (`messages.po`, `staff.po`, ...); a message defined twice takes the later file's text.
    """
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    catalog = None
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            part = read_po(handle, locale=locale)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id:
                # Assigning over an existing id keeps the old text (Babel merges); replace it.
                catalog.delete(message.id, message.context)
                catalog[message.id] = message
    if catalog is None:
        raise FileNotFoundError(f"no message catalog in {folder}")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def pick_locale(requested: str | None, accept_language: str | None) -> str:
    """Choose the page language: ?lang=, else the browser's preference, else Indonesian."""
    if requested in LOCALES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LOCALES:
            return code
    return DEFAULT_LOCALE
