"""Selection through the CLI: every eligibility rule, its precedence, quotas and cards."""

import datetime as dt

import pytest

from tests.builders import (
    EXCLUSION_COLUMNS,
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    participant,
    read_csv,
    wave_row,
    write_csv,
)

SELECTION_DAY = "2020-04-17"


@pytest.fixture
def program(cli, tmp_path):
    """Load waves, registrations and exclusions, select, and read back the outcomes."""
    counter = iter(range(1000))

    def run(registrations, *, waves=None, exclusions=(), select=((1, SELECTION_DAY),)):
        n = next(counter)
        waves = waves or [wave_row(1, quota=100)]
        assert (
            cli("import", "waves", write_csv(tmp_path / f"w{n}.csv", WAVE_COLUMNS, waves)).exit_code
            == 0
        )
        if exclusions:
            path = write_csv(tmp_path / f"x{n}.csv", EXCLUSION_COLUMNS, exclusions)
            assert cli("import", "exclusions", path).exit_code == 0
        path = write_csv(tmp_path / f"p{n}.csv", PARTICIPANT_COLUMNS, registrations)
        assert cli("import", "participants", path).exit_code == 0
        outcomes = {}
        for wave, day in select:
            result = cli("waves", "select", str(wave), "--date", day)
            assert result.exit_code == 0, result.stderr
            out = tmp_path / f"sel{n}-{wave}.csv"
            assert cli("export", "selection", "--wave", str(wave), "--out", out).exit_code == 0
            for row in read_csv(out):
                outcomes[(row["nik"], int(row["wave"]))] = row
        return outcomes

    return run


def reason_of(outcomes, registration, wave=1):
    row = outcomes[(registration["nik"], wave)]
    return row["reason"] or row["outcome"]


def test_contract_sample_wave(program):
    siti = participant(kk_number="3171010101200001", employment_status="LAID_OFF")
    budi = participant(
        gender="L",
        birth_date=dt.date(1988, 3, 12),
        kk_number="3171010101200001",
        employment_status="FURLOUGHED",
    )
    agus = participant(gender="L", birth_date=dt.date(2001, 11, 25), regency="3302")
    dewi = participant(
        birth_date=dt.date(2003, 5, 21), regency="3302", employment_status="INFORMAL"
    )
    waves = [wave_row(1, province="31", quota=2), wave_row(1, province="33", quota=1)]
    outcomes = program([siti, budi, agus, dewi], waves=waves)
    assert [reason_of(outcomes, p) for p in (siti, budi, agus, dewi)] == [
        "SELECTED",
        "SELECTED",
        "SELECTED",
        "INELIGIBLE_AGE",
    ]
    assert all(outcomes[(p["nik"], 1)]["card_number"] for p in (siti, budi, agus))
    assert outcomes[(dewi["nik"], 1)]["card_number"] == ""


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"nik": "9901014708900001"}, "unknown province"),
        ({"nik": "3199014708900001"}, "unknown regency"),
        ({"nik": "3171017213900001"}, "day 72 is not a date"),
        ({"gender": "L"}, "sex disagrees"),
        ({"birth_date": "1990-08-08"}, "birth date disagrees"),
        ({"birth_date": "1991-08-07"}, "birth year disagrees"),
        ({"birth_date": "bukan tanggal"}, "birth date unreadable"),
        ({"gender": ""}, "sex missing"),
    ],
)
def test_ineligible_nik(program, change, why):
    person = participant(birth_date=dt.date(1990, 8, 7), gender="P")
    person.update(change)
    assert reason_of(program([person]), person) == "INELIGIBLE_NIK", why


def test_district_digits_are_not_checked(program):
    person = participant()
    person["nik"] = person["nik"][:4] + "99" + person["nik"][6:]
    assert reason_of(program([person]), person) == "SELECTED"


def test_age_limits_counted_on_the_selection_day(program):
    turns_18_that_day = participant(birth_date=dt.date(2002, 4, 17))
    turns_18_next_day = participant(birth_date=dt.date(2002, 4, 18))
    outcomes = program([turns_18_that_day, turns_18_next_day])
    assert reason_of(outcomes, turns_18_that_day) == "SELECTED"
    assert reason_of(outcomes, turns_18_next_day) == "INELIGIBLE_AGE"


