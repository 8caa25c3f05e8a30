"""The statistics and signals engine: the SQL of `sql/*.sql` over Arrow tables in DuckDB.

Every function here is pure: the same tables and day give the same answer.
The tables are named as the SQL files name them (see `repository.py`):
`cards`, `vouchers`, `courses`, `course_categories`, `answers`, `waves`,
`scheme_surveys`, `category_order`, `account_links`, `phones`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pyarrow as pa

from prakerja.storage.duck import duckdb_connection

#: The day meaning "everything known" when no --date is given.
EVERYTHING = dt.date(9999, 12, 31)
SIGNAL_PARTS = ("shared_account", "shared_phone", "fast_completion", "same_person")


def sql(name: str) -> str:
    """Return the text of `sql/<name>.sql`."""
    return (resources.files("prakerja.statistics") / "sql" / f"{name}.sql").read_text(
        encoding="utf-8"
    )


def _first_trainings(connection: Any, day: dt.date) -> None:
    """Create the temp tables `first_training` and `course_kinds` on `connection`."""
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE first_training AS {sql('first_training')}", {"day": day}
    )
    connection.execute(f"CREATE OR REPLACE TEMP TABLE course_kinds AS {sql('course_kinds')}")


def _ranking(connection: Any, wave: int | None, province: str | None = None) -> pa.Table:
    params = {"wave": wave, "province": province}
    return connection.sql(sql("ranking"), params=params).to_arrow_table()


def _outcomes(connection: Any, day: dt.date) -> pa.Table:
    return connection.sql(sql("outcomes"), params={"day": day}).to_arrow_table()


def _signals(connection: Any, day: dt.date) -> pa.Table:
    for part in SIGNAL_PARTS:
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE found_{part} AS {sql(part)}", {"day": day}
        )
    return connection.sql(sql("signals")).to_arrow_table()


def ranking(
    tables: Mapping[str, pa.Table],
    *,
    day: dt.date = EVERYTHING,
    wave: int | None = None,
    province: str | None = None,
) -> pa.Table:
    """Return `rank, category, participants` for a wave and province or all, as known on `day`."""
    with duckdb_connection(tables) as connection:
        _first_trainings(connection, day)
        return _ranking(connection, wave, province)


def ranking_by_wave_province(tables: Mapping[str, pa.Table], *, day: dt.date) -> pa.Table:
    """Return participants by wave, province and ranking category, as known on `day`."""
    with duckdb_connection(tables) as connection:
        _first_trainings(connection, day)
        return connection.sql(sql("ranking_by_wave_province")).to_arrow_table()


def outcomes(tables: Mapping[str, pa.Table], *, day: dt.date = EVERYTHING) -> pa.Table:
    """Return the survey outcomes by category and survey, as known on `day`."""
    with duckdb_connection(tables) as connection:
        _first_trainings(connection, day)
        return _outcomes(connection, day)


def signals(tables: Mapping[str, pa.Table], *, day: dt.date) -> pa.Table:
    """Return every signal holding on `day`: id, type, subject, cards, since, evidence."""
    with duckdb_connection(tables) as connection:
        return _signals(connection, day)


def completions(tables: Mapping[str, pa.Table], *, day: dt.date) -> tuple[pa.Table, pa.Table]:
    """Return completion figures per course and per provider, as known on `day`."""
    with duckdb_connection(tables) as connection:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE bought AS {sql('bought')}", {"day": day})
        return (
            connection.sql(sql("courses")).to_arrow_table(),
            connection.sql(sql("providers")).to_arrow_table(),
        )


@dataclass(frozen=True)
class Everything:
    """The published figures and the leads of one day, computed together."""

    ranking: pa.Table
    outcomes: pa.Table
    signals: pa.Table


def everything(
    tables: Mapping[str, pa.Table], *, day: dt.date, threads: int | None = None
) -> Everything:
    """Compute the ranking (all waves), the outcomes and the four signals in one connection."""
    with duckdb_connection(tables, threads=threads) as connection:
        _first_trainings(connection, day)
        return Everything(
            ranking=_ranking(connection, None),
            outcomes=_outcomes(connection, day),
            signals=_signals(connection, day),
        )


def sighted(found: pa.Table, sightings: pa.Table, *, day: dt.date) -> pa.Table:
    """Return the signals of `found` first seen by `day`, with `first_seen_on`, in report order."""
    with duckdb_connection({"found": found, "sightings": sightings}) as connection:
        return connection.sql(sql("sighted"), params={"day": day}).to_arrow_table()
