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
from typing import Any

import pyarrow as pa

from prakerja.kit.nik import agreement_mask
from prakerja.registry.codes import HIT_WORKERS, LIST_REASON_PREFIX
from prakerja.registry.models import Outcome
from prakerja.schemes.model import Scheme
from prakerja.storage.duck import duckdb_connection, read_sql

_PACKAGE = "prakerja.registry"

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
    limit = {"limit": draw.scheme.family_card_limit}
    with duckdb_connection(_inputs(applicants, prior, barred, draw)) as connection:
        judged = connection.sql(
            read_sql(_PACKAGE, "eligibility"),
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
        winners = connection.sql(read_sql(_PACKAGE, "first_round"), params=limit).to_arrow_table()
        refill = _refill(connection, winners, draw)
        if refill:
            extra = pa.table({"registration_id": pa.array(sorted(refill), pa.int64())})
            winners = pa.concat_tables([winners.select(["registration_id"]), extra])
        connection.register("winners", winners.select(["registration_id"]))
        decided = connection.sql(
            read_sql(_PACKAGE, "outcome"),
            params={
                **limit,
                "selected": Outcome.SELECTED.value,
                "not_selected": Outcome.NOT_SELECTED.value,
            },
        ).to_arrow_table()
    return decided.cast(DECISION_SCHEMA)


def _inputs(
    applicants: pa.Table, prior: pa.Table, barred: pa.Table, draw: Draw
) -> dict[str, pa.Table]:
    """Return the tables the selection SQL reads, by the names it uses."""
    return {
        "applicants": _with_derived(applicants, draw.day),
        "prior": prior,
        "barred": barred,
        "list_order": pa.table(
            {
                "list_code": [code.value for code in draw.scheme.barring_lists],
                "position": list(range(len(draw.scheme.barring_lists))),
            }
        ),
        "hit_workers": pa.table({"status": [status.value for status in HIT_WORKERS]}),
        "places": pa.table(
            {"pool": list(draw.places), "capacity": list(draw.places.values())},
            schema=pa.schema([("pool", pa.string()), ("capacity", pa.int64())]),
        ),
    }


def _refill(connection: Any, winners: pa.Table, draw: Draw) -> set[int]:
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
    free = {pool: capacity - int(used.get(pool, 0)) for pool, capacity in draw.places.items()}
    if not any(count > 0 for count in free.values()):
        return set()
    waiting = connection.sql(
        read_sql(_PACKAGE, "waiting"), params={"limit": draw.scheme.family_card_limit}
    ).fetchall()
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
