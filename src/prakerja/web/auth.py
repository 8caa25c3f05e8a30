"""Who is signed in, and what they may do: the dependencies every staff route declares.

`require(Permission.X)` is the one way a route states its permission: an
anonymous visitor is sent to `/login` (303), a signed-in account whose role
lacks the permission gets 403, and a POST whose form does not carry the
session's CSRF token gets 403. Everything is read from the database on each
request (the cookie holds only an opaque id), so any number of workers agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from prakerja.accounts.permissions import Permission, allows
from prakerja.accounts.rules import csrf_matches, csrf_token
from prakerja.accounts.service import signed_in
from prakerja.storage.db import session_factory
from prakerja.web.i18n import LOCALES

#: The session cookie (HttpOnly, SameSite=Lax; Secure over HTTPS).
COOKIE = "prakerja_staff"
CSRF_FIELD = "csrf_token"


def db_session(request: Request) -> Iterator[Session]:
    """One database session per request, shared by the route and its dependencies."""
    with session_factory(request.app.state.engine)() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


@dataclass(frozen=True)
class Staff:
    """The signed-in account, as a page sees it."""

    username: str
    role: str
    partner_code: str | None
    token: str

    def can(self, permission: Permission) -> bool:
        """Whether this account's role holds a permission."""
        return allows(self.role, permission)

    @property
    def csrf(self) -> str:
        """The token every form of this session carries."""
        return csrf_token(self.token)


class StaffRefusal(HTTPException):
    """A staff page refused: 303 to the sign-in page, or 403 (rendered as a page)."""


def current_account(request: Request, session: DbSession) -> Staff | None:
    """Return the signed-in account of the request's cookie, or None."""
    token = request.cookies.get(COOKIE, "")
    account = signed_in(session, token) if token else None
    if account is None:
        return None
    return Staff(account.username, account.role, account.partner_code, token)


CurrentAccount = Annotated[Staff | None, Depends(current_account)]


def _sign_in_location(request: Request) -> str:
    """Where an anonymous visitor is sent: /login, back to the page after (GET only)."""
    location = "/login"
    if request.method == "GET":  # a form's target cannot be come back to
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location += "?next=" + quote(target, safe="")
    lang = request.query_params.get("lang")
    if lang in LOCALES:  # the sign-in page in the language asked for
        location += ("&" if "?" in location else "?") + f"lang={lang}"
    return location


class require:  # noqa: N801 - reads as a function at its call sites: Depends(require(...))
    """A dependency that lets through only signed-in accounts holding `permission`."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request, account: CurrentAccount) -> Staff:
        """Return the account, or refuse: 303 to /login when anonymous, else 403."""
        if account is None:
            location = _sign_in_location(request)
            raise StaffRefusal(status_code=303, headers={"Location": location})
        if not account.can(self.permission):
            raise StaffRefusal(status_code=403, detail="forbidden")
        if request.method == "POST":
            form = await request.form()
            given = form.get(CSRF_FIELD)
            if not isinstance(given, str) or not csrf_matches(account.token, given):
                raise StaffRefusal(status_code=403, detail="csrf")
        return account


#: The signed-in account, let through only when its role holds the permission named.
ViewOverview = Annotated[Staff, Depends(require(Permission.VIEW_OVERVIEW))]
ViewBreaks = Annotated[Staff, Depends(require(Permission.VIEW_BREAKS))]
ResolveBreaks = Annotated[Staff, Depends(require(Permission.RESOLVE_BREAKS))]
ViewOwnBreaks = Annotated[Staff, Depends(require(Permission.VIEW_OWN_BREAKS))]
ViewStories = Annotated[Staff, Depends(require(Permission.VIEW_STORIES))]
ViewWaves = Annotated[Staff, Depends(require(Permission.VIEW_WAVES))]
ViewRuns = Annotated[Staff, Depends(require(Permission.VIEW_RUNS))]
RunReconciliation = Annotated[Staff, Depends(require(Permission.RUN_RECONCILIATION))]
DownloadExports = Annotated[Staff, Depends(require(Permission.DOWNLOAD_EXPORTS))]
ManageAccounts = Annotated[Staff, Depends(require(Permission.MANAGE_ACCOUNTS))]
ViewStatistics = Annotated[Staff, Depends(require(Permission.VIEW_STATISTICS))]
ViewSignals = Annotated[Staff, Depends(require(Permission.VIEW_SIGNALS))]
ViewGrievances = Annotated[Staff, Depends(require(Permission.VIEW_GRIEVANCES))]
ResolveGrievances = Annotated[Staff, Depends(require(Permission.RESOLVE_GRIEVANCES))]
ViewRecoveries = Annotated[Staff, Depends(require(Permission.VIEW_RECOVERIES))]
ViewOwnUploads = Annotated[Staff, Depends(require(Permission.VIEW_OWN_UPLOADS))]
DownloadOwnInstructions = Annotated[Staff, Depends(require(Permission.DOWNLOAD_OWN_INSTRUCTIONS))]
