"""Shared test ground for the staff pages: accounts of every role, one break to resolve."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from prakerja.accounts.permissions import Role
from prakerja.accounts.service import add_account
from prakerja.kit.clock import utc_now
from prakerja.reconciliation.models import Break, ReconciliationRun
from prakerja.web.auth import require

if TYPE_CHECKING:
    from playwright.sync_api import Page

DAY = dt.date(2020, 6, 1)


def accounts_of_every_role(session: Session) -> dict[Role, tuple[str, str]]:
    """One account per role: role -> (username, password)."""
    made = {}
    for role in Role:
        added = add_account(
            session,
            username=f"{role.value.lower()}1",
            role=role.value,
            partner_code="BANKX" if role is Role.PARTNER else None,
            actor="test",
        )
        made[role] = (added.username, added.password)
    session.commit()
    return made


def one_open_break(session: Session, break_id: str = "BRK-0001") -> str:
    """A daily run and one open MISSING_RESULT break of partner BANKX."""
    now = utc_now()
    session.add(
        ReconciliationRun(
            business_date=DAY,
            mode="DAILY",
            actor="test",
            started_at=now,
            finished_at=now,
            opened=1,
            resolved=0,
            open_after=1,
            details={
                "open_by_type": {"MISSING_RESULT": 1},
                "gap": [
                    {"stage": "PAID", "participants": 3, "amount_idr": 1_800_000},
                    {"stage": "IN_FLIGHT", "participants": 1, "amount_idr": 600_000},
                ],
                "escrow": {
                    "closing_idr": 5_000_000,
                    "funded_idr": 7_400_000,
                    "paid_idr": 1_800_000,
                    "in_flight_idr": 600_000,
                    "ledger_idr": 5_000_000,
                    "difference_idr": 0,
                },
            },
        )
    )
    session.add(
        Break(
            break_id=break_id,
            break_type="MISSING_RESULT",
            break_key="INS-1",
            occurrence=1,
            partner_code="BANKX",
            instruction_id="INS-1",
            expected_amount_idr=600_000,
            fact_on=DAY - dt.timedelta(days=2),
            reason="no result after 2 days",
            detected_on=DAY,
            status="OPEN",
            still_holds=True,
        )
    )
    session.commit()
    return break_id


def declared_permissions(route: APIRoute) -> list[object]:
    """The `require(...)` dependencies a route declares, however deep."""
    found = []
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if isinstance(dependency.call, require):
            found.append(dependency.call.permission)
        pending.extend(dependency.dependencies)
    return found


def all_routes(routes: list[object]) -> list[object]:
    """Every route of an app, looking inside included routers."""
    flat: list[object] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            flat.extend(all_routes(list(inner.routes)))
        else:
            flat.append(route)
    return flat


def click_through(page: Page, target: str) -> None:
    """Click a link or a form's submit button; return once the page it leads to has loaded.

    A click returns as soon as its navigation has started: the page read right
    after it was now and then the empty document of the answer still loading.
    """
    with page.expect_navigation():
        page.click(target)


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the login page; return on the page it leads to."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    click_through(page, "button[type=submit]")
