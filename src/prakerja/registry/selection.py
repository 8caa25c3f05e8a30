"""Selection of a wave as pure, set-based rules: who is eligible, who gets the places.

`decide` takes the wave's applicants and what is already known (cards held,
barring lists in force, the quota pools) and returns one outcome and reason
per applicant. It runs as SQL over Arrow tables in an in-process DuckDB, so
a million applicants are decided in seconds, and it is reproducible: the
lottery order is SHA-256 of (seed, wave, NIK), which anyone holding the
published seed can recompute.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from prakerja.kit.nik import agreement_mask
from prakerja.registry.codes import FAMILY_CARD_LIMIT, HIT_WORKERS, LIST_REASON_PREFIX, Reason
from prakerja.registry.models import Outcome
from prakerja.schemes.model import Scheme

APPLICANT_SCHEMA = pa.schema(
    [
        ("registration_id", pa.int64()),
        ("nik", pa.string()),
        ("kk_number", pa.string()),
        ("birth_date", pa.date32()),
        ("gender", pa.string()),
        ("province_code", pa.string()),
        ("employment_status", pa.string()),
        ("monthly_income_idr", pa.int64()),
        ("registered_at", pa.timestamp("us", tz="UTC")),
    ]
)
PRIOR_CARD_SCHEMA = pa.schema([("nik", pa.string()), ("kk_number", pa.string())])
BARRED_SCHEMA = pa.schema([("nik", pa.string()), ("list_code", pa.string())])
DECISION_SCHEMA = pa.schema(
    [
        ("registration_id", pa.int64()),
        ("outcome", pa.string()),
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class Draw:
    """What selection needs besides the applicants: the day, the rules, the seed, the places."""

    wave: int
    day: dt.date
    scheme: Scheme
    seed: str
    places: dict[str, int]
    """Places per pool: a province code, or `*` for the national pool."""


_ELIGIBILITY_SQL = """
WITH listed AS (
    SELECT b.nik, min(l.position) AS position
    FROM barred b JOIN list_order l ON l.list_code = b.list_code
    GROUP BY b.nik
),
prior_family AS (
    SELECT a.registration_id, count(p.nik) AS prior_cards
    FROM applicants a JOIN prior p ON p.kk_number = a.kk_number AND p.nik <> a.nik
    GROUP BY a.registration_id
),
judged AS (
    SELECT
        a.registration_id, a.nik, a.kk_number, a.registered_at,
        CASE
            WHEN NOT a.nik_ok THEN 'INELIGIBLE_NIK'
            WHEN a.age < $min_age OR ($max_age IS NOT NULL AND a.age > $max_age)
                THEN 'INELIGIBLE_AGE'
        END AS pre_reason,
        CASE
            WHEN a.nik IN (SELECT nik FROM prior) THEN 'INELIGIBLE_ALREADY_ACCEPTED'
            WHEN $income_cap IS NOT NULL
                 AND (a.monthly_income_idr IS NULL OR a.monthly_income_idr > $income_cap)
                THEN 'INELIGIBLE_INCOME'
            WHEN l.position IS NOT NULL
                THEN $list_prefix || (SELECT list_code FROM list_order WHERE position = l.position)
        END AS post_reason,
        coalesce(f.prior_cards, 0) AS prior_cards,
        CASE
            WHEN a.province_code IN (SELECT pool FROM places) THEN a.province_code
            WHEN '*' IN (SELECT pool FROM places) THEN '*'
        END AS pool,
        a.employment_status IN (SELECT status FROM hit_workers) AS hit,
        sha256($seed || ':' || $wave || ':' || a.nik) AS lottery
    FROM applicants a
    LEFT JOIN listed l ON l.nik = a.nik
    LEFT JOIN prior_family f ON f.registration_id = a.registration_id
)
SELECT
    *,
    pre_reason IS NULL AND post_reason IS NULL AS candidate,
    row_number() OVER (
        PARTITION BY kk_number, (pre_reason IS NULL AND post_reason IS NULL)
        ORDER BY registered_at NULLS LAST, nik
    ) AS family_rank,
    row_number() OVER (
        PARTITION BY pool, (pre_reason IS NULL AND post_reason IS NULL)
        ORDER BY hit DESC, lottery
    ) AS pool_rank
FROM judged
"""


def _with_derived(applicants: pa.Table, day: dt.date) -> pa.Table:
    """Add the NIK check and the age on the selection day, computed over whole columns."""
    import pyarrow.compute as pc

    nik_ok = agreement_mask(applicants["nik"], applicants["birth_date"], applicants["gender"])
    years = pc.subtract(
        pa.scalar(day.year, pa.int64()), pc.cast(pc.year(applicants["birth_date"]), pa.int64())
    )
    birthday = pc.add(
        pc.multiply(pc.cast(pc.month(applicants["birth_date"]), pa.int64()), 100),
        pc.cast(pc.day(applicants["birth_date"]), pa.int64()),
    )
    before_birthday = pc.greater(birthday, day.month * 100 + day.day)
    age = pc.subtract(years, pc.cast(before_birthday, pa.int64()))
    return applicants.append_column("nik_ok", nik_ok).append_column("age", age)


def decide(applicants: pa.Table, prior: pa.Table, barred: pa.Table, draw: Draw) -> pa.Table:
    """Return one (registration_id, outcome, reason) per applicant, by the contract's rules."""
    connection = duckdb.connect()
    connection.register("applicants", _with_derived(applicants, draw.day))
    connection.register("prior", prior)
    connection.register("barred", barred)
    connection.register(
        "list_order",
        pa.table(
            {
                "list_code": [code.value for code in draw.scheme.barring_lists],
                "position": list(range(len(draw.scheme.barring_lists))),
            }
        ),
    )
    connection.register(
        "hit_workers", pa.table({"status": [status.value for status in HIT_WORKERS]})
    )
    connection.register(
        "places",
        pa.table(
            {"pool": list(draw.places), "capacity": list(draw.places.values())},
            schema=pa.schema([("pool", pa.string()), ("capacity", pa.int64())]),
        ),
    )
    judged = connection.sql(
        _ELIGIBILITY_SQL,
        params={
            "min_age": draw.scheme.age.minimum,
            "max_age": draw.scheme.age.maximum,
            "income_cap": draw.scheme.max_monthly_income_idr,
            "list_prefix": LIST_REASON_PREFIX,
            "seed": draw.seed,
            "wave": str(draw.wave),
        },
    ).to_arrow_table()
    connection.register("judged", judged)
    first_round = connection.sql(_FIRST_ROUND_SQL, params={"limit": FAMILY_CARD_LIMIT})
    winners = first_round.to_arrow_table()
    refill = _refill(connection, winners, draw.places)
    if refill:
        extra = pa.table({"registration_id": pa.array(sorted(refill), pa.int64())})
        winners = pa.concat_tables([winners.select(["registration_id"]), extra])
    connection.register("winners", winners.select(["registration_id"]))
    decided = connection.sql(_OUTCOME_SQL, params={"limit": FAMILY_CARD_LIMIT}).to_arrow_table()
    connection.close()
    return decided.cast(DECISION_SCHEMA)