def test_normal_scheme_has_an_upper_age_limit(program):
    aged_64 = participant(birth_date=dt.date(1955, 4, 18), wave=2)
    aged_65 = participant(birth_date=dt.date(1955, 4, 17), wave=2)
    waves = [wave_row(2, scheme="NORMAL_2023", quota=10)]
    outcomes = program([aged_64, aged_65], waves=waves, select=((2, "2020-04-17"),))
    assert reason_of(outcomes, aged_64, 2) == "SELECTED"
    assert reason_of(outcomes, aged_65, 2) == "INELIGIBLE_AGE"


def test_family_limit_earliest_registrations_go_first(program):
    kk = "3171010101209999"
    first = participant(kk_number=kk, registered_at="2020-04-12T08:00:00+07:00")
    third = participant(
        kk_number=kk, registered_at="2020-04-12T10:00:00+07:00", employment_status="LAID_OFF"
    )
    second = participant(kk_number=kk, registered_at="2020-04-12T09:00:00+07:00")
    outcomes = program([third, first, second])
    assert reason_of(outcomes, first) == "SELECTED"
    assert reason_of(outcomes, second) == "SELECTED"
    assert reason_of(outcomes, third) == "INELIGIBLE_FAMILY_LIMIT"


def test_family_limit_counts_earlier_waves_revoked_cards_included(program):
    kk = "3171010101208888"
    earlier = [participant(kk_number=kk, wave=1), participant(kk_number=kk, wave=1)]
    later = participant(kk_number=kk, wave=2)
    waves = [wave_row(1), wave_row(2, opens_on="2020-06-01", closes_on="2020-06-05")]
    # Wave 1's cards are never used, so they are revoked before wave 2 is selected.
    outcomes = program(
        [*earlier, later], waves=waves, select=((1, SELECTION_DAY), (2, "2020-06-06"))
    )
    assert [reason_of(outcomes, p) for p in earlier] == ["SELECTED", "SELECTED"]
    assert reason_of(outcomes, later, 2) == "INELIGIBLE_FAMILY_LIMIT"


def test_family_slot_freed_when_an_earlier_member_finds_no_place(program):
    kk = "3171010101207777"
    # Two provinces: the first member's province has no place left, the third's has one.
    first = participant(
        kk_number=kk,
        registered_at="2020-04-12T08:00:00+07:00",
        regency="3302",
        employment_status="EMPLOYED",
    )
    second = participant(kk_number=kk, registered_at="2020-04-12T09:00:00+07:00")
    third = participant(kk_number=kk, registered_at="2020-04-12T10:00:00+07:00")
    rival = participant(regency="3302", employment_status="LAID_OFF")
    waves = [wave_row(1, province="33", quota=1), wave_row(1, province="31", quota=5)]
    outcomes = program([first, second, third, rival], waves=waves)
    assert reason_of(outcomes, rival) == "SELECTED"
    # The first member found no place, so the third takes the family's freed slot; the
    # first is then both over the family limit and out of quota, and the family limit
    # comes first in the contract's order.
    assert reason_of(outcomes, second) == "SELECTED"
    assert reason_of(outcomes, third) == "SELECTED"
    assert reason_of(outcomes, first) == "INELIGIBLE_FAMILY_LIMIT"


def test_already_accepted_and_revoked_niks_never_return(program):
    kept = participant(wave=1)
    again = dict(kept, wave="2")
    waves = [wave_row(1), wave_row(2, opens_on="2020-04-20", closes_on="2020-04-25")]
    outcomes = program([kept, again], waves=waves, select=((1, SELECTION_DAY), (2, "2020-04-26")))
    assert reason_of(outcomes, kept, 1) == "SELECTED"
    assert reason_of(outcomes, again, 2) == "INELIGIBLE_ALREADY_ACCEPTED"


