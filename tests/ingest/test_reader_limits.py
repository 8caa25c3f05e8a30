"""The reader refuses a file only when it cannot be used at all, and says why in plain words."""

from __future__ import annotations

import time

from tests.builders import (
    EXCLUSION_COLUMNS,
    PARTICIPANT_COLUMNS,
    participant,
    read_csv,
    summary,
    write_csv,
)


def test_a_fifty_megabyte_field_is_that_rows_reject(cli, tmp_path):
    path = tmp_path / "x.csv"
    huge = "S" * (50 * 1024 * 1024)
    path.write_text(
        "nik,list_code,period,source\n"
        "3302026105030004,STUDENT,2020-04,EMIS\n"
        f"3302026105030005,STUDENT,2020-04,{huge}\n"
        "3302026105030006,STUDENT,2020-04,EMIS\n"
    )
    result = cli("import", "exclusions", path)
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout) == {"loaded": 2, "duplicates": 0, "rejected": 1, "pending": 0}
    reject = read_csv(tmp_path / "x.csv.rejects.csv")[0]
    assert reject["line"] == "3" and "characters long" in reject["reason"]
    assert len(reject["source"]) < 1000


def test_a_header_over_the_limit_says_so(cli, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nik,list_code,period," + "s" * 200_000 + "\n1,2,3,4\n")
    result = cli("import", "exclusions", path)
    assert result.exit_code != 0
    assert "the header row is not a list of column names" in result.stderr
    assert "200,000 characters long" in result.stderr


def test_a_semicolon_separated_file_is_named_as_such(cli, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("nik;list_code;period;source\n3302026105030004;STUDENT;2020-04;EMIS\n")
    result = cli("import", "exclusions", path)
    assert result.exit_code != 0
    assert "seems to use semicolons (';')" in result.stderr
    assert "the contract wants commas" in result.stderr


def test_many_columns_are_read_in_linear_time(cli, tmp_path):
    extra = [f"x{i}" for i in range(100_000)]
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join([*EXCLUSION_COLUMNS, *extra])
        + "\n"
        + ",".join(["3302026105030004", "STUDENT", "2020-04", "EMIS", *["" for _ in extra]])
        + "\n"
    )
    started = time.monotonic()
    result = cli("import", "exclusions", path)
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout)["loaded"] == 1
    assert time.monotonic() - started < 30
    assert "and 99980 more" in result.stderr


def test_many_repeated_columns_are_refused_quickly(cli, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(",".join([*EXCLUSION_COLUMNS, *(["x"] * 100_000)]) + "\n")
    started = time.monotonic()
    result = cli("import", "exclusions", path)
    assert result.exit_code != 0 and "named twice: x" in result.stderr
    assert time.monotonic() - started < 30


def test_every_file_is_tried_and_each_unusable_one_named(cli, tmp_path):
    first = write_csv(tmp_path / "a.csv", PARTICIPANT_COLUMNS, [participant()])
    broken = tmp_path / "b.csv"
    broken.write_text("nik,kk_number\n1,2\n")
    missing = tmp_path / "c.csv"
    last = write_csv(tmp_path / "d.csv", PARTICIPANT_COLUMNS, [participant(), participant()])
    result = cli("import", "participants", first, broken, missing, last)
    assert result.exit_code != 0
    assert summary(result.stdout) == {"loaded": 3, "duplicates": 0, "rejected": 0, "pending": 0}
    assert "2 file(s) unusable" in result.stderr
    assert "b.csv: missing column(s)" in result.stderr and "c.csv: no such file" in result.stderr
    assert "a.csv: loaded=1" in result.stderr and "d.csv: loaded=2" in result.stderr


def test_a_carriage_return_inside_the_header_is_a_one_line_refusal(cli, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"card_number,partner\rcode,account_id\n1,2,3\n")
    result = cli("import", "payout-accounts", path)
    assert result.exit_code != 0
    assert "the header row cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_carriage_return_inside_a_line_that_is_not_utf8_is_that_rows_reject(cli, tmp_path):
    path = tmp_path / "accounts.csv"
    header = b"card_number,partner_code,account_id,account_name,linked_at\n"
    path.write_bytes(header + b"52\xff00\rx,OVO,0812,Ani,2020-04-20T10:00:00+07:00\n")
    result = cli("import", "payout-accounts", path)
    assert result.exit_code == 0, result.stderr
    assert "rejected=1" in result.stdout
