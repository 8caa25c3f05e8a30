"""Fixtures of the recovery tests: the reconciliation's world of facts, statements, exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.builders import read_csv, write_csv
from tests.reconciliation.factories import World

BANK_COLUMNS = (
    "statement_date",
    "bank_ref",
    "counterparty_code",
    "amount_idr",
    "direction",
    "batch_id",
)
#: One bank line: (day, bank_ref, counterparty, amount, direction, batch_id or claim id).
Line = tuple[dt.date, str, str, int, str, str]


@pytest.fixture
def world(session: Session) -> Iterator[World]:
    """Factories for the facts, in the test's session."""
    yield World(session)
    session.rollback()
    session.close()


def statement_csv(path: Path, *lines: Line) -> Path:
    """Write a bank-statement.csv of the given lines."""
    rows = [
        {
            "statement_date": day.isoformat(),
            "bank_ref": ref,
            "counterparty_code": who,
            "amount_idr": str(amount),
            "direction": direction,
            "batch_id": batch,
        }
        for day, ref, who, amount, direction, batch in lines
    ]
    return write_csv(path, BANK_COLUMNS, rows)


def _entry(line: Line) -> str:
    day, ref, who, amount, direction, batch = line
    party = "Cdtr" if direction == "DEBIT" else "Dbtr"
    return f"""
      <Ntry>
        <Amt Ccy="IDR">{amount}.00</Amt>
        <CdtDbtInd>{"DBIT" if direction == "DEBIT" else "CRDT"}</CdtDbtInd>
        <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>{batch}</EndToEndId></Refs>
          <RltdPties><{party}><Nm>{who}</Nm></{party}></RltdPties>
        </TxDtls></NtryDtls>
      </Ntry>"""


def statement_xml(path: Path, *lines: Line) -> Path:
    """Write an ISO 20022 camt.053 statement of the given lines."""
    entries = "".join(_entry(line) for line in lines)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<Stmt><Id>S-1</Id>{entries}</Stmt></BkToCstmrStmt></Document>\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def export(cli, tmp_path) -> Callable[[dt.date], list[dict[str, str]]]:
    """Run `prakerja export recoveries --date D` and return its rows."""

    def run(day: dt.date) -> list[dict[str, str]]:
        out = tmp_path / f"recoveries-{day}.csv"
        result = cli("export", "recoveries", "--date", day.isoformat(), "--out", out)
        assert result.exit_code == 0, result.stderr
        return read_csv(out)

    return run
