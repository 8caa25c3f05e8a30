"""Exports refuse a --out they cannot write in one line, before anything is reconciled."""

from __future__ import annotations

from sqlalchemy import func, select

from prakerja.reconciliation.models import ReconciliationRun
from tests.builders import read_csv

DAY = "2020-05-06"


def _runs(session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(ReconciliationRun)) or 0)


def _refused(result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_file_export_under_a_file_is_refused_before_reconciling(cli, session, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    for kind in ("breaks", "gap"):
        line = _refused(cli("export", kind, "--date", DAY, "--out", blocker / f"{kind}.csv"))
        assert str(blocker) in line and "Error" not in line
    assert _runs(session) == 0


def test_a_file_export_onto_a_folder_is_refused(cli, tmp_path):
    for kind in ("breaks", "gap"):
        line = _refused(cli("export", kind, "--date", DAY, "--out", tmp_path))
        assert "folder" in line and str(tmp_path) in line


def test_the_statement_folder_must_not_be_a_file(cli, session, tmp_path):
    blocker = tmp_path / "statement"
    blocker.write_text("x", encoding="utf-8")
    line = _refused(cli("export", "statement", "--date", DAY, "--out", blocker))
    assert str(blocker) in line and "Error" not in line
    assert _runs(session) == 0


def test_missing_folders_of_an_export_are_created(cli, tmp_path):
    out = tmp_path / "new" / "deeper" / "breaks.csv"
    done = cli("export", "breaks", "--date", DAY, "--out", out)
    assert done.exit_code == 0, done.stderr
    assert read_csv(out) == []
    folder = tmp_path / "new-statement"
    done = cli("export", "statement", "--date", DAY, "--out", folder)
    assert done.exit_code == 0, done.stderr
    assert sorted(p.suffix for p in folder.iterdir()) == [".pdf", ".xlsx"]
