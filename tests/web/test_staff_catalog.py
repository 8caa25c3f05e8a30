"""Every message of the staff pages has its Indonesian and English text in staff.po."""

import re
from pathlib import Path

from prakerja.web.i18n import LOCALE_DIR, translations
from prakerja.web.staff import names
from prakerja.web.staff.render import TEMPLATES


def _used() -> set[str]:
    found = set()
    for path in (Path(TEMPLATES) / "staff").glob("*.html"):
        text = path.read_text()
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', text))
        found |= set(re.findall(r"_\('((?:[^'\\]|\\.)*)'", text))
    for name, value in vars(names).items():
        if name.isupper() and isinstance(value, dict):
            found |= set(value.values())
    found.add(names.LIST_REASON_NAME)
    return found


def test_every_staff_message_is_in_both_catalogs():
    used = _used()
    assert len(used) > 150
    for locale in ("id", "en"):
        catalog = (LOCALE_DIR / locale / "LC_MESSAGES" / "staff.po").read_text()
        known = set(re.findall(r'^msgid "(.+)"$', catalog, flags=re.M))
        assert used <= known, (locale, sorted(used - known))


def test_indonesian_is_translated_and_numbers_keep_their_placeholders():
    indonesian = translations("id")
    assert indonesian.gettext("Breaks") == "Selisih"
    assert (
        indonesian.gettext("%(count)s open breaks") % {"count": "1.234"} == "1.234 selisih terbuka"
    )


def test_a_later_catalog_file_replaces_an_earlier_ones_text():
    # messages.po says "Lolos" for "Selected"; staff.po (later in name order) says more.
    assert translations("id").gettext("Selected") == "Lolos seleksi"
