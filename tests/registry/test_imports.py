"""Importing waves, participants and exclusions through the CLI, as an operator would."""

from pathlib import Path

from tests.builders import (
    EXCLUSION_COLUMNS,
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    participant,
    read_csv,
    summary,
    wave_row,
    write_csv,
    write_jsonl,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "contract"


def test_contract_samples_load(cli, tmp_path):
    for kind, name in (
        ("waves", "waves.csv"),
        ("participants", "participants.csv"),
        ("exclusions", "exclusions.csv"),
    ):
        copy = tmp_path / name
        copy.write_bytes((SAMPLES / name).read_bytes())
        result = cli("import", kind, copy)
        assert result.exit_code == 0, result.stderr
        counts = summary(result.stdout)
        assert counts["rejected"] == 0 and counts["duplicates"] == 0
        assert counts["loaded"] == len(read_csv(copy))
        assert read_csv(tmp_path / f"{name}.rejects.csv") == []


def test_summary_is_one_line_on_stdout(cli, tmp_path):
    first = write_csv(tmp_path / "a.csv", PARTICIPANT_COLUMNS, [participant()])
    second = write_csv(tmp_path / "b.csv", PARTICIPANT_COLUMNS, [participant(), participant()])
    result = cli("import", "participants", first, second)
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines() == ["loaded=3 duplicates=0 rejected=0 pending=0"]


def test_reimport_changes_nothing(cli, tmp_path):
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [participant(), participant()])
    assert summary(cli("import", "participants", path).stdout) == {
        "loaded": 2,
        "duplicates": 0,
        "rejected": 0,
        "pending": 0,
    }
    assert summary(cli("import", "participants", path).stdout) == {
        "loaded": 0,
        "duplicates": 2,
        "rejected": 0,
        "pending": 0,
    }


def test_duplicate_key_within_a_file_keeps_the_first(cli, tmp_path, session):
    from sqlalchemy import select

    from prakerja.registry.models import Registration

    row = participant()
    again = dict(row, full_name="Nama Lain")
    other_wave = dict(row, wave="2")
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [row, again, other_wave])
    assert summary(cli("import", "participants", path).stdout) == {
        "loaded": 2,
        "duplicates": 1,
        "rejected": 0,
        "pending": 0,
    }
    names = session.scalars(select(Registration.full_name).where(Registration.wave == 1)).all()
    assert names == [row["full_name"]]


def test_rejects_name_line_column_and_reason_and_keep_the_row(cli, tmp_path):
    good = participant()
    short_nik = participant(nik="317101470890001")
    letter_nik = participant(nik="31710147089000X1")
    long_kk = participant(kk_number="31710101012000011")
    bad_wave = participant(wave="satu")
    no_nik = participant(nik="")
    rows = [good, short_nik, letter_nik, long_kk, bad_wave, no_nik]
    path = write_csv(
        tmp_path / "p.csv", [*PARTICIPANT_COLUMNS, "catatan"], [dict(r, catatan="x") for r in rows]
    )
    result = cli("import", "participants", path)
    assert result.exit_code == 0
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 0, "rejected": 5, "pending": 0}
    assert "extra column(s) ignored: catatan" in result.stderr
    rejects = read_csv(tmp_path / "p.csv.rejects.csv")
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("3", "nik"),
        ("4", "nik"),
        ("5", "kk_number"),
        ("6", "wave"),
        ("7", "nik"),
    ]
    assert rejects[0]["reason"] == "must be exactly 16 digits"
    assert rejects[4]["reason"] == "missing"
    assert rejects[0]["nik"] == "317101470890001"
    assert rejects[0]["catatan"] == "x"
    assert list(rejects[0]) == ["line", "column", "reason", *PARTICIPANT_COLUMNS, "catatan"]