@pytest.fixture
def capped_scheme(tmp_path, monkeypatch):
    """A scheme CAPPED_2024: NORMAL_2023 (ages 18-64) with an income cap of 3,500,000."""
    from prakerja.config import get_settings
    from prakerja.schemes.loader import SHIPPED_DIR, all_schemes

    text = (
        (SHIPPED_DIR / "normal_2023.yaml")
        .read_text()
        .replace("code: NORMAL_2023", "code: CAPPED_2024")
    )
    text = text.replace("max_monthly_income_idr: null", "max_monthly_income_idr: 3500000")
    folder = tmp_path / "schemes"
    folder.mkdir()
    (folder / "capped_2024.yaml").write_text(text)
    monkeypatch.setenv("PRAKERJA_SCHEME_DIR", str(folder))
    get_settings.cache_clear()
    all_schemes.cache_clear()
    yield "CAPPED_2024"
    monkeypatch.delenv("PRAKERJA_SCHEME_DIR")
    get_settings.cache_clear()
    all_schemes.cache_clear()


def test_income_cap_when_the_scheme_sets_one(program, capped_scheme):
    at_cap = participant(monthly_income_idr="3500000", employment_status="EMPLOYED")
    above = participant(monthly_income_idr="3500001", employment_status="EMPLOYED")
    unknown = participant(monthly_income_idr="", employment_status="EMPLOYED")
    outcomes = program([at_cap, above, unknown], waves=[wave_row(1, scheme=capped_scheme)])
    assert reason_of(outcomes, at_cap) == "SELECTED"
    assert reason_of(outcomes, above) == "INELIGIBLE_INCOME"
    assert reason_of(outcomes, unknown) == "INELIGIBLE_INCOME"


def test_shipped_schemes_set_no_income_cap(program):
    rich = participant(monthly_income_idr="90000000", employment_status="EMPLOYED")
    assert reason_of(program([rich]), rich) == "SELECTED"


def test_barring_lists_of_the_scheme_from_their_month(program):
    student = participant()
    later_student = participant()
    wage_subsidy = participant()
    exclusions = [
        {"nik": student["nik"], "list_code": "STUDENT", "period": "2020-04", "source": "EMIS"},
        {
            "nik": later_student["nik"],
            "list_code": "STUDENT",
            "period": "2020-05",
            "source": "EMIS",
        },
        {
            "nik": wage_subsidy["nik"],
            "list_code": "WAGE_SUBSIDY",
            "period": "2020-01",
            "source": "BPJS",
        },
    ]
    outcomes = program([student, later_student, wage_subsidy], exclusions=exclusions)
    assert reason_of(outcomes, student) == "INELIGIBLE_LIST_STUDENT"
    assert reason_of(outcomes, later_student) == "SELECTED"
    assert reason_of(outcomes, wage_subsidy) == "SELECTED"  # not a PANDEMIC_2020 list


def test_semi_bansos_bars_other_assistance(program):
    person = participant()
    exclusions = [
        {"nik": person["nik"], "list_code": "WAGE_SUBSIDY", "period": "2020-01", "source": "BPJS"}
    ]
    outcomes = program(
        [person], waves=[wave_row(1, scheme="SEMI_BANSOS_2021")], exclusions=exclusions
    )
    assert reason_of(outcomes, person) == "INELIGIBLE_LIST_WAGE_SUBSIDY"


def test_first_reason_in_contract_order_wins(program):
    young_student = participant(birth_date=dt.date(2005, 1, 1))
    kk = "3171010101206666"
    family = [
        participant(kk_number=kk, registered_at=f"2020-04-12T0{h}:00:00+07:00") for h in (7, 8)
    ]
    listed_third = participant(kk_number=kk, registered_at="2020-04-11T06:00:00+07:00")
    exclusions = [
        {
            "nik": young_student["nik"],
            "list_code": "STUDENT",
            "period": "2020-01",
            "source": "EMIS",
        },
        {
            "nik": listed_third["nik"],
            "list_code": "CIVIL_SERVANT",
            "period": "2020-01",
            "source": "BKN",
        },
    ]
    outcomes = program([young_student, *family, listed_third], exclusions=exclusions)
    assert reason_of(outcomes, young_student) == "INELIGIBLE_AGE"
    # Registered first but barred: two others of the family are given cards, and the
    # family limit comes before the barring list in the contract's order.
    assert reason_of(outcomes, listed_third) == "INELIGIBLE_FAMILY_LIMIT"
    assert [reason_of(outcomes, p) for p in family] == ["SELECTED", "SELECTED"]


