"""The two baselines of the at-scale benchmark: the same comparison, by hand.

Both find the payment and batch breaks of the engine (counts per type) from
the same Arrow tables: once as a single hand-written DuckDB query over the
same joins (the practical limit of the engine's approach), once with pandas
merges and group-bys (the usual way such a comparison is written). Neither
keeps break ids, reasons, a store or the gap report: they are lower bounds.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

BASELINE_SQL = """
WITH joined AS (
    SELECT
        i.instruction_id IS NOT NULL AS issued,
        r.instruction_id IS NOT NULL AS answered,
        i.entitlement_id, i.card_number, i.created_on,
        i.amount_idr AS expected, r.amount_idr AS reported,
        r.account_id = i.account_id AS same_account,
        r.status, r.processed_on
    FROM (SELECT * FROM instructions WHERE created_on <= $day) AS i
    FULL OUTER JOIN (SELECT * FROM results WHERE processed_on <= $day) AS r
        ON r.instruction_id = i.instruction_id AND r.partner_code = i.partner_code
),
per_entitlement AS (
    SELECT entitlement_id,
        count(*) FILTER (WHERE status = 'SUCCESS') AS successes,
        count(*) FILTER (WHERE status = 'FAILED') AS failures
    FROM joined WHERE issued AND answered
    GROUP BY entitlement_id
),
barred AS (
    SELECT c.card_number, min(e.effective_from) AS barred_from
    FROM cards AS c JOIN exclusions AS e ON e.nik = c.nik
    GROUP BY c.card_number
),
debits AS (
    SELECT batch_id, sum(amount_idr) AS debited FROM bank_lines
    WHERE direction = 'DEBIT' AND statement_date <= $day GROUP BY batch_id
),
sent AS (
    SELECT batch_id, any_value(created_on) AS created_on, sum(amount_idr) AS total
    FROM instructions WHERE created_on <= $day GROUP BY batch_id
)
SELECT 'MISSING_RESULT', count(*) FROM joined
    WHERE issued AND NOT answered AND datediff('day', created_on, $day) > 1
UNION ALL SELECT 'FAILED_PAYMENT', count(*) FROM per_entitlement
    WHERE failures > 0 AND successes = 0
UNION ALL SELECT 'AMOUNT_MISMATCH', count(*) FROM joined
    WHERE issued AND status = 'SUCCESS' AND reported <> expected
UNION ALL SELECT 'ACCOUNT_MISMATCH', count(*) FROM joined
    WHERE issued AND status = 'SUCCESS' AND NOT same_account
UNION ALL SELECT 'DUPLICATE_PAYMENT', coalesce(sum(successes - 1), 0) FROM per_entitlement
    WHERE successes > 1
UNION ALL SELECT 'UNKNOWN_PAYMENT', count(*) FROM joined WHERE NOT issued
UNION ALL SELECT 'INELIGIBLE_PAYMENT', count(*) FROM joined AS j
    JOIN barred AS b ON b.card_number = j.card_number
    WHERE j.issued AND j.status = 'SUCCESS' AND b.barred_from <= j.processed_on
UNION ALL SELECT 'BATCH_TOTAL_MISMATCH', count(*)
    FROM sent AS s LEFT JOIN debits AS d USING (batch_id)
    WHERE (d.debited IS NULL AND datediff('day', s.created_on, $day) > 1) OR d.debited <> s.total
"""


def duckdb_counts(
    tables: dict[str, pa.Table], day: dt.date, config: dict[str, str] | None = None
) -> dict[str, int]:
    """Count the breaks per type with one hand-written DuckDB query (`config`: DuckDB's)."""
    import duckdb

    connection = duckdb.connect(config=config or {})
    for name in ("instructions", "results", "cards", "exclusions", "bank_lines"):
        connection.register(name, tables[name])
    rows = connection.execute(BASELINE_SQL, {"day": day}).fetchall()
    connection.close()
    return {kind: int(count) for kind, count in rows}


def pandas_counts(tables: dict[str, object], day: dt.date) -> dict[str, int]:
    """Count the breaks per type with pandas merges and group-bys (DataFrames given)."""
    import pandas as pd

    instructions: pd.DataFrame = tables["instructions"]  # type: ignore[assignment]
    results: pd.DataFrame = tables["results"]  # type: ignore[assignment]
    cards: pd.DataFrame = tables["cards"]  # type: ignore[assignment]
    exclusions: pd.DataFrame = tables["exclusions"]  # type: ignore[assignment]
    bank: pd.DataFrame = tables["bank_lines"]  # type: ignore[assignment]
    day_ts = pd.Timestamp(day)
    sent = instructions[instructions["created_on"] <= day_ts]
    answers = results[results["processed_on"] <= day_ts]
    joined = sent.merge(
        answers,
        on=["instruction_id", "partner_code"],
        how="outer",
        suffixes=("", "_r"),
        indicator=True,
    )
    issued = joined["_merge"] != "right_only"
    success = issued & (joined["status"] == "SUCCESS")
    answered = joined.loc[issued & joined["status"].notna(), ["card_number", "kind", "tranche"]]
    answered = answered.assign(
        successes=(joined["status"] == "SUCCESS").astype("int32"),
        failures=(joined["status"] == "FAILED").astype("int32"),
    )
    per = answered.groupby(["card_number", "kind", "tranche"], observed=True).sum()
    barred = cards.merge(exclusions, on="nik").groupby("card_number")["effective_from"].min()
    paid = joined[success]
    paid_barred = paid.merge(barred.rename("barred_from"), left_on="card_number", right_index=True)
    debits = bank[(bank["direction"] == "DEBIT") & (bank["statement_date"] <= day_ts)]
    debited = debits.groupby("batch_id")["amount_idr"].sum()
    batches = sent.groupby("batch_id").agg(
        created_on=("created_on", "first"), total=("amount_idr", "sum")
    )
    batches = batches.join(debited.rename("debited"), how="left")
    age = (day_ts - joined["created_on"]).dt.days
    batch_age = (day_ts - batches["created_on"]).dt.days
    return {
        "MISSING_RESULT": int((issued & joined["partner_txn_id"].isna() & (age > 1)).sum()),
        "FAILED_PAYMENT": int(((per["failures"] > 0) & (per["successes"] == 0)).sum()),
        "AMOUNT_MISMATCH": int((success & (joined["amount_idr_r"] != joined["amount_idr"])).sum()),
        "ACCOUNT_MISMATCH": int((success & (joined["account_id_r"] != joined["account_id"])).sum()),
        "DUPLICATE_PAYMENT": int((per["successes"][per["successes"] > 1] - 1).sum()),
        "UNKNOWN_PAYMENT": int((~issued).sum()),
        "INELIGIBLE_PAYMENT": int(
            (paid_barred["barred_from"] <= paid_barred["processed_on"]).sum()
        ),
        "BATCH_TOTAL_MISMATCH": int(
            (
                (batches["debited"].isna() & (batch_age > 1))
                | (batches["debited"].notna() & (batches["debited"] != batches["total"]))
            ).sum()
        ),
    }
