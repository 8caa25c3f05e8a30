import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from prakerja.storage.duck import duckdb_connection, read_sql


def test_a_connection_sees_its_tables_and_is_closed_however_the_block_ends():
    table = pa.table({"n": [1, 2, 3]})
    kept = []

    def use_then_fail():
        with duckdb_connection({"numbers": table}) as connection:
            kept.append(connection)
            assert connection.sql("SELECT sum(n) FROM numbers").fetchall() == [(6,)]
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        use_then_fail()
    with pytest.raises(Exception, match="closed"):
        kept[0].sql("SELECT 1").fetchall()


def test_connections_do_not_see_each_others_tables():
    with (
        duckdb_connection({"mine": pa.table({"n": [1]})}),
        duckdb_connection() as other,
        pytest.raises(Exception, match="mine"),
    ):
        other.sql("SELECT * FROM mine").fetchall()


def test_rule_sql_is_read_from_the_domain_sql_folder():
    assert "INELIGIBLE_NIK" in read_sql("prakerja.registry", "eligibility")


def test_the_spill_folder_setting_is_where_duckdb_spills(tmp_path):
    probe = (
        "from prakerja.storage.duck import duckdb_connection\n"
        "with duckdb_connection() as c:\n"
        "    print(c.sql(\"SELECT current_setting('temp_directory')\").fetchall()[0][0])\n"
    )
    environment = {
        **os.environ,
        "PRAKERJA_DUCKDB_SPILL_DIR": str(tmp_path / "spill"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True
    )
    folder = Path(out.stdout.strip())
    assert folder.parent == tmp_path / "spill"
    assert folder.name.startswith("prakerja-duckdb-")
    assert not folder.exists()  # removed when the process ended
