"""Breaks: a filterable list paginated in SQL, one break's page with its facts, resolving it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from prakerja.audit.service import history
from prakerja.kit.errors import PrakerjaError
from prakerja.partners.service import disputes_of_breaks
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


class BreakQuery(BaseModel):
    """The breaks list's filters as the address gives them (each short; unknown values: any)."""

    date: str | None = Field(None, max_length=20)
    type: str | None = Field(None, max_length=40)
    partner: str | None = Field(None, max_length=40)
    wave: str | None = Field(None, max_length=10)
    age: str | None = Field(None, max_length=10)
    status: str | None = Field(None, max_length=10)
    page: str | None = Field(None, max_length=10)

    def chosen(self, session: Session, *, partner: str | None) -> reads.BreakFilter:
        """The filter these values ask for (a partner's own code replaces any partner asked)."""
        statuses = tuple(s.value for s in BreakStatus)
        return reads.BreakFilter(
            day=chosen_day(self.date, reads.latest_day(session)),
            break_type=_choice(self.type, tuple(t.value for t in BreakType)),
            partner_code=partner or self.partner or None,
            wave=_wave(self.wave),
            age=_choice(self.age, BUCKET_NAMES),
            status=None
            if self.status == "ALL"
            else (_choice(self.status, statuses) or BreakStatus.OPEN.value),
        )

    @property
    def page_number(self) -> int:
        """The page asked for (1 when missing or not a number)."""
        page = self.page or ""
        return min(max(int(page), 1), 100_000) if page.isdigit() and len(page) < 7 else 1


Filters = Annotated[BreakQuery, Query()]


@router.get("/breaks", response_class=HTMLResponse)
def breaks_list(
    request: Request, session: DbSession, staff: ViewBreaks, query: Filters
) -> HTMLResponse:
    """Breaks narrowed by type, partner, wave, age and status; one page at a time."""
    chosen = query.chosen(session, partner=None)
    return _render_list(request, session, staff, chosen, query.page_number, partners=None)


@router.get("/partner/breaks", response_class=HTMLResponse)
def partner_breaks(
    request: Request, session: DbSession, staff: ViewOwnBreaks, query: Filters
) -> HTMLResponse:
    """A partner's own breaks (its partner code, and no other's; no wave filter)."""
    own = query.model_copy(update={"wave": None})
    chosen = own.chosen(session, partner=staff.partner_code or "-")
    return _render_list(request, session, staff, chosen, query.page_number, partners=[])


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
    dispute = disputes_of_breaks(session, [break_id]).get(break_id)
    return render(
        request,
        "staff/break.html",
        staff,
        facts=facts,
        found=facts.found,
        events=events,
        dispute=dispute,
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
        resolve_break(session, break_id=break_id[:40], reason=reason, actor=staff.username)
    except PrakerjaError as refused:
        session.rollback()
        return _render_break(request, session, staff, break_id[:40], error=refused.message)
    session.commit()
    return RedirectResponse(f"/breaks/{break_id}", status_code=303)
