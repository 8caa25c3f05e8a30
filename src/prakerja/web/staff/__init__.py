"""The staff web application: sign-in, overview, breaks, participants, waves, runs, downloads.

Also the statistics and signals, grievances, recoveries, and a partner's own pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from prakerja.accounts.permissions import home_path
from prakerja.web.auth import StaffRefusal, current_account
from prakerja.web.staff import (
    accounts,
    breaks,
    downloads,
    grievances,
    overview,
    partner,
    recoveries,
    runs,
    signin,
    statistics,
    stories,
    waves,
)

ROUTERS = (
    signin.router,
    overview.router,
    breaks.router,
    stories.router,
    waves.router,
    runs.router,
    downloads.router,
    accounts.router,
    statistics.router,
    grievances.router,
    recoveries.router,
    partner.router,
)


async def _refused(request: Request, refusal: Exception) -> Response:
    """Send an anonymous visitor to /login; show a readable page for a 403."""
    from prakerja.storage.db import session_factory
    from prakerja.web.staff.render import render

    assert isinstance(refusal, StaffRefusal)
    if refusal.status_code == 303:
        return RedirectResponse(refusal.headers["Location"] if refusal.headers else "/login", 303)
    with session_factory(request.app.state.engine)() as session:
        staff = current_account(request, session)
    home = home_path(staff.role) if staff else "/login"
    return render(
        request, "staff/refused.html", staff, status_code=403, reason=refusal.detail, home=home
    )


def install(app: Any) -> None:
    """Add the staff pages to an app (the static files are mounted by `web.pages.install`)."""
    app.add_exception_handler(StaffRefusal, _refused)
    for router in ROUTERS:
        app.include_router(router)