def test_kk_number_must_be_sixteen_ascii_digits(cli, tmp_path):
    bad = [
        "",
        "317101010120000",
        "31710101012000011",
        "3171O10101200001",
        "3171-0101-0120-01",
        "\u0663\u0661\u0667\u0661\u0660\u0661\u0660\u0661\u0660\u0661\u0662\u0660"
        "\u0660\u0660\u0660\u0661",
        "\uff13\uff11\uff17\uff11\uff10\uff11\uff10\uff11\uff10\uff11\uff12\uff10"
        "\uff10\uff10\uff10\uff11",
        "3.17101010120000E15",
    ]
    rows = [participant(kk_number="0171010101200001")]
    rows += [dict(participant(), kk_number=value) for value in bad]
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, rows)
    result = cli("import", "participants", path)
    assert summary(result.stdout) == {
        "loaded": 1,
        "duplicates": 0,
        "rejected": len(bad),
        "pending": 0,
    }
    rejects = read_csv(tmp_path / "p.csv.rejects.csv")
    assert [(r["line"], r["column"]) for r in rejects] == [
        (str(line), "kk_number") for line in range(3, 3 + len(bad))
    ]
    assert [r["kk_number"] for r in rejects] == bad
    assert rejects[0]["reason"] == "missing"
    assert {r["reason"] for r in rejects[1:]} == {"must be exactly 16 digits"}


def test_line_numbers_are_physical_with_quoted_newlines(cli, tmp_path):
    good = participant(full_name="Siti\nAminah")
    bad = participant(nik="123")
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [good, bad])
    result = cli("import", "participants", path)
    assert summary(result.stdout)["rejected"] == 1
    assert read_csv(tmp_path / "p.csv.rejects.csv")[0]["line"] == "4"


def test_ragged_rows_are_rejected_alone(cli, tmp_path):
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [participant()])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("3171014708900001,3171010101200001,Siti\n")
    result = cli("import", "participants", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 0, "rejected": 1, "pending": 0}
    reject = read_csv(tmp_path / "p.csv.rejects.csv")[0]
    assert reject["line"] == "3" and reject["column"] == "" and "3 fields" in reject["reason"]
    assert reject["nik"] == "3171014708900001"


def test_json_lines_are_accepted(cli, tmp_path):
    rows = [participant(), participant(nik="12")]
    as_json = [
        dict(r, wave=int(r["wave"]), monthly_income_idr=int(r["monthly_income_idr"])) for r in rows
    ]
    path = write_jsonl(tmp_path / "p.jsonl", as_json)
    result = cli("import", "participants", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 0, "rejected": 1, "pending": 0}
    assert read_csv(tmp_path / "p.jsonl.rejects.csv")[0]["line"] == "2"


def test_json_lines_split_on_newline_only(cli, tmp_path, session):
    import json

    from sqlalchemy import select

    from prakerja.registry.models import Registration

    # Raw U+2028, U+2029 and U+0085 are valid inside JSON strings and \x1c travels
    # escaped; `str.splitlines` would cut a record at each of them.
    names = ["Siti\u2028Aminah", "Budi\x85Santoso", "Dewi\u2029Lestari\x1cPutri"]
    rows = [participant(full_name=name) for name in names]
    rows.append(participant(nik="12"))
    text = "".join(json.dumps(row, ensure_ascii=False) + "\r\n" for row in rows)
    assert "\u2028" in text and "\x85" in text
    path = tmp_path / "p.ndjson"
    path.write_bytes(text.encode("utf-8"))
    result = cli("import", "participants", path)
    assert summary(result.stdout) == {"loaded": 3, "duplicates": 0, "rejected": 1, "pending": 0}
    rejects = read_csv(tmp_path / "p.ndjson.rejects.csv")
    assert [(r["line"], r["column"]) for r in rejects] == [("4", "nik")]
    session.rollback()
    stored = session.scalars(select(Registration.full_name).order_by(Registration.id)).all()
    assert sorted(stored) == sorted(names)


