"""A value its column cannot hold is that row's reject, and the rest of the file loads.

Every importer kind, on SQLite and PostgreSQL: the counts always add up to
the rows read, and the reject names the line and column.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.builders import read_csv, summary

SAMPLES = Path(__file__).parent.parent / "fixtures" / "contract"

#: kind, sample file, column, a value that parses (or is lenient) but cannot be stored.
CASES = [
    ("participants", "participants.csv", "full_name", "N" * 201),
    ("participants", "participants.csv", "email", "e" * 195 + "@x.com"),
    ("waves", "waves.csv", "quota", "3000000000"),
    ("waves", "waves.csv", "wave", "99999999999"),
    ("exclusions", "exclusions.csv", "source", "S" * 201),
    ("courses", "courses.csv", "hours", "3000000000"),
    ("courses", "courses.csv", "title", "T" * 301),
    ("platform-events", "platform-events.csv", "review_text", "r" * 2001),
    ("platform-events", "platform-events.csv", "amount_idr", "9" * 5000),
    ("platform-invoices", "platform-invoices.csv", "amount_idr", "99999999999999999999"),
    ("payout-accounts", "payout-accounts.csv", "account_name", "A" * 201),
    ("partner-results", "partner-results.csv", "account_id", "1" * 61),
    ("bank-statement", "bank-statement.csv", "batch_id", "B" * 36),
    ("survey-responses", "survey-responses.csv", "business_type", "w" * 201),
    ("participants", "participants.csv", "full_name", "Siti\x00Aminah"),
    ("exclusions", "exclusions.csv", "source", "EM\x00IS"),
    ("payout-accounts", "payout-accounts.csv", "account_name", "A\x00"),
    ("partner-results", "partner-results.csv", "instruction_id", "INS\x00-1"),
    ("bank-statement", "bank-statement.csv", "bank_ref", "BNI\x00-1"),
    ("platform-events", "platform-events.csv", "review_text", "bagus\x00"),
]


def _sample(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SAMPLES / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return list(rows[0]), rows


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(("kind", "name", "column", "value"), CASES)
def test_an_unstorable_value_is_a_reject_and_the_rest_loads(
    cli, tmp_path, kind, name, column, value
):
    header, rows = _sample(name)
    bad = dict(rows[0], **{column: value})
    path = _write(tmp_path / name, header, [*rows, bad])
    result = cli("import", kind, path)
    assert result.exit_code == 0, result.stderr
    counts = summary(result.stdout)
    assert sum(counts.values()) == len(rows) + 1
    assert counts["rejected"] >= 1
    rejects = read_csv(tmp_path / f"{name}.rejects.csv")
    last_line = str(len(rows) + 2)
    assert [(r["line"], r["column"]) for r in rejects if r["line"] == last_line] == [
        (last_line, column)
    ]


def test_a_too_long_name_loses_no_other_registration(cli, tmp_path, session):
    from sqlalchemy import func, select

    from prakerja.registry.models import Registration

    header, rows = _sample("participants.csv")
    long_name = dict(rows[0], full_name="N" * 201)
    path = _write(tmp_path / "p.csv", header, [long_name, *rows[1:]])
    counts = summary(cli("import", "participants", path).stdout)
    assert counts == {"loaded": len(rows) - 1, "duplicates": 0, "rejected": 1, "pending": 0}
    assert session.scalar(select(func.count()).select_from(Registration)) == len(rows) - 1
    reject = read_csv(tmp_path / "p.csv.rejects.csv")[0]
    assert (reject["line"], reject["column"]) == ("2", "full_name")
    assert "longer than 200 characters" in reject["reason"]


def test_a_blank_name_still_gets_its_registration(cli, tmp_path):
    header, rows = _sample("participants.csv")
    path = _write(tmp_path / "p.csv", header, [dict(rows[0], full_name=""), *rows[1:]])
    counts = summary(cli("import", "participants", path).stdout)
    assert counts == {"loaded": len(rows), "duplicates": 0, "rejected": 0, "pending": 0}


def test_a_quota_beyond_the_column_is_a_reject_on_every_database(cli, tmp_path, session):
    from prakerja.registry.models import WaveQuota

    header, rows = _sample("waves.csv")
    huge = dict(rows[0], province_code="35", quota="2147483648")
    path = _write(tmp_path / "w.csv", header, [*rows, huge])
    counts = summary(cli("import", "waves", path).stdout)
    assert counts["rejected"] == 1 and counts["loaded"] == len(rows)
    assert session.get(WaveQuota, (int(rows[0]["wave"]), "35")) is None


def test_a_five_thousand_digit_number_in_json_lines_is_a_reject(cli, tmp_path):
    _header, rows = _sample("platform-events.csv")
    attendance = next(row for row in rows if row["event_type"] == "ATTENDANCE")
    record = {name: value for name, value in attendance.items() if value}
    record["event_id"] = "X-1"
    text = json.dumps(record).replace('"sequence": "1"', '"sequence": ' + "9" * 5000)
    path = tmp_path / "events.jsonl"
    path.write_text(text + "\n" + json.dumps(dict(record, event_id="X-2")) + "\n")
    result = cli("import", "platform-events", path)
    assert result.exit_code == 0, result.stderr
    counts = summary(result.stdout)
    assert sum(counts.values()) == 2 and counts["rejected"] == 1
    reject = read_csv(tmp_path / "events.jsonl.rejects.csv")[0]
    assert (reject["line"], reject["column"]) == ("1", "sequence")


def test_deeply_nested_json_is_that_lines_reject(cli, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"nik": ' + "[" * 5000 + "]" * 5000 + "}\n")
    result = cli("import", "exclusions", path)
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout)["rejected"] == 1
    assert "nested too deeply" in read_csv(tmp_path / "x.jsonl.rejects.csv")[0]["reason"]


def test_a_camt053_entry_with_an_unstorable_reference_is_that_entrys_reject(cli, tmp_path):
    source = (SAMPLES.parent / "camt053" / "statement.xml").read_text(encoding="utf-8")
    entries = source.count("<Ntry>")
    first = source.index("<AcctSvcrRef>") + len("<AcctSvcrRef>")
    end = source.index("</AcctSvcrRef>", first)
    path = tmp_path / "statement.xml"
    path.write_text(source[:first] + "R" * 81 + source[end:], encoding="utf-8")
    result = cli("import", "bank-statement", path)
    assert result.exit_code == 0, result.stderr
    counts = summary(result.stdout)
    assert sum(counts.values()) == entries
    rejects = read_csv(tmp_path / "statement.xml.rejects.csv")
    assert [r["reason"] for r in rejects if r["column"] == "bank_ref"] == [
        "longer than 80 characters"
    ]
