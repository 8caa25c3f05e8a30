"""Calendar helpers: the program's day is Asia/Jakarta; stored instants are UTC."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from prakerja.kit.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

JAKARTA = ZoneInfo("Asia/Jakarta")
#: The program's calendar is Asia/Jakarta, UTC+7 all year (no daylight saving since 1964).
JAKARTA_OFFSET = dt.timedelta(hours=7)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> dt.date:
    """Parse a strict `YYYY-MM-DD` date, or raise an InputError naming the text."""
    if not _ISO_DATE.match(text.strip()):
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def jakarta_date(instant: dt.datetime) -> dt.date:
    """Return the program's calendar day on which an aware instant falls."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(JAKARTA).date()


def jakarta_days(instants: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return the program's calendar day (Asia/Jakarta) of each instant, as `date32`.

    Aware instants are read as the UTC instants they are, whatever their zone;
    naive ones are UTC. The day is the floor of the Jakarta wall clock, so an
    instant just before midnight in Jakarta (16:59:59 UTC) keeps its day, also
    before 1970.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    utc = pc.cast(instants, pa.timestamp("us"))
    return pc.cast(pc.add(utc, pa.scalar(JAKARTA_OFFSET)), pa.date32())


def start_of_day_utc(day: dt.date) -> dt.datetime:
    """Return the UTC instant at which a Jakarta calendar day begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=JAKARTA).astimezone(dt.UTC)


def utc_now() -> dt.datetime:
    """Return the current instant (the only place that reads the wall clock)."""
    return dt.datetime.now(dt.UTC)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return a person's age in whole years on a given day."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
