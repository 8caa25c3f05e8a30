"""`--db` before the command as well as after it, and one-line database errors."""

from pathlib import Path

from sqlalchemy import create_engine, inspect


def test_db_before_the_command_is_the_database_of_that_command(cli, tmp_path: Path):
    target = tmp_path / "chosen.db"
    done = cli("--db", f"sqlite:///{target}", "init", db=False)
    assert done.exit_code == 0, done.stderr
    assert "registrations" in inspect(create_engine(f"sqlite:///{target}")).get_table_names()


def test_the_commands_own_db_wins_and_the_choice_does_not_outlive_the_command(
    cli, tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    before, own = tmp_path / "before.db", tmp_path / "own.db"
    done = cli("--db", f"sqlite:///{before}", "init", "--db", f"sqlite:///{own}", db=False)
    assert done.exit_code == 0, done.stderr
    assert own.exists() and not before.exists()
    # The next command, given no --db at all, opens the default in the working directory.
    assert cli("init", db=False).exit_code == 0
    assert (tmp_path / "prakerja.db").exists() and not before.exists()


def test_a_database_that_cannot_be_opened_is_one_line_on_stderr(cli, tmp_path: Path):
    missing = tmp_path / "no-such-folder" / "x.db"
    done = cli("init", "--db", f"sqlite:///{missing}", db=False)
    assert done.exit_code != 0
    assert done.stderr.startswith("error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
