"""`prakerja export outcomes`: survey results by category of the first training, to the row."""

from __future__ import annotations

import pytest

from tests.builders import read_csv
from tests.statistics.factories import D, Program, at

HEADER = (
    "category,survey_no,respondents,employed,started_business,skills_improved,"
    "median_monthly_income_idr"
)


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def planted(program: Program, session):
    """Three respondents: one sales course, one bundle (sales + IT), one IT course."""
    program.wave(1)
    program.course("SM", "SALES_MARKETING")
    program.course("IT", "IT")
    program.course("BUN", "SALES_MARKETING", "IT")
    a, b, c = (program.person() for _ in range(3))
    refunded_first = program.person()
    program.purchase(a, "SM", bought=at(D(2020, 4, 21)))
    program.purchase(b, "BUN", bought=at(D(2020, 4, 21)))
    program.purchase(c, "IT", bought=at(D(2020, 4, 21)))
    program.purchase(refunded_first, "IT", bought=at(D(2020, 4, 20)), refunded_on=D(2020, 4, 21))
    program.purchase(refunded_first, "SM", bought=at(D(2020, 4, 22)))
    june = D(2020, 6, 10)
    program.answer(a, 1, on=june, employment="EMPLOYED", business=True, income=1_000_000)
    program.answer(b, 1, on=june, employment="INFORMAL", skills=False, income=2_000_001)
    program.answer(c, 1, on=june, business=True, income=3_000_000)
    program.answer(a, 2, on=D(2020, 7, 10), employment="MICRO_BUSINESS", income=4_000_000)
    program.answer(refunded_first, 2, on=D(2020, 7, 11), income=None)
    session.commit()


def test_a_bundle_counts_under_bundle_and_each_category_and_all_counts_each_once(
    cli, planted, tmp_path
):
    out = tmp_path / "outcomes.csv"
    result = cli("export", "outcomes", "--date", "2020-06-30", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert _lines(out) == [
        HEADER,
        "ALL,1,3,2,2,2,2000001",
        "SALES_MARKETING,1,2,2,1,1,1500001",
        "BUNDLE,1,1,1,0,0,2000001",
        "IT,1,2,1,1,1,2500001",
        "ALL,2,0,0,0,0,",
        "ALL,3,0,0,0,0,",
    ]


def test_everything_known_counts_later_answers_under_the_first_training_not_refunded(
    cli, planted, tmp_path
):
    out = tmp_path / "outcomes.csv"
    assert cli("export", "outcomes", "--out", out).exit_code == 0
    assert _lines(out)[5:] == [
        "ALL,2,2,1,0,2,4000000",
        "SALES_MARKETING,2,2,1,0,2,4000000",
        "ALL,3,0,0,0,0,",
    ]
    assert len(read_csv(out)) == 7


def test_all_is_present_for_every_survey_of_every_scheme_in_use_even_without_answers(
    cli, program, session, tmp_path
):
    program.wave(1, scheme="NORMAL_2023")
    session.commit()
    out = tmp_path / "outcomes.csv"
    assert cli("export", "outcomes", "--out", out).exit_code == 0
    assert _lines(out) == [HEADER, "ALL,1,0,0,0,0,", "ALL,2,0,0,0,0,"]
