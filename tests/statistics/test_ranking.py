"""`prakerja export ranking`: categories by participants' first trainings, to the row."""

from __future__ import annotations

import pytest

from tests.builders import read_csv
from tests.statistics.factories import D, Program, at

ZEROS = [
    "FOREIGN_LANGUAGE",
    "LIFESTYLE",
    "MANAGEMENT",
    "OFFICE",
    "SOCIAL_BEHAVIOUR",
    "FOOD_BEVERAGE",
    "AGRICULTURE",
]


def _rows(path):
    return [(int(r["rank"]), r["category"], int(r["participants"])) for r in read_csv(path)]


def _with_zeros(leading, start):
    return leading + [(start + i, category, 0) for i, category in enumerate(ZEROS)]


@pytest.fixture
def planted(program: Program, session):
    """Two waves; bundles, a refunded first purchase, a later second purchase, a late buyer."""
    program.wave(1)
    program.wave(2)
    program.course("SM", "SALES_MARKETING")
    program.course("IT", "IT")
    program.course("FIN", "FINANCE")
    program.course("BUN", "SALES_MARKETING", "IT")
    a, b, c = (program.person(wave=1) for _ in range(3))
    d, e, f, _g = (program.person(wave=2) for _ in range(4))
    program.purchase(a, "SM", bought=at(D(2020, 4, 21)))
    program.purchase(b, "BUN", bought=at(D(2020, 4, 21)))
    program.purchase(c, "IT", bought=at(D(2020, 4, 22)), refunded_on=D(2020, 4, 28))
    program.purchase(c, "SM", bought=at(D(2020, 4, 26)))
    program.purchase(d, "FIN", bought=at(D(2020, 4, 23), 9))
    program.purchase(d, "IT", bought=at(D(2020, 4, 23), 11))
    program.purchase(e, "BUN", bought=at(D(2020, 4, 23)))
    program.purchase(f, "IT", bought=at(D(2020, 5, 10)))
    session.commit()


def test_everything_known_ranks_every_category_with_ties_in_the_programs_order(
    cli, planted, tmp_path
):
    out = tmp_path / "ranking.csv"
    result = cli("export", "ranking", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == "rank,category,participants"
    assert _rows(out) == _with_zeros(
        [(1, "SALES_MARKETING", 2), (2, "BUNDLE", 2), (3, "IT", 1), (4, "FINANCE", 1)], 5
    )


def test_one_wave_counts_its_own_cards_and_bundles_only_under_bundle(cli, planted, tmp_path):
    out = tmp_path / "ranking.csv"
    assert cli("export", "ranking", "--wave", "2", "--out", out).exit_code == 0
    assert _rows(out) == _with_zeros(
        [(1, "BUNDLE", 1), (2, "IT", 1), (3, "FINANCE", 1), (4, "SALES_MARKETING", 0)], 5
    )


def test_as_known_on_a_day_a_refund_not_yet_made_leaves_the_purchase_first(cli, planted, tmp_path):
    out = tmp_path / "ranking.csv"
    assert cli("export", "ranking", "--date", "2020-04-27", "--out", out).exit_code == 0
    assert _rows(out) == _with_zeros(
        [(1, "BUNDLE", 2), (2, "SALES_MARKETING", 1), (3, "IT", 1), (4, "FINANCE", 1)], 5
    )
    assert cli("export", "ranking", "--date", "2020-04-28", "--out", out).exit_code == 0
    assert _rows(out) == _with_zeros(
        [(1, "SALES_MARKETING", 2), (2, "BUNDLE", 2), (3, "FINANCE", 1), (4, "IT", 0)], 5
    )


def test_an_empty_program_lists_every_category_at_zero_in_the_programs_order(
    cli, program, session, tmp_path
):
    program.wave(1)
    session.commit()
    out = tmp_path / "ranking.csv"
    assert cli("export", "ranking", "--out", out).exit_code == 0
    assert _rows(out) == _with_zeros(
        [(1, "SALES_MARKETING", 0), (2, "BUNDLE", 0), (3, "IT", 0), (4, "FINANCE", 0)], 5
    )


def test_an_unknown_wave_or_a_malformed_date_exits_non_zero_with_one_line(cli, planted, tmp_path):
    out = tmp_path / "ranking.csv"
    unknown = cli("export", "ranking", "--wave", "9", "--out", out)
    assert unknown.exit_code != 0 and "unknown wave 9" in unknown.stderr
    malformed = cli("export", "ranking", "--date", "2020-13-01", "--out", out)
    assert malformed.exit_code != 0 and len(malformed.stderr.strip().splitlines()) == 1
    assert not out.exists()
