"""The staff's recoveries page: claims with status and age, totals; NIK masked unless allowed."""

import pytest
from fastapi.testclient import TestClient

from prakerja.accounts.permissions import Role
from prakerja.kit.mask import mask_nik
from prakerja.reconciliation.service import reconcile
from prakerja.recovery.service import recoveries
from prakerja.server import create_service
from tests.reconciliation.factories import World
from tests.recovery.test_claims import PAID, ineligible
from tests.web.staff_helpers import accounts_of_every_role


@pytest.fixture
def claimed(session):
    world = World(session)
    for amount, partner in ((100_000, "OVO"), (250_000, "DANA")):
        ineligible(world, amount=amount, partner=partner)
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    return recoveries(session, day=PAID)


@pytest.fixture
def clients(engine, session):
    made = accounts_of_every_role(session)
    app = create_service(engine)
    signed = {}
    for role in (Role.OPERATOR, Role.FINANCE, Role.PARTNER):
        client = TestClient(app, follow_redirects=False)
        client.post("/login", data=dict(zip(("username", "password"), made[role], strict=True)))
        signed[role] = client
    return signed


def test_claims_show_status_age_and_totals_with_the_nik_masked_for_finance(clients, claimed):
    assert len(claimed) == 2
    finance = clients[Role.FINANCE].get("/recoveries?lang=en")
    assert finance.status_code == 200
    assert all(c.claim_id in finance.text for c in claimed)
    assert all(c.nik not in finance.text and mask_nik(c.nik) in finance.text for c in claimed)
    assert "Rp 350.000" in finance.text  # claimed in all
    assert "Not yet repaid" in finance.text
    operator = clients[Role.OPERATOR].get("/recoveries")
    assert all(c.nik in operator.text for c in claimed)
    assert "Tagihan" in operator.text


def test_the_status_filter_and_a_day_before_any_claim(clients, claimed):
    operator = clients[Role.OPERATOR]
    overdue = operator.get("/recoveries?status=OVERDUE&date=2020-05-05")
    assert all(c.claim_id not in overdue.text for c in claimed)
    late = operator.get("/recoveries?status=OVERDUE&date=2021-01-01")
    assert all(c.claim_id in late.text for c in claimed)
    assert claimed[0].claim_id not in operator.get("/recoveries?date=2020-01-01").text
    assert operator.get("/recoveries?status=nonsense&page=abc&date=x").status_code == 200
    assert clients[Role.PARTNER].get("/recoveries").status_code == 403
