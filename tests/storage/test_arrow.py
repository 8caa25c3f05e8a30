"""fetch_arrow: every kind of value comes back exactly, in the statement's order, in-session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pyarrow as pa
import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.orm import Session

from prakerja.storage import arrow
from prakerja.storage.arrow import fetch_arrow
from prakerja.storage.base import UtcDateTime

PROBE = Table(
    "arrow_probe",
    MetaData(),
    Column("position", Integer, primary_key=True),
    Column("text", String),
    Column("small", SmallInteger),
    Column("big", BigInteger),
    Column("day", Date),
    Column("instant", UtcDateTime),
    Column("flag", Boolean),
    prefixes=["TEMPORARY"],
)
SCHEMA = pa.schema(
    [
        ("position", pa.int32()),
        ("text", pa.string()),
        ("small", pa.int16()),
        ("big", pa.int64()),
        ("day", pa.date32()),
        ("instant", pa.timestamp("us", tz="UTC")),
        ("flag", pa.bool_()),
    ]
)
JAKARTA = dt.timezone(dt.timedelta(hours=7))
ROWS = [
    {
        "position": 1,
        "text": 'quote " comma , newline \n backslash \\ tab \t',
        "small": -32768,
        "big": 2**63 - 1,
        "day": dt.date(2020, 4, 20),
        "instant": dt.datetime(2020, 4, 20, 23, 59, 59, 123456, tzinfo=JAKARTA),
        "flag": True,
    },
    {
        "position": 2,
        "text": "Bahasa: rupiah é 漢字 😀",
        "small": 32767,
        "big": -(2**63),
        "day": dt.date(1970, 1, 1),
        "instant": dt.datetime(1969, 12, 31, 23, 0, tzinfo=dt.UTC),
        "flag": False,
    },
    {
        "position": 3,
        "text": "",
        "small": 0,
        "big": 0,
        "day": dt.date(2099, 12, 31),
        "instant": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        "flag": True,
    },
    {
        "position": 4,
        "text": None,
        "small": None,
        "big": None,
        "day": None,
        "instant": None,
        "flag": None,
    },
    {
        "position": 5,
        "text": "NULL",
        "small": 7,
        "big": 12345678901234,
        "day": dt.date(2024, 2, 29),
        "instant": dt.datetime(2024, 2, 29, 12, 0, tzinfo=JAKARTA),
        "flag": False,
    },
]


@pytest.fixture
def probe(session: Session) -> Iterator[Session]:
    """The session, holding a temporary table of awkward values it has not committed."""
    PROBE.create(session.connection())
    session.execute(insert(PROBE), ROWS)
    yield session
    session.rollback()
    PROBE.drop(session.connection(), checkfirst=True)
    session.commit()


def _expected(rows: list[dict[str, object]]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                **row,
                "instant": row["instant"].astimezone(dt.UTC)  # type: ignore[attr-defined]
                if row["instant"]
                else None,
            }
            for row in rows
        ],
        schema=SCHEMA,
    )


def test_every_kind_of_value_comes_back_exactly(probe: Session) -> None:
    read = fetch_arrow(probe, select(PROBE).order_by(PROBE.c.position), SCHEMA)
    assert read.equals(_expected(ROWS))


def test_the_statements_order_is_kept(probe: Session) -> None:
    read = fetch_arrow(probe, select(PROBE).order_by(PROBE.c.big.desc().nulls_last()), SCHEMA)
    assert read["position"].to_pylist() == [1, 5, 3, 2, 4]


def test_an_empty_result_is_an_empty_table_of_the_schema(probe: Session) -> None:
    read = fetch_arrow(probe, select(PROBE).where(PROBE.c.position > 99), SCHEMA)
    assert read.num_rows == 0
    assert read.schema == SCHEMA


def test_sqlite_reads_too_large_for_json_come_as_rows(
    probe: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if probe.get_bind().dialect.name != "sqlite":
        pytest.skip("the JSON hand-over is SQLite's")
    statement = select(PROBE).order_by(PROBE.c.position)
    monkeypatch.setattr(arrow, "_SQLITE_JSON_BYTES", 100)
    assert fetch_arrow(probe, statement, SCHEMA).equals(_expected(ROWS))
    monkeypatch.setattr(arrow, "_SQLITE_JSON_COLUMNS", 3)
    assert fetch_arrow(probe, statement, SCHEMA).equals(_expected(ROWS))
    raw = probe.connection().connection.driver_connection
    assert raw is not None
    assert raw.getlimit(3) > 100  # SQLITE_LIMIT_LENGTH restored after the JSON attempt
