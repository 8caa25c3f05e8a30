"""Sign in at /login (a form), sign out at /logout; both open to everyone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from prakerja.accounts.permissions import home_path
from prakerja.accounts.rules import SESSION_LIFETIME, csrf_matches
from prakerja.accounts.service import sign_in, sign_out, signed_in
from prakerja.web.auth import COOKIE, CSRF_FIELD, CurrentAccount, DbSession
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)


def _local(target: str | None) -> str | None:
    """A `next` target only when it is a path on this site (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and len(target) < 500:
        return target
    return None


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, account: CurrentAccount, next: str | None = None) -> Response:
    """The sign-in form (a signed-in account goes straight to its first page)."""
    if account is not None:
        return RedirectResponse(_local(next) or home_path(account.role), status_code=303)
    return render(request, "staff/login.html", None, next=_local(next) or "", refused=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    *,
    session: DbSession,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password; after five failures in 15 minutes refuse for 15 minutes, whatever."""
    outcome = sign_in(session, username=username, password=password)
    session.commit()
    if outcome.token is None:
        return render(
            request,
            "staff/login.html",
            None,
            status_code=401 if outcome.refused == "wrong" else 429,
            next=_local(next) or "",
            refused=outcome.refused,
        )
    account = signed_in(session, outcome.token)
    assert account is not None
    response = RedirectResponse(_local(next) or home_path(account.role), status_code=303)
    response.set_cookie(
        COOKIE,
        outcome.token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, session: DbSession, account: CurrentAccount) -> Response:
    """End this browser's session (the form carries the session's CSRF token)."""
    if account is not None:
        form = await request.form()
        given = form.get(CSRF_FIELD)
        if isinstance(given, str) and csrf_matches(account.token, given):
            sign_out(session, account.token)
            session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
