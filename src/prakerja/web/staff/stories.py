"""A participant's story, found by NIK, card number, voucher code or instruction id.

The search is a POST (the NIK stays out of addresses and access logs); a card
number may also be opened by address (`/participants/card/{card}`, the links
of the signals page). Every opening of a story is recorded in the audit trail:
who looked at whom.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from prakerja.audit.service import record
from prakerja.reporting.story import find_participant, participant_story
from prakerja.web.auth import DbSession, Staff, ViewStories
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)


@router.get("/participants", response_class=HTMLResponse)
def search_form(request: Request, staff: ViewStories) -> HTMLResponse:
    """The search form."""
    return render(request, "staff/search.html", staff, query="", missing=False)


@router.post("/participants", response_class=HTMLResponse)
def open_story(
    request: Request,
    *,
    session: DbSession,
    query: Annotated[str, Form(max_length=200)] = "",
    staff: ViewStories,
) -> HTMLResponse:
    """Find the person and show their story (masked per role); record who opened it."""
    return _open(request, session, staff, query[:80], searched_by=_kind(query.strip()))


@router.get("/participants/card/{card_number}", response_class=HTMLResponse)
def open_card(
    request: Request,
    *,
    session: DbSession,
    card_number: Annotated[str, Path(max_length=16, pattern=r"^[0-9]{1,16}$")],
    staff: ViewStories,
) -> HTMLResponse:
    """Open the story of a card number given in the address (a signal's link)."""
    return _open(request, session, staff, card_number, searched_by="card_link")


def _open(
    request: Request, session: DbSession, staff: Staff, query: str, *, searched_by: str
) -> HTMLResponse:
    """Find the person and show their story (masked per role); record who opened it."""
    nik = find_participant(session, query=query)
    if nik is None:
        return render(
            request, "staff/search.html", staff, query=query, missing=True, status_code=404
        )
    story = participant_story(session, nik=nik)
    record(
        session,
        action="participant.story_opened",
        subject_type="participant",
        subject_id=nik,
        actor=staff.username,
        details={"searched_by": searched_by},
    )
    session.commit()
    return render(request, "staff/story.html", staff, story=story)


def _kind(query: str) -> str:
    """What was searched by, without the value itself."""
    return "nik_or_card" if query.isdigit() and len(query) == 16 else "voucher_or_instruction"
