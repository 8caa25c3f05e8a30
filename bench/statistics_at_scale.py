"""Ranking, survey outcomes and the four integrity signals of a whole program, beside a baseline.

What is measured: N participants (default 5,600,000) with their cards,
registrations' phones, payout account links, purchases (one row per voucher,
the product's summary of ~20M platform events at full scale) and tracking
survey answers, as the Arrow tables the engine reads from the system of
record (reading them from SQLite or PostgreSQL is left out, as in the
reconciliation benchmark). Each approach runs in its own process, which loads
the tables from Feather files (not timed, but part of its peak memory), then:

- engine: `prakerja.statistics.engine.everything` - the ranking (all waves),
  the outcomes and the four signals with their ids, cards and evidence, as
  the exports write them;
- duckdb: one plain DuckDB script computing the same counts (participants per
  ranking category, respondents per survey, signals per type) without ids,
  card lists or evidence.

The counts must agree. Wall time is the computation only; peak memory is the
process's maximum resident set (inputs included).

    .venv/bin/python bench/statistics_at_scale.py                       # 5.6M participants
    .venv/bin/python bench/statistics_at_scale.py --participants 560000 # a tenth
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from statistics_data import STATISTICS_DAY, generate, load, save  # noqa: E402

WORK = HERE / "work" / "statistics"
APPROACHES = ("engine", "duckdb")
BASELINE = """
CREATE TEMP TABLE ft AS
    SELECT card_number, arg_min(course_code, (purchased_at, voucher_code)) AS course_code
    FROM vouchers WHERE purchased_on <= $day AND (refunded_on IS NULL OR refunded_on > $day)
    GROUP BY card_number;
CREATE TEMP TABLE kinds AS
    SELECT course_code, CASE WHEN count(*) > 1 THEN 'BUNDLE' ELSE min(category) END AS ranked_as
    FROM course_categories GROUP BY course_code;
"""
COUNTS = {
    "ranking": """SELECT k.ranked_as, count(*) FROM ft JOIN kinds k USING (course_code)
                  JOIN cards USING (card_number) GROUP BY 1""",
    "respondents": "SELECT survey_no, count(*) FROM answers WHERE submitted_on <= $day GROUP BY 1",
    "SHARED_ACCOUNT": """SELECT count(*) FROM (SELECT partner_code, account_id FROM account_links l
                  JOIN cards c USING (card_number) WHERE linked_on <= $day
                  GROUP BY ALL HAVING count(DISTINCT c.nik) >= 3)""",
    "SHARED_PHONE": """SELECT count(*) FROM (SELECT
                  CASE WHEN phone LIKE '0%' THEN '+62' || phone[2:] ELSE phone END AS p
                  FROM phones JOIN cards USING (nik)
                  GROUP BY p HAVING count(DISTINCT nik) >= 3)""",
    "FAST_COMPLETION": """SELECT count(*) FROM vouchers v JOIN courses k USING (course_code)
                  WHERE completed_on <= $day
                  AND completed_at - purchased_at < k.hours * INTERVAL 1 HOUR""",
    "SAME_PERSON": """SELECT count(*) FROM (SELECT upper(full_name), birth_date FROM cards
                  GROUP BY ALL HAVING count(DISTINCT nik) >= 2)""",
}


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _measure_engine(folder: Path) -> dict[str, object]:
    from prakerja.statistics.engine import everything

    tables = load(folder)
    start = time.perf_counter()
    found = everything(tables, day=STATISTICS_DAY)
    seconds = time.perf_counter() - start
    ranking = {r["category"]: r["participants"] for r in found.ranking.to_pylist()}
    respondents = {
        str(r["survey_no"]): r["respondents"]
        for r in found.outcomes.to_pylist()
        if r["category"] == "ALL"
    }
    signals = Counter(found.signals["signal_type"].to_pylist())
    return {
        "seconds": seconds,
        "counts": {
            "ranking": {k: v for k, v in ranking.items() if v},
            "respondents": respondents,
            **signals,
        },
        "rows": {
            "ranking": found.ranking.num_rows,
            "outcomes": found.outcomes.num_rows,
            "signals": found.signals.num_rows,
        },
    }


def _measure_duckdb(folder: Path) -> dict[str, object]:
    import tempfile

    import duckdb

    from prakerja.config import get_settings

    tables = load(folder)
    limit = get_settings().reconciliation_memory_limit
    with tempfile.TemporaryDirectory(prefix="baseline-duckdb-") as spill:
        connection = duckdb.connect(config={"memory_limit": limit, "temp_directory": spill})
        for name, table in tables.items():
            connection.register(name, table)
        start = time.perf_counter()
        for statement in BASELINE.split(";"):
            if statement.strip():
                connection.execute(
                    statement, {"day": STATISTICS_DAY} if "$day" in statement else None
                )
        counts: dict[str, object] = {}
        for name, query in COUNTS.items():
            params = {"day": STATISTICS_DAY} if "$day" in query else None
            rows = connection.execute(query, params).fetchall()
            counts[name] = {str(k): v for k, v in rows} if len(rows[0]) == 2 else rows[0][0]
        seconds = time.perf_counter() - start
        connection.close()
    counts = {k: v for k, v in counts.items() if v}
    return {"seconds": seconds, "counts": counts}


def _child(approach: str, folder: Path) -> None:
    measure = {"engine": _measure_engine, "duckdb": _measure_duckdb}
    result = measure[approach](folder)
    result["peak_gb"] = _peak_gb()
    print(json.dumps(result))


def _run(approach: str, folder: Path) -> dict[str, object]:
    child = subprocess.run(
        [sys.executable, __file__, "--measure", approach, "--work", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        return {"failed": (child.stderr.strip().splitlines() or ["crashed"])[-1]}
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5_600_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--measure", choices=APPROACHES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.work or WORK / str(args.participants)
    if args.measure:
        _child(args.measure, folder)
        return
    if not (folder / "complete").exists():
        start = time.perf_counter()
        tables = generate(args.participants)
        save(tables, folder)
        rows = {name: table.num_rows for name, table in tables.items()}
        (folder / "complete").write_text(json.dumps(rows))
        del tables
        print(f"generated in {time.perf_counter() - start:.1f}s (not part of any figure)")
    rows = json.loads((folder / "complete").read_text())
    print(
        f"{args.participants:,} participants: {rows['vouchers']:,} purchases, "
        f"{rows['answers']:,} survey answers, {rows['account_links']:,} account links, "
        f"{rows['phones']:,} registrations; as of {STATISTICS_DAY}; {os.cpu_count()} cores"
    )
    measured = {approach: _run(approach, folder) for approach in APPROACHES}
    print(f"{'approach':<8} {'seconds':>9} {'peak GB':>8}")
    for approach, result in measured.items():
        if "failed" in result:
            print(f"{approach:<8} {'-':>9} {'-':>8}  {result['failed']}")
            continue
        print(f"{approach:<8} {result['seconds']:>9.2f} {result['peak_gb']:>8.2f}")
    engine, baseline = measured["engine"], measured["duckdb"]
    if "counts" in engine:
        print("engine rows:", json.dumps(engine["rows"]))
        print("counts:", json.dumps(engine["counts"], sort_keys=True))
        if baseline.get("counts") != engine["counts"]:
            print("MISMATCH: duckdb counts", json.dumps(baseline.get("counts"), sort_keys=True))


if __name__ == "__main__":
    main()
