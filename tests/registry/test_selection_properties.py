"""Properties of selection over random applicant pools (Hypothesis), on the pure rules."""

import datetime as dt
from collections import Counter

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from prakerja.registry.selection import (
    APPLICANT_SCHEMA,
    BARRED_SCHEMA,
    PRIOR_CARD_SCHEMA,
    Draw,
    decide,
)
from prakerja.schemes.loader import get_scheme
from tests.builders import make_nik

DAY = dt.date(2020, 4, 17)
PROVINCES = {"31": "3171", "33": "3302", "32": "3273"}


@st.composite
def pools(draw: st.DrawFn):
    count = draw(st.integers(min_value=1, max_value=60))
    families = [
        f"31710101{n:08d}" for n in range(draw(st.integers(min_value=1, max_value=max(1, count))))
    ]
    rows = []
    for index in range(count):
        province = draw(st.sampled_from(sorted(PROVINCES)))
        birth = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)))
        gender = draw(st.sampled_from("LP"))
        nik = make_nik(birth, gender, PROVINCES[province], serial=index)
        if draw(st.integers(0, 9)) == 0:
            gender = "L" if gender == "P" else "P"  # a NIK that disagrees
        rows.append(
            {
                "registration_id": index + 1,
                "nik": nik,
                "kk_number": draw(st.sampled_from(families)),
                "birth_date": birth,
                "gender": gender,
                "province_code": province,
                "employment_status": draw(
                    st.sampled_from(["LAID_OFF", "EMPLOYED", "UNEMPLOYED", "INFORMAL", None])
                ),
                "monthly_income_idr": draw(st.integers(0, 9_000_000)),
                "registered_at": dt.datetime(2020, 4, 12, tzinfo=dt.UTC)
                + dt.timedelta(minutes=draw(st.integers(0, 5000))),
            }
        )
    national = draw(st.booleans())
    if national:
        places = {"*": draw(st.integers(0, count))}
    else:
        places = {
            p: draw(st.integers(0, count))
            for p in draw(st.sets(st.sampled_from(sorted(PROVINCES)), min_size=1))
        }
    barred = [
        {"nik": row["nik"], "list_code": draw(st.sampled_from(["STUDENT", "WAGE_SUBSIDY"]))}
        for row in rows
        if draw(st.integers(0, 7)) == 0
    ]
    prior = [
        {"nik": f"9{n:015d}", "kk_number": draw(st.sampled_from(families))}
        for n in range(draw(st.integers(0, 4)))
    ]
    return rows, places, barred, prior


def run(rows, places, barred, prior, seed="s"):
    draw = Draw(wave=1, day=DAY, scheme=get_scheme("PANDEMIC_2020"), seed=seed, places=places)
    decided = decide(
        pa.Table.from_pylist(rows, schema=APPLICANT_SCHEMA),
        pa.Table.from_pylist(prior, schema=PRIOR_CARD_SCHEMA),
        pa.Table.from_pylist(barred, schema=BARRED_SCHEMA),
        draw,
    )
    return {row["registration_id"]: (row["outcome"], row["reason"]) for row in decided.to_pylist()}


@settings(max_examples=25, deadline=None)
@given(pools())
def test_every_applicant_gets_one_outcome_and_quotas_hold(case):
    rows, places, barred, prior = case
    outcomes = run(rows, places, barred, prior)
    assert sorted(outcomes) == [row["registration_id"] for row in rows]
    winners = [row for row in rows if outcomes[row["registration_id"]][0] == "SELECTED"]
    # No pool gives more places than it has.
    used = Counter(
        row["province_code"] if row["province_code"] in places else "*" for row in winners
    )
    for pool, count in used.items():
        assert count <= places.get(pool, 0)
    # No family card ends with more than two cards, earlier waves included.
    held = Counter(p["kk_number"] for p in prior) + Counter(row["kk_number"] for row in winners)
    assert all(
        count <= 2 for family, count in held.items() if family in {r["kk_number"] for r in winners}
    )
    # Every winner passes every eligibility rule.
    barred_niks = {b["nik"] for b in barred if b["list_code"] == "STUDENT"}
    for row in winners:
        assert row["nik"] not in barred_niks
        assert (DAY - row["birth_date"]).days >= 18 * 365
    # Not selected always has a reason; selected never has one.
    for outcome, reason in outcomes.values():
        assert (outcome == "SELECTED") == (reason is None)


@settings(max_examples=20, deadline=None)
@given(pools())
def test_no_eligible_applicant_loses_while_a_place_is_free(case):
    rows, places, barred, prior = case
    outcomes = run(rows, places, barred, prior)
    winners = Counter(
        row["province_code"] if row["province_code"] in places else "*"
        for row in rows
        if outcomes[row["registration_id"]][0] == "SELECTED"
    )
    for row in rows:
        if outcomes[row["registration_id"]][1] == "QUOTA_FULL":
            pool = row["province_code"] if row["province_code"] in places else "*"
            assert winners[pool] == places.get(pool, 0)


@settings(max_examples=15, deadline=None)
@given(pools())
def test_selection_is_reproducible_and_independent_of_row_order(case):
    rows, places, barred, prior = case
    first = run(rows, places, barred, prior)
    assert run(list(reversed(rows)), places, barred, prior) == first


@settings(max_examples=15, deadline=None)
@given(pools())
def test_hit_workers_win_before_anyone_else_in_their_pool(case):
    rows, places, barred, prior = case
    outcomes = run(rows, places, barred, prior)
    hit = {"LAID_OFF", "FURLOUGHED", "UNEMPLOYED"}
    family_sizes = Counter(row["kk_number"] for row in rows) + Counter(
        p["kk_number"] for p in prior
    )
    for loser in rows:
        if (
            outcomes[loser["registration_id"]][1] != "QUOTA_FULL"
            or loser["employment_status"] not in hit
        ):
            continue
        if family_sizes[loser["kk_number"]] > 1:
            continue  # family slots are given by registration time before pool order
        pool = loser["province_code"] if loser["province_code"] in places else "*"
        for winner in rows:
            same_pool = (
                winner["province_code"] if winner["province_code"] in places else "*"
            ) == pool
            if same_pool and outcomes[winner["registration_id"]][0] == "SELECTED":
                assert winner["employment_status"] in hit
