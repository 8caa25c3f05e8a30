"""Staff accounts (ADMIN): list, add (the password is shown once), disable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prakerja.accounts import service as accounts
from prakerja.accounts.permissions import Role
from prakerja.kit.errors import PrakerjaError
from prakerja.web.auth import DbSession, ManageAccounts, Staff
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    session: DbSession,
    staff: Staff,
    *,
    added: accounts.NewAccount | None = None,
    error: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "staff/accounts.html",
        staff,
        accounts=accounts.list_accounts(session),
        roles=[role.value for role in Role],
        added=added,
        error=error,
        status_code=422 if error else 200,
    )


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, session: DbSession, staff: ManageAccounts) -> HTMLResponse:
    """Every staff account and a form to add one."""
    return _page(request, session, staff)


@router.post("/accounts", response_class=HTMLResponse)
def add(
    request: Request,
    *,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    partner_code: Annotated[str, Form(max_length=40)] = "",
    staff: ManageAccounts,
) -> HTMLResponse:
    """Add an account; its password is shown on this answer only."""
    try:
        added = accounts.add_account(
            session,
            username=username,
            role=role,
            partner_code=partner_code.strip() or None,
            actor=staff.username,
        )
    except PrakerjaError as refused:
        session.rollback()
        return _page(request, session, staff, error=refused.message)
    session.commit()
    return _page(request, session, staff, added=added)


@router.post("/accounts/{username}/disable")
def disable(session: DbSession, username: str, staff: ManageAccounts) -> Response:
    """Disable an account and end its sessions."""
    try:
        accounts.disable_account(session, username=username[:64], actor=staff.username)
    except PrakerjaError:
        session.rollback()
        return RedirectResponse("/accounts", status_code=303)
    session.commit()
    return RedirectResponse("/accounts", status_code=303)