_OUTCOME_SQL = f"""
WITH won AS (
    SELECT j.kk_number, count(*) AS cards FROM judged j JOIN winners w USING (registration_id)
    GROUP BY j.kk_number
)
SELECT
    j.registration_id,
    CASE
        WHEN w.registration_id IS NOT NULL THEN '{Outcome.SELECTED}'
        ELSE '{Outcome.NOT_SELECTED}'
    END AS outcome,
    CASE
        WHEN w.registration_id IS NOT NULL THEN NULL
        WHEN j.pre_reason IS NOT NULL THEN j.pre_reason
        WHEN j.prior_cards + coalesce(n.cards, 0) >= $limit THEN '{Reason.INELIGIBLE_FAMILY_LIMIT}'
        WHEN j.post_reason IS NOT NULL THEN j.post_reason
        ELSE '{Reason.QUOTA_FULL}'
    END AS reason
FROM judged j
LEFT JOIN winners w USING (registration_id)
LEFT JOIN won n ON n.kk_number = j.kk_number
ORDER BY j.registration_id
"""


_FIRST_ROUND_SQL = """
WITH cleared AS (
    SELECT registration_id, pool, pool_rank
    FROM judged
    WHERE candidate AND pool IS NOT NULL AND family_rank <= greatest(0, $limit - prior_cards)
),
placed AS (
    SELECT c.registration_id,
           row_number() OVER (PARTITION BY c.pool ORDER BY c.pool_rank) AS place,
           p.capacity
    FROM cleared c JOIN places p ON p.pool = c.pool
)
SELECT registration_id FROM placed WHERE place <= capacity
"""

_WAITING_SQL = """
WITH won AS (
    SELECT j.kk_number, count(*) AS wins
    FROM judged j JOIN winners w USING (registration_id)
    GROUP BY j.kk_number
)
SELECT j.registration_id, j.kk_number, j.pool, j.pool_rank, j.family_rank,
       greatest(0, $limit - j.prior_cards) AS slots, coalesce(w.wins, 0) AS wins
FROM judged j LEFT JOIN won w USING (kk_number)
WHERE j.candidate
  AND j.family_rank > greatest(0, $limit - j.prior_cards)
  AND coalesce(w.wins, 0) < greatest(0, $limit - j.prior_cards)
ORDER BY j.kk_number, j.family_rank
"""


def _refill(
    connection: duckdb.DuckDBPyConnection, winners: pa.Table, places: dict[str, int]
) -> set[int]:
    """Give freed family slots to the family's next members while their pool has places.

    In the first round each family put forward its earliest members (by
    registration time) for the slots it has, and they were placed in pool
    order (hit workers first, then the lottery). A member who found no place
    frees the slot for the next member; the freed members are placed, in pool
    order, in the places still free, round after round until nothing changes.
    Usually every pool is full after the first round and nothing is left to do.
    """
    connection.register("winners", winners.select(["registration_id"]))
    used = dict(
        connection.sql(
            "SELECT pool, count(*) FROM judged JOIN winners USING (registration_id) GROUP BY pool"
        ).fetchall()
    )
    free = {pool: capacity - int(used.get(pool, 0)) for pool, capacity in places.items()}
    if not any(count > 0 for count in free.values()):
        return set()
    waiting = connection.sql(_WAITING_SQL, params={"limit": FAMILY_CARD_LIMIT}).fetchall()
    members: dict[str, list[tuple[int, str | None, int]]] = defaultdict(list)
    open_slots: dict[str, int] = {}
    for registration_id, family, pool, pool_rank, _rank, slots, wins in waiting:
        members[family].append((registration_id, pool, pool_rank))
        open_slots[family] = slots - wins
    won: set[int] = set()
    while members:
        batch: list[tuple[int, str | None, int, str]] = []
        for family in list(members):
            take, members[family] = (
                members[family][: open_slots[family]],
                members[family][open_slots[family] :],
            )
            batch.extend((rid, pool, rank, family) for rid, pool, rank in take)
        for registration_id, pool, _rank, family in sorted(batch, key=lambda item: item[2]):
            if pool is not None and free.get(pool, 0) > 0:
                free[pool] -= 1
                open_slots[family] -= 1
                won.add(registration_id)
        members = {
            family: rest for family, rest in members.items() if rest and open_slots[family] > 0
        }
    return won
