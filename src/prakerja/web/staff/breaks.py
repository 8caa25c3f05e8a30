"""Breaks: a filterable list paginated in SQL, one break's page with its facts, resolving it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prakerja.audit.service import history
from prakerja.kit.errors import PrakerjaError
from prakerja.reconciliation.service import resolve_break
from prakerja.reconciliation.taxonomy import BUCKET_NAMES, BreakStatus, BreakType
from prakerja.reporting import staff as reads
from prakerja.web.auth import DbSession, ResolveBreaks, Staff, ViewBreaks, ViewOwnBreaks
from prakerja.web.staff.render import chosen_day, render

router = APIRouter(include_in_schema=False)


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _wave(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 7 else None


def _filter(
    session: DbSession,
    *,
    date: str | None,
    kind: str | None,
    partner: str | None,
    wave: str | None,
    age: str | None,
    status: str | None,
) -> reads.BreakFilter:
    statuses = tuple(s.value for s in BreakStatus)
    return reads.BreakFilter(
        day=chosen_day(date, reads.latest_day(session)),
        break_type=_choice(kind, tuple(t.value for t in BreakType)),
        partner_code=(partner or "")[:40] or None,
        wave=_wave(wave),
        age=_choice(age, BUCKET_NAMES),
        status=None if status == "ALL" else (_choice(status, statuses) or BreakStatus.OPEN.value),
    )


def _page(value: str | None) -> int:
    return min(max(int(value), 1), 100_000) if value and value.isdigit() and len(value) < 7 else 1


@router.get("/breaks", response_class=HTMLResponse)
def breaks_list(
    request: Request,
    *,
    session: DbSession,
    staff: ViewBreaks,
    date: str | None = None,
    type: str | None = None,
    partner: str | None = None,
    wave: str | None = None,
    age: str | None = None,
    status: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """Breaks narrowed by type, partner, wave, age and status; one page at a time."""
    chosen = _filter(
        session, date=date, kind=type, partner=partner, wave=wave, age=age, status=status
    )
    return _render_list(request, session, staff, chosen, _page(page), partners=None)


@router.get("/partner/breaks", response_class=HTMLResponse)
def partner_breaks(
    request: Request,
    *,
    session: DbSession,
    staff: ViewOwnBreaks,
    date: str | None = None,
    type: str | None = None,
    age: str | None = None,
    status: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """A partner's own breaks (its partner code, and no other's)."""
    chosen = _filter(session, date=date, kind=type, partner=None, wave=None, age=age, status=status)
    own = reads.BreakFilter(**(chosen.__dict__ | {"partner_code": staff.partner_code or "-"}))
    return _render_list(request, session, staff, own, _page(page), partners=[])


def _render_list(
    request: Request,
    session: DbSession,
    staff: Staff,
    chosen: reads.BreakFilter,
    page: int,
    *,
    partners: list[str] | None,
) -> HTMLResponse:
    rows, more = reads.breaks_page(session, chosen, page=page)
    return render(
        request,
        "staff/breaks.html",
        staff,
        chosen=chosen,
        rows=rows,
        page=page,
        more=more,
        partners=reads.break_partners(session) if partners is None else partners,
        types=[t.value for t in BreakType],
        buckets=BUCKET_NAMES,
        own=partners is not None,
    )


@router.get("/breaks/{break_id}", response_class=HTMLResponse)
def break_page(
    request: Request,
    *,
    session: DbSession,
    break_id: str,
    staff: ViewBreaks,
) -> HTMLResponse:
    """One break: both sides, the facts behind it, its history, and (for some roles) resolving."""
    return _render_break(request, session, staff, break_id[:40], error=None)


def _render_break(
    request: Request, session: DbSession, staff: Staff, break_id: str, *, error: str | None
) -> HTMLResponse:
    facts = reads.break_facts(session, break_id)
    if facts is None:
        return render(request, "staff/missing.html", staff, status_code=404)
    events = history(session, subject_type="break", subject_id=break_id)
    return render(
        request,
        "staff/break.html",
        staff,
        facts=facts,
        found=facts.found,
        events=events,
        error=error,
        status_code=422 if error else 200,
    )


@router.post("/breaks/{break_id}/resolve", response_class=HTMLResponse)
def resolve(
    request: Request,
    *,
    session: DbSession,
    break_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
    staff: ResolveBreaks,
) -> Response:
    """Resolve an open break with a written reason; the account's username is the actor."""
    try:
        resolve_break(session, break_id[:40], reason=reason, actor=staff.username)
    except PrakerjaError as refused:
        session.rollback()
        return _render_break(request, session, staff, break_id[:40], error=refused.message)
    session.commit()
    return RedirectResponse(f"/breaks/{break_id}", status_code=303)
