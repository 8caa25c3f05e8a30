"""Files the product creates: atomic, private, never through a link, never over a database."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from prakerja.kit import files
from prakerja.kit.errors import InputError
from tests.builders import another_process_opens_and_closes


def test_a_file_is_created_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        files.write_csv(tmp_path / "out.csv", ["a"], [["1"]])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o600


def test_a_planted_link_is_replaced_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    said: list[str] = []
    files.write_csv(link, ["a"], [["1"]], notice=said.append)
    assert victim.read_text() == "keep me"
    assert not link.is_symlink() and link.read_bytes() == b"a\r\n1\r\n"
    assert said == [f"replaced the symbolic link {link} (the file it named is untouched)"]


def test_replacing_a_file_is_said_and_a_new_one_is_not(tmp_path):
    said: list[str] = []
    target = tmp_path / "out.csv"
    files.write_csv(target, ["a"], [], notice=said.append)
    assert said == []
    files.write_csv(target, ["a"], [], notice=said.append)
    assert said == [f"replaced the existing file {target}"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def rows():
        yield ["1"]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        files.write_csv(target, ["a"], rows())
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_database_is_never_overwritten(tmp_path):
    database = tmp_path / "other.db"
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    with pytest.raises(InputError, match="is a database; refusing to overwrite it"):
        files.write_csv(database, ["a"], [])
    in_use = tmp_path / "in-use.db"
    files.protect(in_use)
    with pytest.raises(InputError, match="is the database in use"):
        files.write_csv(in_use, ["a"], [])
    with pytest.raises(InputError, match="is the database in use"):
        files.write_csv(tmp_path / "in-use.db-wal", ["a"], [])


def test_the_database_in_use_is_never_opened_even_through_a_hard_link(tmp_path):
    database = tmp_path / "live.db"
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    files.protect(database)
    alias = tmp_path / "alias.db"
    os.link(database, alias)
    assert files.in_use(alias) and not files.in_use(tmp_path / "elsewhere.db")
    with pytest.raises(InputError, match="is the database in use; refusing to overwrite it"):
        files.write_csv(alias, ["a"], [])
    # Opening the file to read its first bytes would have dropped this process's locks:
    # another process closing its connection would then delete the log still in use.
    another_process_opens_and_closes(database)
    assert (tmp_path / "live.db-wal").exists()
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-13000", "-13000"),
        ("+6281234567", "+6281234567"),
        (-13000, "-13000"),
        ("Siti Aminah", "Siti Aminah"),
        (None, ""),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_kept(value, shown):
    assert files.people_cell(value) == shown


def test_machine_files_keep_every_value_exactly(tmp_path):
    target = tmp_path / "instructions.csv"
    files.write_csv(target, ["name", "amount"], [["=X", -5]], for_people=False)
    assert target.read_bytes() == b"name,amount\r\n=X,-5\r\n"
