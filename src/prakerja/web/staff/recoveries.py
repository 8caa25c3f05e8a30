"""Recovery claims of ineligible payments: each with its status and age, and the totals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from prakerja.recovery.rules import STATUS_LABELS, ClaimStatus
from prakerja.recovery.service import claims, recovery_totals
from prakerja.reporting.staff import latest_day
from prakerja.web.auth import DbSession, ViewRecoveries
from prakerja.web.staff.render import chosen_day, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _page(value: str | None) -> int:
    text = value or ""
    return min(max(int(text), 1), 100_000) if text.isdigit() and len(text) < 7 else 1


@router.get("/recoveries", response_class=HTMLResponse)
def recoveries_page(
    request: Request,
    *,
    session: DbSession,
    staff: ViewRecoveries,
    date: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    """The claims as of a day (the latest reconciled by default), of one status or all."""
    day = chosen_day(date, latest_day(session))
    chosen = ClaimStatus(status) if status in set(ClaimStatus) else None
    found = claims(session, as_of=day, status=chosen, page=_page(page), page_size=PAGE_SIZE)
    return render(
        request,
        "staff/recoveries.html",
        staff,
        day=day,
        status=chosen.value if chosen else "",
        statuses={s.value: label for s, label in STATUS_LABELS.items()},
        found=found,
        more=found.page * found.page_size < found.total,
        totals=recovery_totals(session, day=day),
    )
