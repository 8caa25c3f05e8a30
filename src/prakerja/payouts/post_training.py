"""The post-training tranches a business day finds due: of every card, or of those that may change.

A card's first post-training tranche falls due on the day the last of these
became true - its first training completed, reviewed, a payout account
linked - and tranche k the scheme's interval x (k - 1) days later; each is
created once, by the first business day on or after its due day.

The day's time rules need not read every card. `post_training_next` holds,
for each card whose series is incomplete and whose next date is known, the
day the rule gives its next tranche as of the card's last evaluation. A card
whose facts did not change since (the caller hands over the changed ones;
a fact dated ahead counts from its day, so it is handed over that day) and
whose next tranche is not due yet gets nothing from the full rule either:
its facts as of the day are those it was evaluated on. So a day evaluates
the changed cards and those due by time alone, and stores their next days.
The first evaluation (no `time_rules_runs` row: a new or just migrated
database), one under other schemes, and one handed too many cards read every
card; one for a day before the latest evaluated reads every card and leaves
the stored days as they are (`create_post_training_due`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table
from sqlalchemy.orm import Session

from prakerja.payouts import repository
from prakerja.payouts.codes import IncentiveKind
from prakerja.payouts.entitlements import NEW_ENTITLEMENT_SCHEMA, add_entitlements
from prakerja.registry import service as registry
from prakerja.schemes.loader import all_schemes
from prakerja.storage.duck import duckdb_connection, read_sql
from prakerja.storage.scope import stage_keys
from prakerja.transactions.service import first_trainings

_PACKAGE = "prakerja.payouts"
_FIRST_LINK_SCHEMA = pa.schema([("card_number", pa.string()), ("linked_on", pa.date32())])
_TRANCHES_SCHEMA = pa.schema([("card_number", pa.string()), ("tranches", pa.int64())])
#: Beyond this many changed or due cards, reading every card is cheaper than staging them.
MOST_CARDS_STAGED = 200_000


def _scheme_table() -> pa.Table:
    schemes = all_schemes().values()
    return pa.table(
        {
            "scheme": [s.code for s in schemes],
            "amount_idr": pa.array(
                [s.post_training_incentive.amount_idr for s in schemes], pa.int64()
            ),
            "tranches": pa.array([s.post_training_incentive.tranches for s in schemes], pa.int64()),
            "interval_days": pa.array(
                [s.post_training_incentive.interval_days for s in schemes], pa.int64()
            ),
        }
    )


def _digest(schemes: pa.Table) -> str:
    text = json.dumps(schemes.to_pylist(), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _remaining(
    session: Session, *, day: dt.date, cards: Table | None, schemes: pa.Table
) -> pa.Table:
    """Every tranche not created yet of the cards (staged `cards`, or all), with its due day."""
    trainings = first_trainings(session, as_of=day, cards=cards)
    if trainings.num_rows == 0:
        return NEW_ENTITLEMENT_SCHEMA.empty_table()
    tables = {
        "trainings": trainings,
        "cards": registry.card_schemes(session, cards=cards),
        "links": repository.first_links(session, as_of=day, schema=_FIRST_LINK_SCHEMA, cards=cards),
        "have": repository.post_training_tranches(session, _TRANCHES_SCHEMA, cards=cards),
        "schemes": schemes,
    }
    most = max(schemes["tranches"].to_pylist(), default=1)
    with duckdb_connection(tables) as connection:
        rows = connection.sql(
            read_sql(_PACKAGE, "post_training_tranches"),
            params={"kind": IncentiveKind.POST_TRAINING.value, "most": most},
        ).to_arrow_table()
    return rows.cast(NEW_ENTITLEMENT_SCHEMA)


def _by(rows: pa.Table, day: dt.date, *, due: bool) -> pa.Table:
    compare = pc.less_equal if due else pc.greater
    return rows.filter(compare(rows["due_on"], pa.scalar(day, pa.date32())))


def _next_days(rows: pa.Table, day: dt.date) -> pa.Table:
    """Each card's first tranche falling due after `day` (`card_number`, `next_due_on`)."""
    later = _by(rows, day, due=False).group_by("card_number").aggregate([("due_on", "min")])
    return later.select(["card_number", "due_on_min"]).rename_columns(
        ["card_number", "next_due_on"]
    )


def post_training_due(session: Session, *, day: dt.date) -> pa.Table:
    """Return the post-training tranches fallen due by `day` that are not entitlements yet."""
    return _by(_remaining(session, day=day, cards=None, schemes=_scheme_table()), day, due=True)


def create_post_training_due(session: Session, *, day: dt.date) -> int:
    """Create every post-training entitlement fallen due by `day`, reading every card."""
    return add_entitlements(session, rows=post_training_due(session, day=day), day=day)


def evaluated_after(session: Session, *, day: dt.date) -> bool:
    """Whether the day's time rules evaluated the post-training tranches to a later day."""
    latest = repository.time_rules_run(session)
    return latest is not None and latest[0] > day


def advance_post_training(session: Session, *, day: dt.date, changed: pa.Array) -> int:
    """Create the post-training entitlements fallen due by `day`; return how many are new.

    `day` is not before the latest day evaluated; `changed` names the cards
    whose facts changed since they were last evaluated (due by `day`).
    """
    schemes = _scheme_table()
    digest = _digest(schemes)
    cards: Table | None = None
    latest = repository.time_rules_run(session)
    if latest is not None and latest[1] == digest:
        due = repository.next_due_cards(session, day=day)
        numbers = pc.unique(pa.concat_arrays([changed.cast(pa.string()), due]))
        if len(numbers) <= MOST_CARDS_STAGED:
            keys = pa.table({"card_number": numbers})
            cards = stage_keys(session, name="post_training_cards", keys=keys)
    rows = _remaining(session, day=day, cards=cards, schemes=schemes)
    created = add_entitlements(session, rows=_by(rows, day, due=True), day=day)
    repository.replace_next_due(session, _next_days(rows, day), cards=cards)
    repository.record_time_rules_run(session, day=day, schemes=digest)
    return created
