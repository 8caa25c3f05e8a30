"""Grievances: the participants' complaints, listed by status and resolved with a written reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prakerja.audit.service import history
from prakerja.kit.clock import jakarta_date, utc_now
from prakerja.kit.errors import PrakerjaError
from prakerja.participants.codes import GrievanceStatus
from prakerja.participants.service import grievance, grievances_page, resolve_grievance
from prakerja.web.auth import DbSession, ResolveGrievances, Staff, ViewGrievances
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATUSES = tuple(status.value for status in GrievanceStatus)


def _page(value: str | None) -> int:
    text = value or ""
    return min(max(int(text), 1), 100_000) if text.isdigit() and len(text) < 7 else 1


@router.get("/grievances", response_class=HTMLResponse)
def grievances_list(
    request: Request,
    session: DbSession,
    staff: ViewGrievances,
    status: Annotated[str | None, Query(max_length=10)] = None,
    page: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    """Grievances of one status (OPEN unless asked otherwise, or ALL), a page at a time."""
    chosen = None if status == "ALL" else (status if status in STATUSES else "OPEN")
    number = _page(page)
    rows, more = grievances_page(session, status=chosen, page=number, page_size=PAGE_SIZE)
    return render(
        request,
        "staff/grievances.html",
        staff,
        rows=rows,
        more=more,
        page=number,
        status=chosen or "ALL",
        statuses=(*STATUSES, "ALL"),
    )


@router.get("/grievances/{grievance_id}", response_class=HTMLResponse)
def grievance_page(
    request: Request, *, session: DbSession, grievance_id: str, staff: ViewGrievances
) -> HTMLResponse:
    """One grievance: the participant's words, its history and (for some roles) resolving."""
    return _render_one(request, session, staff, grievance_id[:24], error=None)


def _render_one(
    request: Request, session: DbSession, staff: Staff, grievance_id: str, *, error: str | None
) -> HTMLResponse:
    found = grievance(session, grievance_id=grievance_id)
    if found is None:
        return render(request, "staff/missing.html", staff, status_code=404)
    events = history(session, subject_type="grievance", subject_id=found.grievance_id)
    return render(
        request,
        "staff/grievance.html",
        staff,
        found=found,
        events=events,
        error=error,
        status_code=422 if error else 200,
    )


@router.post("/grievances/{grievance_id}/resolve", response_class=HTMLResponse)
def resolve(
    request: Request,
    *,
    session: DbSession,
    grievance_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
    staff: ResolveGrievances,
) -> Response:
    """Resolve an open grievance with a written reason; the account's username is the actor."""
    now = utc_now()
    try:
        resolve_grievance(
            session,
            grievance_id=grievance_id[:24],
            reason=reason,
            actor=staff.username,
            day=jakarta_date(now),
            now=now,
        )
    except PrakerjaError as refused:
        session.rollback()
        return _render_one(request, session, staff, grievance_id[:24], error=refused.message)
    session.commit()
    return RedirectResponse(f"/grievances/{grievance_id[:24]}", status_code=303)
