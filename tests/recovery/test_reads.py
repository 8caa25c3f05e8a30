"""What the pages read: claims by status a page at a time, a card's claims, how to repay."""

from __future__ import annotations

import datetime as dt

import pytest

from prakerja.config import get_settings
from prakerja.kit.errors import InputError
from prakerja.reconciliation.service import reconcile
from prakerja.recovery import service as recovery
from prakerja.recovery.rules import ClaimStatus
from tests.recovery.conftest import statement_csv
from tests.recovery.test_claims import PAID, ineligible

D = dt.date


def _three_claims(world, session):
    cards = [
        ineligible(world, amount=100_000 * n, partner=p)[0]
        for n, p in ((1, "OVO"), (2, "DANA"), (3, "GOPAY"))
    ]
    reconcile(session, day=PAID, actor="tester")
    session.commit()
    return cards


def test_claims_come_a_page_at_a_time_and_by_status(world, session, cli, tmp_path):
    _three_claims(world, session)
    every = recovery.claims(session, as_of=PAID, page_size=2)
    assert (every.total, len(every.claims), every.page) == (3, 2, 1)
    rest = recovery.claims(session, as_of=PAID, page=2, page_size=2)
    assert len(rest.claims) == 1
    ids = [c.claim_id for c in every.claims + rest.claims]
    assert ids == sorted(ids)
    repaid = next(c for c in every.claims + rest.claims if c.amount_idr == 200_000)
    bank = statement_csv(
        tmp_path / "bank.csv",
        (D(2020, 6, 1), "BNI-R1", "REPAYMENT", 200_000, "CREDIT", repaid.claim_id),
    )
    assert cli("import", "bank-statement", bank).exit_code == 0
    late = D(2020, 7, 10)
    done = recovery.claims(session, as_of=late, status=ClaimStatus.REPAID)
    assert [c.claim_id for c in done.claims] == [repaid.claim_id]
    overdue = recovery.claims(session, as_of=late, status=ClaimStatus.OVERDUE)
    assert overdue.total == 2 and all(c.days_left == -6 for c in overdue.claims)
    assert recovery.claims(session, as_of=late, status=ClaimStatus.OPEN).total == 0
    assert recovery.claims(session, as_of=PAID - dt.timedelta(days=1)).total == 0


@pytest.mark.parametrize(("page", "size"), [(0, 10), (1, 0), (1, recovery.MAX_PAGE_SIZE + 1)])
def test_a_page_out_of_range_is_refused(session, page, size):
    with pytest.raises(InputError):
        recovery.claims(session, as_of=PAID, page=page, page_size=size)


def test_a_cards_claims_and_how_to_repay_them(world, session):
    cards = _three_claims(world, session)
    (claim,) = recovery.claims_for_card(session, card_number=cards[1], as_of=D(2020, 5, 15))
    assert (claim.card_number, claim.amount_idr, claim.outstanding_idr) == (
        cards[1],
        200_000,
        200_000,
    )
    assert (claim.age_days, claim.days_left, claim.status) == (10, 50, ClaimStatus.OPEN)
    assert (
        recovery.claims_for_card(session, card_number=cards[1], as_of=PAID - dt.timedelta(days=1))
        == []
    )
    assert recovery.claims_for_card(session, card_number="5200000000000000", as_of=PAID) == []
    how = recovery.how_to_repay(claim)
    assert (how.escrow_account, how.reference, how.amount_idr, how.due_on) == (
        get_settings().escrow_account,
        claim.claim_id,
        200_000,
        D(2020, 7, 4),
    )