REASON_ORDER = (
    "INELIGIBLE_NIK",
    "INELIGIBLE_AGE",
    "INELIGIBLE_FAMILY_LIMIT",
    "INELIGIBLE_ALREADY_ACCEPTED",
    "INELIGIBLE_INCOME",
    "INELIGIBLE_LIST_CIVIL_SERVANT",
    "QUOTA_FULL",
)
REASON_PAIRS = [
    (first, second)
    for position, first in enumerate(REASON_ORDER)
    for second in REASON_ORDER[position + 1 :]
]


def test_every_pair_of_reasons_gives_the_first_in_contract_order(program, capped_scheme):
    """Each subject of wave 2 meets exactly two reasons; the contract's first one is given.

    Wave 1 (PANDEMIC_2020, no age cap, no income cap) gives cards to two members of
    family `kk` and to the subjects that must be already accepted; those cards go unused
    and are revoked before wave 2 (CAPPED_2024: ages 18-64, income cap 3,500,000) is
    selected, which still bars their NIKs. Province 33 has no place in wave 2.
    """
    kk = "3171010101205555"
    family = [participant(kk_number=kk), participant(kk_number=kk)]
    earlier: list[dict[str, str]] = list(family)
    exclusions = []
    subjects = {}
    for pair in REASON_PAIRS:
        person = participant(
            wave=2,
            birth_date=dt.date(1950, 1, 1) if "INELIGIBLE_AGE" in pair else dt.date(1990, 8, 7),
            regency="3302" if "QUOTA_FULL" in pair else "3171",
            employment_status="EMPLOYED",
        )
        if "INELIGIBLE_ALREADY_ACCEPTED" in pair:
            earlier.append(dict(person, wave="1", regency_code="3171", province_code="31"))
        if "INELIGIBLE_NIK" in pair:
            person["gender"] = "L"
        if "INELIGIBLE_FAMILY_LIMIT" in pair:
            person["kk_number"] = kk
        if "INELIGIBLE_INCOME" in pair:
            person["monthly_income_idr"] = "5000000"
        if "INELIGIBLE_LIST_CIVIL_SERVANT" in pair:
            exclusions.append(
                {"nik": person["nik"], "list_code": "CIVIL_SERVANT", "period": "2020-05"}
            )
        subjects[pair] = person
    control = participant(wave=2)
    waves = [
        wave_row(1, quota=100),
        wave_row(
            2,
            scheme=capped_scheme,
            province="31",
            quota=100,
            opens_on="2020-05-20",
            closes_on="2020-05-25",
        ),
        wave_row(
            2,
            scheme=capped_scheme,
            province="33",
            quota=0,
            opens_on="2020-05-20",
            closes_on="2020-05-25",
        ),
    ]
    outcomes = program(
        [*earlier, *subjects.values(), control],
        waves=waves,
        exclusions=exclusions,
        select=((1, SELECTION_DAY), (2, "2020-06-01")),
    )
    assert [reason_of(outcomes, p) for p in earlier] == ["SELECTED"] * len(earlier)
    assert reason_of(outcomes, control, 2) == "SELECTED"
    given = {pair: reason_of(outcomes, person, 2) for pair, person in subjects.items()}
    assert given == {pair: pair[0] for pair in REASON_PAIRS}


def test_hit_workers_go_first_then_the_lottery(program):
    hit = [participant(employment_status=s) for s in ("LAID_OFF", "FURLOUGHED", "UNEMPLOYED")]
    others = [participant(employment_status=s) for s in ("EMPLOYED", "INFORMAL", "MICRO_BUSINESS")]
    outcomes = program([*others, *hit], waves=[wave_row(1, quota=4)])
    assert [reason_of(outcomes, p) for p in hit] == ["SELECTED"] * 3
    assert sorted(reason_of(outcomes, p) for p in others) == [
        "QUOTA_FULL",
        "QUOTA_FULL",
        "SELECTED",
    ]


