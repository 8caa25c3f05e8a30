"""The recovery's messages are in both catalogs, with the same placeholders."""

import re

import pytest

from prakerja.recovery.rules import STATUS_LABELS, ClaimStatus
from prakerja.web.i18n import LOCALE_DIR, translations

RECOVERY_PO = "recovery.po"


def _ids(locale: str) -> list[str]:
    text = (LOCALE_DIR / locale / "LC_MESSAGES" / RECOVERY_PO).read_text(encoding="utf-8")
    return [m for m in re.findall(r'^msgid "(.*)"$', text, flags=re.MULTILINE) if m]


def test_both_locales_carry_the_same_recovery_messages():
    assert _ids("id") == _ids("en")
    assert set(STATUS_LABELS) == set(ClaimStatus)
    assert set(STATUS_LABELS.values()) <= set(_ids("id"))


@pytest.mark.parametrize("message", _ids("id"))
def test_each_recovery_message_is_translated_with_its_placeholders(message):
    indonesian = translations("id").gettext(message)
    assert indonesian and indonesian != message
    assert re.findall(r"%\((\w+)\)s", indonesian) == re.findall(r"%\((\w+)\)s", message)
    assert translations("en").gettext(message) == message
