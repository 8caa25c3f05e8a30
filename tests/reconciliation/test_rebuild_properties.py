"""Property: whatever happens day after day, a rebuild from scratch gives the daily runs' breaks.

Facts may arrive late: a partner's result after the day it was processed, a
barring list after the payment it makes ineligible. The daily runs only knew
what had arrived; the rebuild must replay exactly that.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.reconciliation.service import rebuild, reconcile
from prakerja.reporting.breaks import breaks_as_of
from tests.conftest import empty_all_tables
from tests.reconciliation.factories import AMOUNT, D, World

START = D(2020, 5, 4)
DAY = dt.timedelta(days=1)

#: What may happen to one payment: (result kind, days after sending, days late it arrives).
outcomes = st.tuples(
    st.sampled_from(
        ["none", "success", "failed", "short", "elsewhere", "twice", "retry", "listed"]
    ),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=3),
)
programs = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2), outcomes), min_size=1, max_size=8
)


def _plant(world: World, day_sent: int, outcome: tuple[str, int, int]) -> dict[int, list]:
    """Add a payment sent on `day_sent`; return what arrives on later days."""
    kind, delay, late = outcome
    sent = START + day_sent * DAY
    card = world.card()
    batch = world.batch(day=sent, run=world._next())
    instruction = world.instruction(card, batch=batch, day=sent)
    world.debit_batch(batch, day=sent, amount=AMOUNT - (1000 if delay == 3 else 0))
    when = day_sent + delay
    later: dict[int, list] = {}

    def arrive(offset: int, action) -> None:
        later.setdefault(offset, []).append(action)

    results = {
        "success": lambda: world.result(instruction, day=START + when * DAY),
        "failed": lambda: world.result(instruction, day=START + when * DAY, status="FAILED"),
        "short": lambda: world.result(instruction, day=START + when * DAY, amount=AMOUNT - 1),
        "elsewhere": lambda: world.result(instruction, day=START + when * DAY, account="0899"),
    }
    if kind in results:
        arrive(when + late, results[kind])
    elif kind == "listed":
        arrive(when, results["success"])
        arrive(
            when + late + 1,
            lambda: world.exclusion(card, list_code="STUDENT", effective_from=START),
        )
    elif kind == "twice":
        arrive(when, lambda: world.result(instruction, day=START + when * DAY))
        arrive(when + 1, lambda: world.result(instruction, day=START + (when + 1) * DAY))
    elif kind == "retry":
        arrive(when, lambda: world.result(instruction, day=START + when * DAY, status="FAILED"))

        def retry() -> None:
            again = world.batch(day=START + (when + 1) * DAY, run=world._next())
            second = world.instruction(card, batch=again, day=START + (when + 1) * DAY, attempt=2)
            world.debit_batch(again, day=START + (when + 1) * DAY)
            world.result(second, day=START + (when + 2) * DAY)

        arrive(when + 1, retry)
    return later


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
def test_daily_runs_and_a_rebuild_agree(engine, session, program):
    session.rollback()
    empty_all_tables(engine)
    session.expire_all()
    world = World(session)
    arrivals: dict[int, list] = {}
    for day_sent, outcome in program:
        for offset, actions in _plant(world, day_sent, outcome).items():
            arrivals.setdefault(offset, []).extend(actions)
    session.commit()
    last = 10
    for offset in range(last + 1):
        for action in arrivals.get(offset, []):
            action()
        session.commit()
        reconcile(session, day=START + offset * DAY, actor="daily")
        session.commit()
    daily = breaks_as_of(session, day=START + last * DAY)
    rebuild(session, day=START + last * DAY, actor="rebuild")
    session.commit()
    rebuilt = breaks_as_of(session, day=START + last * DAY)
    session.rollback()
    assert rebuilt == daily
