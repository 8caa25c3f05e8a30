"""A row that is not UTF-8 (a name typed in another code page) is a reject; the rest loads."""

import csv

NIKS = ("3273014507900001", "3273014507900002", "3273014507900003")


def _rejects(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_csv_row_in_another_code_page_is_rejected_with_its_line(cli, tmp_path):
    path = tmp_path / "exclusions.csv"
    rows = [
        b"nik,list_code,period,source",
        f"{NIKS[0]},STUDENT,2020-05,Dapodik".encode(),
        f"{NIKS[1]},STUDENT,2020-05,Dinas Pendidikan \u2013 Bandung".encode("cp1252"),
        f"{NIKS[2]},CIVIL_SERVANT,2020-06,BKN".encode(),
    ]
    path.write_bytes(b"\r\n".join(rows) + b"\r\n")
    result = cli("import", "exclusions", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("loaded=2 duplicates=0 rejected=1 pending=0")
    (reject,) = _rejects(tmp_path / "exclusions.csv.rejects.csv")
    assert reject["line"] == "3" and reject["column"] == ""
    assert reject["reason"].startswith("not UTF-8")
    assert reject["nik"] == NIKS[1] and reject["list_code"] == "STUDENT"


def test_a_jsonl_line_in_another_code_page_is_rejected_with_its_line(cli, tmp_path):
    path = tmp_path / "exclusions.jsonl"
    lines = [
        f'{{"nik": "{NIKS[0]}", "list_code": "STUDENT", "period": "2020-05", "source": "A"}}',
        f'{{"nik": "{NIKS[1]}", "list_code": "STUDENT", "period": "2020-05", "source": "\u00e9"}}',
    ]
    path.write_bytes(lines[0].encode() + b"\n" + lines[1].encode("latin-1") + b"\n")
    result = cli("import", "exclusions", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("loaded=1 duplicates=0 rejected=1 pending=0")
    (reject,) = _rejects(tmp_path / "exclusions.jsonl.rejects.csv")
    assert reject["line"] == "2" and reject["reason"].startswith("not UTF-8")


def test_a_header_that_is_not_utf8_makes_the_file_unusable(cli, tmp_path):
    path = tmp_path / "exclusions.csv"
    path.write_bytes("nik,list_code,period,source,catatan\u00e9\n".encode("latin-1"))
    result = cli("import", "exclusions", path)
    assert result.exit_code != 0
    assert "not UTF-8" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_blank_lines_are_skipped_and_later_rows_keep_their_line_numbers(cli, tmp_path):
    path = tmp_path / "exclusions.csv"
    path.write_bytes(
        b"nik,list_code,period,source\r\n"
        + f"{NIKS[0]},STUDENT,2020-05,Dapodik\r\n".encode()
        + b"\r\n"
        + f"{NIKS[1]},NOT_A_LIST,2020-05,Dapodik\r\n".encode()
        + f"{NIKS[2]},STUDENT,2020-05,Dapodik\r\n".encode()
        + b"\r\n"
    )
    result = cli("import", "exclusions", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("loaded=2 duplicates=0 rejected=1 pending=0")
    (reject,) = _rejects(tmp_path / "exclusions.csv.rejects.csv")
    assert (reject["line"], reject["column"]) == ("4", "list_code")
