"""NIK (Nomor Induk Kependudukan) parsing on top of `python-stdnum`.

A NIK is PPRRSSDDMMYYXXXX: province and regency (PPRR, checked against the
region list that `stdnum.id` ships), district (SS, not checked), the birth
date with 40 added to the day for women, and a serial. The scalar functions
serve single lookups; `agreement_mask` checks a whole column at once with the
same rules, for imports and selection over millions of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from stdnum import numdb
from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

Gender = Literal["L", "P"]
NIK_LENGTH = 16
_WOMEN_DAY_OFFSET = 40


@dataclass(frozen=True)
class NikFacts:
    """What a valid NIK says about its holder."""

    region_code: str
    birth_date: dt.date
    gender: Gender


def is_sixteen_digits(value: str) -> bool:
    """Return True when the value is exactly 16 ASCII digits (NIK and KK shape)."""
    return len(value) == NIK_LENGTH and value.isascii() and value.isdigit()


@lru_cache(maxsize=1)
def region_codes() -> frozenset[str]:
    """Return every 4-digit province+regency code in stdnum's published region list.

    `stdnum.id.nik.validate` itself only checks the province; the contract
    checks the regency as well, against the same list.
    """
    codes: set[str] = set()
    for _len, low, high, props, regencies in numdb.get("id/loc").prefixes:
        if not props:
            continue
        for province in range(int(low), int(high) + 1):
            for _rlen, rlow, rhigh, rprops, _districts in regencies:
                if rprops:
                    codes.update(
                        f"{province:02d}{regency:02d}"
                        for regency in range(int(rlow), int(rhigh) + 1)
                    )
    return frozenset(codes)


def region_known(nik: str) -> bool:
    """Return True when the NIK's first four digits name a known province and regency."""
    return nik[:4] in region_codes()


def parse_nik(nik: str) -> NikFacts | None:
    """Return the facts a NIK encodes, or None when stdnum finds it invalid."""
    if not is_sixteen_digits(nik) or not stdnum_nik.is_valid(nik) or not region_known(nik):
        return None
    try:
        birth_date = stdnum_nik.get_birth_date(nik)
    except ValidationError:
        return None
    gender: Gender = "P" if int(nik[6:8]) > _WOMEN_DAY_OFFSET else "L"
    return NikFacts(region_code=nik[:4], birth_date=birth_date, gender=gender)


def encoded_date_digits(birth_date: dt.date, gender: str) -> str:
    """Return the DDMMYY digits a NIK must carry for this birth date and sex."""
    day = birth_date.day + (_WOMEN_DAY_OFFSET if gender == "P" else 0)
    return f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"


def nik_agrees(nik: str, birth_date: dt.date | None, gender: str | None) -> bool:
    """Return True when the NIK is valid and encodes this birth date and sex."""
    facts = parse_nik(nik)
    if facts is None or birth_date is None or gender not in ("L", "P"):
        return False
    if facts.gender != gender:
        return False
    return nik[6:12] == encoded_date_digits(birth_date, gender)


def agreement_mask(niks: Any, birth_dates: Any, genders: Any) -> Any:
    """Vectorised `nik_agrees` over Arrow arrays (string, date32, string): a boolean array.

    A null birth date or a gender other than L/P never agrees. When the NIK's
    DDMMYY equals the one derived from a real birth date, the NIK's own date
    is a real date too, so no separate date check is needed.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    region_ok = pc.is_in(
        pc.utf8_slice_codeunits(niks, 0, 4), value_set=pa.array(sorted(region_codes()))
    )
    women = pc.equal(genders, "P")
    gender_ok = pc.is_in(genders, value_set=pa.array(["L", "P"]))
    day = pc.add(pc.day(birth_dates), pc.if_else(women, 40, 0))
    expected = pc.binary_join_element_wise(
        pc.utf8_lpad(pc.cast(day, pa.string()), 2, "0"),
        pc.strftime(pc.cast(birth_dates, pa.timestamp("s")), format="%m%y"),
        "",
    )
    date_ok = pc.equal(pc.utf8_slice_codeunits(niks, 6, 12), expected)
    shape_ok = pc.match_substring_regex(niks, r"^[0-9]{16}$")
    combined = pc.and_kleene(pc.and_kleene(shape_ok, region_ok), pc.and_kleene(gender_ok, date_ok))
    return pc.fill_null(combined, False)