def test_unusable_files_fail_with_one_line(cli, tmp_path):
    missing = cli("import", "participants", tmp_path / "nope.csv")
    assert missing.exit_code != 0
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr
    columns = [c for c in PARTICIPANT_COLUMNS if c != "kk_number"]
    headless = write_csv(tmp_path / "p.csv", columns, [participant()])
    result = cli("import", "participants", headless)
    assert result.exit_code != 0
    assert "missing column(s): kk_number" in result.stderr
    assert "Traceback" not in result.stderr
    unknown = cli("import", "pelatihan", headless)
    assert unknown.exit_code != 0 and "unknown kind" in unknown.stderr


def test_a_broken_file_loses_nothing_already_loaded(cli, tmp_path):
    good = write_csv(tmp_path / "good.csv", PARTICIPANT_COLUMNS, [participant()])
    assert summary(cli("import", "participants", good).stdout)["loaded"] == 1
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"nik,kk_number\n\xff\xfe\n")
    assert cli("import", "participants", broken).exit_code != 0
    assert summary(cli("import", "participants", good).stdout)["duplicates"] == 1


def test_unreadable_values_are_kept_for_selection(cli, tmp_path):
    odd = participant()
    odd.update(birth_date="07-08-1990", gender="W", monthly_income_idr="satu juta", phone="12345")
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [odd])
    result = cli("import", "participants", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 0, "rejected": 0, "pending": 0}
    assert "p.csv: line 2, column birth_date: must be a date YYYY-MM-DD (row kept)" in result.stderr
    warned = read_csv(tmp_path / "p.csv.warnings.csv")
    assert {(row["line"], row["column"]) for row in warned} >= {
        ("2", "birth_date"),
        ("2", "gender"),
        ("2", "monthly_income_idr"),
        ("2", "phone"),
    }


def test_waves_create_update_and_freeze(cli, tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        WAVE_COLUMNS,
        [wave_row(1, province="31", quota=2), wave_row(1, province="33", quota=1)],
    )
    assert summary(cli("import", "waves", path).stdout)["loaded"] == 2
    assert summary(cli("import", "waves", path).stdout)["duplicates"] == 2
    changed = write_csv(tmp_path / "w2.csv", WAVE_COLUMNS, [wave_row(1, province="31", quota=5)])
    assert summary(cli("import", "waves", changed).stdout)["loaded"] == 1
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    frozen = write_csv(tmp_path / "w3.csv", WAVE_COLUMNS, [wave_row(1, province="31", quota=7)])
    result = cli("import", "waves", frozen)
    assert summary(result.stdout)["rejected"] == 1
    assert "selected" in read_csv(tmp_path / "w3.csv.rejects.csv")[0]["reason"]


def test_wave_rows_are_checked(cli, tmp_path):
    rows = [
        wave_row(1, scheme="UNKNOWN_2099"),
        wave_row(2, opens_on="2020-05-10", closes_on="2020-05-01"),
        wave_row(3, province="3"),
        wave_row(4, quota=-1),
        wave_row(5, province="31"),
        wave_row(5, province="32", scheme="NORMAL_2023"),
    ]
    path = write_csv(tmp_path / "w.csv", WAVE_COLUMNS, rows)
    result = cli("import", "waves", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 0, "rejected": 5, "pending": 0}
    columns = [r["column"] for r in read_csv(tmp_path / "w.csv.rejects.csv")]
    assert columns == ["scheme", "closes_on", "province_code", "quota", "scheme"]


def test_registrations_for_a_selected_wave_are_rejected(cli, tmp_path):
    write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1)])
    cli("import", "waves", tmp_path / "w.csv")
    cli(
        "import",
        "participants",
        write_csv(tmp_path / "a.csv", PARTICIPANT_COLUMNS, [participant()]),
    )
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    late = write_csv(tmp_path / "b.csv", PARTICIPANT_COLUMNS, [participant()])
    result = cli("import", "participants", late)
    assert summary(result.stdout)["rejected"] == 1
    assert "already selected" in read_csv(tmp_path / "b.csv.rejects.csv")[0]["reason"]


