"""The settle steps' SQL, planned by the system of record, joins no CTE more than once.

PostgreSQL materialises a CTE that is referenced twice and guesses its size;
the settle step's `firsts`, guessed at one row, was joined to 21,670 touched
instructions by a nested loop over every pair: 112 s for one partner's file
of the last tranche at 280,000 participants, against 4 s for the same file a
month before (bench/README.md). A step's intermediate result joined more than
once is a temporary table, indexed and analysed (`settle._settle`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import prakerja.payouts

SQL = sorted((Path(prakerja.payouts.__file__).parent / "sql").glob("*.sql"))


def _ctes_joined_twice(statement: str) -> list[str]:
    code = re.sub(r"--[^\n]*", "", statement)
    names = re.findall(r"(?:\bWITH|,)\s*([a-z_]+)\s+AS\s*\(", code, re.IGNORECASE)
    return [
        name
        for name in names
        if len(re.findall(rf"\b(?:FROM|JOIN)\s+{name}\b", code, re.IGNORECASE)) > 1
    ]


def test_the_check_finds_a_cte_joined_twice():
    joined_twice = (
        "WITH firsts AS (SELECT 1 AS x) SELECT * FROM t "
        "LEFT JOIN firsts s ON s.x = t.x LEFT JOIN firsts f ON f.x = t.x"
    )
    assert _ctes_joined_twice(joined_twice) == ["firsts"]
    assert _ctes_joined_twice("WITH a AS (SELECT 1) SELECT * FROM a") == []


@pytest.mark.parametrize("path", SQL, ids=lambda path: path.name)
def test_no_settle_statement_joins_a_cte_twice(path):
    assert _ctes_joined_twice(path.read_text(encoding="utf-8")) == []
