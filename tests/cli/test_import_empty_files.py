"""A file with nothing to load (a header only, or no JSON line) loads nothing and exits 0.

Partners send such files on quiet days: a payment partner whose every
instruction of the day is still being processed, a platform with no sales.
"""

import pytest

from prakerja.ingest.kinds import LOADERS, loader_for


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_header_only_csv_loads_nothing(cli, tmp_path, kind):
    columns = [spec.name for spec in loader_for(kind).fields]
    path = tmp_path / f"{kind}.csv"
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    result = cli("import", kind, path)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().endswith("loaded=0 duplicates=0 rejected=0 pending=0")


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_an_empty_jsonl_file_loads_nothing(cli, tmp_path, kind):
    path = tmp_path / f"{kind}.jsonl"
    path.write_text("", encoding="utf-8")
    result = cli("import", kind, path)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().endswith("loaded=0 duplicates=0 rejected=0 pending=0")


def test_a_jsonl_file_whose_every_line_is_refused_reports_them_and_exits_0(cli, tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"platform_code": "TOKOPEDIA",\n[1, 2]\n', encoding="utf-8")
    result = cli("import", "platform-events", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("loaded=0 duplicates=0 rejected=2 pending=0")
    rejects = (tmp_path / "events.jsonl.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0].startswith("line,column,reason")
    assert [row.split(",")[0] for row in rejects[1:]] == ["1", "2"]