def test_reimport_after_the_wave_was_selected_counts_duplicates(cli, tmp_path, session):
    from sqlalchemy import func, select

    from prakerja.registry.models import Registration

    write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, quota=2)])
    cli("import", "waves", tmp_path / "w.csv")
    people = [participant() for _ in range(4)]
    path = write_csv(tmp_path / "a.csv", PARTICIPANT_COLUMNS, [*people, people[0]])
    assert summary(cli("import", "participants", path).stdout)["loaded"] == 4
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0
    before = tmp_path / "before.csv"
    cli("export", "selection", "--wave", "1", "--out", before)

    again = cli("import", "participants", path)
    assert again.exit_code == 0, again.stderr
    assert summary(again.stdout) == {"loaded": 0, "duplicates": 5, "rejected": 0, "pending": 0}
    assert read_csv(tmp_path / "a.csv.rejects.csv") == []
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Registration)) == 4
    # Selecting again is refused as done, and the outcomes are those of the first draw.
    assert cli("waves", "select", "1", "--date", "2020-04-18").exit_code == 0
    after = tmp_path / "after.csv"
    cli("export", "selection", "--wave", "1", "--out", after)
    assert read_csv(after) == read_csv(before)


def test_exclusions_are_checked_and_deduplicated(cli, tmp_path):
    rows = [
        {"nik": "3302026105030004", "list_code": "STUDENT", "period": "2020-04", "source": "EMIS"},
        {"nik": "3302026105030004", "list_code": "STUDENT", "period": "2020-04", "source": "EMIS"},
        {"nik": "3302026105030004", "list_code": "PILOT", "period": "2020-04", "source": ""},
        {"nik": "3302026105030004", "list_code": "STUDENT", "period": "2020-13", "source": ""},
        {"nik": "33020261050300", "list_code": "STUDENT", "period": "2020-04", "source": ""},
    ]
    path = write_csv(tmp_path / "x.csv", EXCLUSION_COLUMNS, rows)
    result = cli("import", "exclusions", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 1, "rejected": 3, "pending": 0}
    assert [r["column"] for r in read_csv(tmp_path / "x.csv.rejects.csv")] == [
        "list_code",
        "period",
        "nik",
    ]


def test_a_wave_is_not_selected_before_it_closes(cli, tmp_path):
    waves = write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, closes_on="2020-04-16")])
    cli("import", "waves", waves)
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [participant()])
    cli("import", "participants", path)
    early = cli("waves", "select", "1", "--date", "2020-04-15")
    assert early.exit_code != 0
    assert early.stderr.strip() == (
        "error: wave 1 is still open for registration until 2020-04-16; "
        "select it on or after that day, not on 2020-04-15"
    )
    later = cli("waves", "select", "1", "--date", "2020-04-17")
    assert later.exit_code == 0 and "already selected" not in later.stdout


def test_odd_registrations_are_kept_with_a_warning_naming_line_and_column(cli, tmp_path):
    waves = write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1, closes_on="2020-04-16")])
    cli("import", "waves", waves)
    rows = [
        participant(),
        dict(participant(), province_code="99"),
        dict(participant(), wave="7"),
        dict(participant(), birth_date="1990-13-45"),
        dict(participant(), registered_at="2020-04-20T10:00:00+07:00"),
    ]
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, rows)
    result = cli("import", "participants", path)
    assert summary(result.stdout) == {"loaded": 5, "duplicates": 0, "rejected": 0, "pending": 0}
    warned = {(r["line"], r["column"]) for r in read_csv(tmp_path / "p.csv.warnings.csv")}
    assert warned == {
        ("3", "province_code"),
        ("4", "wave"),
        ("5", "birth_date"),
        ("6", "registered_at"),
    }
    assert "p.csv: line 5, column birth_date: must be a date YYYY-MM-DD (row kept)" in result.stderr
