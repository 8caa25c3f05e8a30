"""The demo's recovery: repayments a week after the first claims open, and the closing totals."""

import datetime as dt

from rich.console import Console

from prakerja.demo.recovery import plant_repayments, show_recoveries
from prakerja.reconciliation.service import reconcile
from prakerja.recovery import service as recovery
from tests.builders import read_csv
from tests.reconciliation.factories import World
from tests.recovery.test_claims import PAID, ineligible

WEEK_LATER = PAID + dt.timedelta(days=7)


def test_the_demo_plants_each_kind_of_repayment_once_and_ends_with_the_totals(
    engine, session, tmp_path
):
    world = World(session)
    for partner in ("OVO", "DANA", "GOPAY"):
        ineligible(world, partner=partner)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    assert plant_repayments(engine, tmp_path, WEEK_LATER - dt.timedelta(days=1)) is None
    planted = plant_repayments(engine, tmp_path, WEEK_LATER)
    assert planted is not None and (planted.loaded, planted.rejected) == (4, 0)
    assert plant_repayments(engine, tmp_path, WEEK_LATER + dt.timedelta(days=7)) is None
    totals = recovery.recovery_totals(session, day=WEEK_LATER)
    assert totals.by_status == {"OPEN": 1, "OVERDUE": 0, "REPAID": 2}
    assert (totals.amount_idr, totals.repaid_idr) == (1_800_000, 300_000 + 600_000 + 650_000)
    assert (totals.outstanding_idr, totals.excess_idr, totals.unknown_idr) == (
        300_000,
        50_000,
        100_000,
    )
    path = show_recoveries(Console(file=None, width=100), engine, WEEK_LATER, tmp_path)
    rows = read_csv(path)
    assert sorted(row["status"] for row in rows) == ["OPEN", "REPAID", "REPAID"]
    assert sum(int(row["repaid_idr"]) for row in rows) == 1_550_000
