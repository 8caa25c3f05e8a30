import datetime as dt

import pyarrow as pa
import pytest

from prakerja.ingest import checks
from prakerja.ingest.checks import Field, apply_field


def parse(parser, values, *, required=True, lenient=False):
    result = apply_field(
        Field("x", parser, required=required, lenient=lenient), pa.array(values, pa.string())
    )
    reasons = (
        result.reason.to_pylist()
        if isinstance(result.reason, pa.Array)
        else [result.reason] * len(values)
    )
    return result.values.to_pylist(), result.bad.to_pylist(), reasons


def test_digits():
    values, bad, _ = parse(
        checks.digits(16),
        [
            "3171014708900001",
            "317101470890000",
            "31710147089000a1",
            "３１７１０１４７０８９０００１",
            " 3171014708900001 ",
        ],
    )
    assert bad == [False, True, True, True, False]
    assert values[4] == "3171014708900001"


@pytest.mark.parametrize("mixed", [False, True])
def test_dates_must_exist(mixed):
    inputs = ["2020-02-29", "2020-02-30", "2021-02-29", "2020-2-3", "20200203", "2020-13-01"]
    if not mixed:
        inputs = inputs[:1]
    values, bad, _ = parse(checks.date(), inputs)
    assert values[0] == dt.date(2020, 2, 29)
    assert bad == [False] + [True] * (len(inputs) - 1)


def test_timestamps_need_an_offset():
    values, bad, reasons = parse(
        checks.timestamp(),
        [
            "2020-08-19T10:15:00+07:00",
            "2020-08-19T10:15:00Z",
            "2020-08-19T10:15:00",
            "2020-08-19",
            "2020-02-30T10:00:00+07:00",
            "2020-08-19T24:00:00+07:00",
        ],
    )
    assert bad == [False, False, True, True, True, True]
    assert values[0] == dt.datetime(2020, 8, 19, 3, 15, tzinfo=dt.UTC)
    assert reasons[2] == "must be an ISO 8601 timestamp with offset"


def test_integers_are_whole():
    values, bad, _ = parse(
        checks.integer(minimum=0), ["600000", "600000.0", "6e5", "-5", "1.200.000", "12"]
    )
    assert bad == [False, True, True, True, True, False]
    assert values[0] == 600000


def test_required_missing_and_optional_blank():
    _, bad, reasons = parse(checks.text(), ["a", "", "  "])
    assert bad == [False, True, True]
    assert reasons[1] == "missing"
    values, bad, _ = parse(checks.text(), ["a", ""], required=False)
    assert bad == [False, False]
    assert values == ["a", None]


def test_lenient_fields_never_reject_blank():
    values, bad, _ = parse(checks.date(), ["", "bukan"], lenient=True)
    assert values == [None, None]
    assert bad == [False, True]


def test_booleans_and_months():
    values, bad, _ = parse(checks.boolean(), ["true", "false", "TRUE", "ya"])
    assert values[:3] == [True, False, True]
    assert bad == [False, False, False, True]
    values, bad, _ = parse(checks.year_month(), ["2020-04", "2020-13", "2020-4"])
    assert values[0] == dt.date(2020, 4, 1)
    assert bad == [False, True, True]
