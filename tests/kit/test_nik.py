import datetime as dt

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.id import nik as stdnum_nik

from prakerja.kit.nik import (
    agreement_mask,
    encoded_date_digits,
    is_sixteen_digits,
    nik_agrees,
    parse_nik,
    region_codes,
)


def test_region_list_is_stdnums_with_regencies():
    codes = region_codes()
    assert "3171" in codes  # Jakarta Selatan
    assert "3302" in codes  # Banyumas
    assert "3199" not in codes  # province exists, regency does not
    assert not any(code.startswith("99") for code in codes)
    # stdnum itself accepts an unknown regency; the contract does not.
    assert stdnum_nik.is_valid("3199011708450001")
    assert parse_nik("3199011708450001") is None


def test_parse_nik_reads_date_and_sex():
    facts = parse_nik("3171014708900001")
    assert facts is not None
    assert facts.birth_date == dt.date(1990, 8, 7)
    assert facts.gender == "P"
    assert facts.region_code == "3171"
    man = parse_nik("3302022511010003")
    assert man is not None and man.gender == "L"
    # The NIK carries two digits of the year; the century is stdnum's guess.
    assert (man.birth_date.day, man.birth_date.month, man.birth_date.year % 100) == (25, 11, 1)


def test_impossible_nik_dates_are_invalid():
    assert parse_nik("3171013002001234") is None  # 30 February
    assert parse_nik("3171017213900001") is None  # day 72-40=32
    assert parse_nik("317101470890000") is None  # 15 digits
    assert parse_nik("31710147089000A1") is None


def test_sample_participants_agree():
    assert nik_agrees("3171014708900001", dt.date(1990, 8, 7), "P")
    assert not nik_agrees("3171014708900001", dt.date(1990, 8, 7), "L")
    assert not nik_agrees("3171014708900001", dt.date(1990, 8, 8), "P")
    assert not nik_agrees("3171014708900001", dt.date(1991, 8, 7), "P")
    assert not nik_agrees("3171014708900001", None, "P")
    assert not nik_agrees("3171014708900001", dt.date(1990, 8, 7), "X")


def test_sixteen_digits():
    assert is_sixteen_digits("1234567890123456")
    assert not is_sixteen_digits("123456789012345")
    assert not is_sixteen_digits("12345678901234567")
    assert not is_sixteen_digits("１２３４５６７８９０１２３４５６")  # full-width digits


regions = st.sampled_from([*sorted(region_codes()), "9901", "3199", "0000"])
births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31))


@st.composite
def applicants(draw: st.DrawFn) -> tuple[str, dt.date | None, str]:
    region = draw(regions)
    birth = draw(births)
    gender = draw(st.sampled_from(["L", "P", "X"]))
    encoded = encoded_date_digits(birth, "P" if gender == "P" else "L")
    if draw(st.booleans()):
        encoded = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    nik = f"{region}{draw(st.from_regex(r'[0-9]{2}', fullmatch=True))}{encoded}{draw(st.from_regex(r'[0-9]{4}', fullmatch=True))}"
    stated = draw(st.one_of(st.just(birth), births, st.none()))
    return nik, stated, gender


@settings(deadline=None)  # the first example also pays for loading the region list
@given(st.lists(applicants(), min_size=1, max_size=40))
def test_vectorised_check_matches_scalar(rows: list[tuple[str, dt.date | None, str]]):
    niks = pa.array([r[0] for r in rows])
    dates = pa.array([r[1] for r in rows], pa.date32())
    genders = pa.array([r[2] for r in rows])
    vector = agreement_mask(niks, dates, genders).to_pylist()
    scalar = [nik_agrees(*row) for row in rows]
    assert vector == scalar