def test_quota_per_province_and_provinces_without_quota(program):
    jakarta = [participant(regency="3171") for _ in range(3)]
    banyumas = participant(regency="3302")
    outcomes = program([*jakarta, banyumas], waves=[wave_row(1, province="31", quota=2)])
    assert sorted(reason_of(outcomes, p) for p in jakarta) == ["QUOTA_FULL", "SELECTED", "SELECTED"]
    assert reason_of(outcomes, banyumas) == "QUOTA_FULL"


def test_blank_province_is_taken_from_the_nik(program, cli, tmp_path):
    # Blank (or unreadable) provinces compete in the NIK's province (digits 1-2).
    banyumas = participant(regency="3302", province_code="")
    jakarta = [participant(regency="3171", province_code=code) for code in ("", "3X", "")]
    waves = [wave_row(1, province="33", quota=1), wave_row(1, province="31", quota=2)]
    outcomes = program([banyumas, *jakarta], waves=waves)
    assert reason_of(outcomes, banyumas) == "SELECTED"
    assert sorted(reason_of(outcomes, p) for p in jakarta) == ["QUOTA_FULL", "SELECTED", "SELECTED"]


def test_reselecting_changes_nothing(cli, program):
    people = [participant() for _ in range(5)]
    first = program(people, waves=[wave_row(1, quota=3)])
    again = cli("waves", "select", "1", "--date", "2020-04-20")
    assert again.exit_code == 0
    assert "already selected" in again.stdout
    second = program([], waves=[wave_row(1, quota=3)], select=((1, "2020-04-21"),))
    assert first == second


def test_unknown_wave_and_bad_date_fail_with_one_line(cli):
    unknown = cli("waves", "select", "7", "--date", SELECTION_DAY)
    assert unknown.exit_code != 0
    assert unknown.stderr.strip() == "error: unknown wave 7"
    bad_date = cli("waves", "select", "1", "--date", "17-04-2020")
    assert bad_date.exit_code != 0
    assert "not a date" in bad_date.stderr
    assert bad_date.stderr.count("\n") == 1
    assert cli("export", "selection", "--wave", "7", "--out", "x.csv").exit_code != 0


def test_cards_deadline_revocation_and_places_for_the_next_wave(cli, program, tmp_path):
    people = [participant(wave=1) for _ in range(3)]
    later = [participant(wave=2) for _ in range(6)]
    waves = [
        wave_row(1, quota=3),
        wave_row(2, quota=2, opens_on="2020-05-10", closes_on="2020-05-16"),
        wave_row(3, quota=0, opens_on="2020-06-01", closes_on="2020-06-16"),
    ]
    program([*people, *later], waves=waves, select=((1, SELECTION_DAY),))
    cards_file = tmp_path / "cards.csv"
    assert cli("export", "cards", "--wave", "1", "--out", cards_file).exit_code == 0
    cards = read_csv(cards_file)
    assert len(cards) == 3
    assert {c["issued_on"] for c in cards} == {SELECTION_DAY}
    assert {c["purchase_deadline"] for c in cards} == {"2020-05-17"}  # 30 days
    assert {c["status"] for c in cards} == {"ACTIVE"}
    assert all(len(c["card_number"]) == 16 and c["card_number"].isdigit() for c in cards)

    # The deadline day itself is still in time: a command dated that day revokes nothing.
    assert cli("waves", "select", "1", "--date", "2020-05-17").exit_code == 0
    cli("export", "cards", "--wave", "1", "--out", cards_file)
    assert {c["status"] for c in read_csv(cards_file)} == {"ACTIVE"}

    # Selecting wave 2 the day after revokes the unused cards and adds their places.
    result = cli("waves", "select", "2", "--date", "2020-05-18")
    assert "places [*=5]" in result.stdout
    assert "selected=5" in result.stdout
    cli("export", "cards", "--wave", "1", "--out", cards_file)
    assert {c["status"] for c in read_csv(cards_file)} == {"REVOKED"}
    # Those places went to wave 2 only, never again to wave 3.
    third = cli("waves", "select", "3", "--date", "2020-06-17")
    assert "places [*=0]" in third.stdout


