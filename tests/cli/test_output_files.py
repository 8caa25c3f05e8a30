"""Outputs land only where asked: never over the database, never through a link, private.

The database in use is never opened as a file by the product (nor by these tests): that
would drop the process's locks on it, and another process closing its connection would
then delete the write-ahead log in use (kit/files.py).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.builders import (
    PARTICIPANT_COLUMNS,
    WAVE_COLUMNS,
    another_process_opens_and_closes,
    participant,
    read_csv,
    wave_row,
    write_csv,
)


@pytest.fixture
def selected_wave(cli, tmp_path):
    waves = write_csv(tmp_path / "w.csv", WAVE_COLUMNS, [wave_row(1)])
    assert cli("import", "waves", waves).exit_code == 0
    hostile = participant(full_name='=HYPERLINK("http://evil.example","klik")')
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [hostile, participant()])
    assert cli("import", "participants", path).exit_code == 0
    assert cli("waves", "select", "1", "--date", "2020-04-17").exit_code == 0


def test_export_cards_never_overwrites_the_database_in_use(cli, selected_wave, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the database in use is a file only on SQLite")
    database = Path(database_url.removeprefix("sqlite:///"))
    before = database.stat().st_ino
    result = cli("export", "cards", "--wave", "1", "--out", database)
    assert result.exit_code != 0
    assert "is the database in use; refusing to overwrite it" in result.stderr
    assert database.stat().st_ino == before  # not replaced (an output is renamed into place)


def test_the_database_in_use_is_never_read_as_a_file_to_import(cli, engine, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the database in use is a file only on SQLite")
    database = Path(database_url.removeprefix("sqlite:///"))
    with engine.connect() as connection:  # this process holds the database open, as a server does
        connection.exec_driver_sql("SELECT 1")
    result = cli("import", "participants", database)
    assert result.exit_code != 0
    assert "is the database in use; refusing to import it" in result.stderr
    # Had the import opened the file, this process's locks would be gone, and the other
    # process, closing what it takes for the last connection, would delete the log in use.
    another_process_opens_and_closes(database)
    assert database.with_name(database.name + "-wal").exists()


def test_export_never_overwrites_another_database(cli, selected_wave, tmp_path):
    import sqlite3

    other = tmp_path / "prakerja.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    result = cli("export", "selection", "--wave", "1", "--out", other)
    assert result.exit_code != 0 and "is a database; refusing" in result.stderr


def test_cards_export_neutralises_formulas_and_is_private(cli, selected_wave, tmp_path):
    out = tmp_path / "cards.csv"
    first = cli("export", "cards", "--wave", "1", "--out", out)
    assert first.exit_code == 0 and "replaced" not in first.stderr
    names = {row["full_name"] for row in read_csv(out)}
    assert names == {'\'=HYPERLINK("http://evil.example","klik")', "Siti Aminah"}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    again = cli("export", "cards", "--wave", "1", "--out", out)
    assert f"replaced the existing file {out}" in again.stderr


def test_a_planted_rejects_link_never_writes_its_target(cli, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = write_csv(tmp_path / "p.csv", PARTICIPANT_COLUMNS, [participant(nik="123")])
    (tmp_path / "p.csv.rejects.csv").symlink_to(victim)
    result = cli("import", "participants", path)
    assert result.exit_code == 0
    assert victim.read_text() == "precious"
    assert not (tmp_path / "p.csv.rejects.csv").is_symlink()
    assert read_csv(tmp_path / "p.csv.rejects.csv")[0]["column"] == "nik"
    assert "replaced the symbolic link" in result.stderr
