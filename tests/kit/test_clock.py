import datetime as dt

import pyarrow as pa
import pytest

from prakerja.kit.clock import jakarta_date, jakarta_days

UTC = dt.UTC


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (dt.datetime(2024, 3, 1, 16, 59, 59, 999999, tzinfo=UTC), dt.date(2024, 3, 1)),
        (dt.datetime(2024, 3, 1, 17, 0, tzinfo=UTC), dt.date(2024, 3, 2)),
        (dt.datetime(2024, 12, 31, 17, 0, tzinfo=UTC), dt.date(2025, 1, 1)),
        # Pre-1970: floor, not truncation, at and around an exact day boundary.
        (dt.datetime(1969, 12, 30, 17, 0, tzinfo=UTC), dt.date(1969, 12, 31)),
        (dt.datetime(1969, 12, 30, 16, 59, 59, tzinfo=UTC), dt.date(1969, 12, 30)),
        (dt.datetime(1969, 12, 31, 16, 0, tzinfo=UTC), dt.date(1969, 12, 31)),
    ],
)
def test_jakarta_day_on_either_side_of_midnight(instant, day):
    got = jakarta_days(pa.array([instant], pa.timestamp("us", tz="UTC")))
    assert got.to_pylist() == [day]
    assert got.type == pa.date32()
    assert jakarta_date(instant) == day


@pytest.mark.parametrize("zone", ["+05:00", "-03:00", "Asia/Jakarta", "+09:00"])
def test_other_offsets_are_read_as_the_same_instant(zone):
    instants = [
        dt.datetime(2024, 3, 1, 16, 59, tzinfo=UTC),
        dt.datetime(2024, 3, 1, 17, 1, tzinfo=UTC),
    ]
    got = jakarta_days(pa.array(instants, pa.timestamp("us", tz=zone)))
    assert got.to_pylist() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]


def test_naive_instants_are_utc_and_nulls_stay_null():
    arr = pa.chunked_array(
        [
            pa.array(
                [dt.datetime(2024, 3, 1, 17, 0, tzinfo=UTC).replace(tzinfo=None), None],
                pa.timestamp("us"),
            )
        ]
    )
    assert jakarta_days(arr).to_pylist() == [dt.date(2024, 3, 2), None]


def test_seconds_and_nanoseconds_units():
    for unit in ("s", "ms", "ns"):
        arr = pa.array([dt.datetime(2024, 3, 1, 17, 0, tzinfo=UTC)], pa.timestamp(unit, tz="UTC"))
        assert jakarta_days(arr).to_pylist() == [dt.date(2024, 3, 2)]