def test_revoked_cards_refill_their_province(cli, program):
    # Wave 1's three cards go unused: two from province 31, one from 33 whose
    # registration left the province blank (its NIK says 33).
    first = [participant(), participant(), participant(regency="3302", province_code="")]
    second = [participant(wave=2) for _ in range(4)]
    second += [participant(wave=2, regency="3302") for _ in range(2)]
    waves = [
        wave_row(1, province="31", quota=2),
        wave_row(1, province="33", quota=1),
        wave_row(2, province="31", quota=1, opens_on="2020-05-20", closes_on="2020-05-25"),
        wave_row(2, province="33", quota=0, opens_on="2020-05-20", closes_on="2020-05-25"),
        wave_row(3, province="31", quota=0, opens_on="2020-06-20", closes_on="2020-06-25"),
        wave_row(3, province="*", quota=0, opens_on="2020-06-20", closes_on="2020-06-25"),
    ]
    outcomes = program(
        [*first, *second], waves=waves, select=((1, SELECTION_DAY), (2, "2020-06-01"))
    )
    assert [reason_of(outcomes, p) for p in first] == ["SELECTED"] * 3
    # Revoked on 2020-05-18, they add two places to 31 and one to 33 in wave 2.
    assert (
        sorted(reason_of(outcomes, p, 2) for p in second[:4]) == ["QUOTA_FULL"] + ["SELECTED"] * 3
    )
    assert sorted(reason_of(outcomes, p, 2) for p in second[4:]) == ["QUOTA_FULL", "SELECTED"]
    # Wave 2's four cards are revoked on 2020-07-02; wave 3 has a quota for 31 and a
    # national one: 31's three places go to 31, the one from 33 to the national quota.
    third = cli("waves", "select", "3", "--date", "2020-07-05")
    assert third.exit_code == 0, third.stderr
    assert "places [*=1, 31=3]" in third.stdout


def test_revocation_by_a_later_dated_command(cli, program, session, tmp_path):
    from prakerja.ledger.service import balances_by_kind

    person = participant()
    waves = [
        wave_row(1, quota=1),
        wave_row(2, quota=0, opens_on="2020-05-20", closes_on="2020-05-25"),
    ]
    program([person], waves=waves)
    cards = tmp_path / "cards.csv"
    for day, status in (("2020-05-17", "ACTIVE"), ("2020-05-18", "REVOKED")):
        result = cli("payouts", "run", "--date", day, "--out", tmp_path / day)
        assert result.exit_code == 0, result.stderr
        assert cli("export", "cards", "--wave", "1", "--out", cards).exit_code == 0
        assert [c["status"] for c in read_csv(cards)] == [status]
    assert balances_by_kind(session) == {"PROGRAM_FUND": 0, "TRAINING_BALANCE": 0}
    session.rollback()
    # The revoked NIK registers again; the revoked card's place goes to another person.
    again = dict(person, wave="2")
    other = participant(wave=2)
    outcomes = program([again, other], waves=waves, select=((2, "2020-06-01"),))
    assert reason_of(outcomes, again, 2) == "INELIGIBLE_ALREADY_ACCEPTED"
    assert reason_of(outcomes, other, 2) == "SELECTED"


def test_revoked_balance_returns_to_the_fund(cli, program, session):
    from prakerja.ledger.service import balances_by_kind

    program(
        [participant()],
        waves=[
            wave_row(1, quota=1),
            wave_row(2, quota=0, opens_on="2020-06-01", closes_on="2020-06-02"),
        ],
    )
    assert balances_by_kind(session) == {"PROGRAM_FUND": -1_000_000, "TRAINING_BALANCE": 1_000_000}
    session.rollback()
    assert cli("waves", "select", "2", "--date", "2020-06-03").exit_code == 0
    balances = balances_by_kind(session)
    assert balances == {"PROGRAM_FUND": 0, "TRAINING_BALANCE": 0}
