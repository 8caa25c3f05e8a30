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
    winners = _allocate(judged, draw.places)
    connection.register("judged", judged)
    connection.register(
        "winners", pa.table({"registration_id": pa.array(sorted(winners), pa.int64())})
    )
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


def _allocate(judged: pa.Table, places: dict[str, int]) -> set[int]:
    """Give places to candidates: family slots by registration time, then pool order.

    A family card may hold two cards in all. In each round every family puts
    forward its next members (in order of registration) for the slots it
    still has; they are placed in pool order (hit workers first, then the
    lottery) while their pool has places. A member who finds no place frees
    the slot for the next member in the following round, until no family has
    anyone left to put forward.
    """
    import pyarrow.compute as pc

    candidates = judged.filter(pc.field("candidate")).sort_by(
        [("kk_number", "ascending"), ("family_rank", "ascending")]
    )
    ids = candidates["registration_id"].to_pylist()
    families = candidates["kk_number"].to_pylist()
    pools = candidates["pool"].to_pylist()
    pool_ranks = candidates["pool_rank"].to_pylist()
    slots: dict[str, int] = {}
    members: dict[str, list[int]] = defaultdict(list)
    for index, (family, prior) in enumerate(
        zip(families, candidates["prior_cards"].to_pylist(), strict=True)
    ):
        slots[family] = max(0, FAMILY_CARD_LIMIT - prior)
        members[family].append(index)
    free = dict(places)
    wins: dict[str, int] = defaultdict(int)
    put_forward: dict[str, int] = defaultdict(int)
    won: set[int] = set()
    active = [family for family in members if slots[family] > 0]
    while active:
        batch: list[int] = []
        for family in active:
            start = put_forward[family]
            taken = members[family][start : start + slots[family] - wins[family]]
            put_forward[family] = start + len(taken)
            batch.extend(taken)
        for index in sorted(batch, key=lambda i: pool_ranks[i]):
            pool = pools[index]
            if pool is not None and free.get(pool, 0) > 0:
                free[pool] -= 1
                won.add(index)
                wins[families[index]] += 1
        active = [
            family
            for family in {families[i] for i in batch}
            if wins[family] < slots[family] and put_forward[family] < len(members[family])
        ]
    return {ids[i] for i in won}
