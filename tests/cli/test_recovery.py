"""`prakerja export recoveries`: the contract's header even when empty, one-line errors."""

from tests.builders import read_csv


def test_export_recoveries_without_claims_writes_the_header_only(cli, tmp_path):
    out = tmp_path / "recoveries.csv"
    result = cli("export", "recoveries", "--date", "2020-06-01", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines() == [
        "claim_id,card_number,nik,amount_idr,repaid_idr,opened_on,due_on,status"
    ]
    assert read_csv(out) == []
    assert "recoveries 2020-06-01: 0 claim(s)" in result.stdout


def test_export_recoveries_refuses_a_malformed_date_in_one_line(cli, tmp_path):
    result = cli("export", "recoveries", "--date", "2020-02-30", "--out", tmp_path / "r.csv")
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error:")
    assert not (tmp_path / "r.csv").exists()
