"""Every route of the real service declares a permission or is on the short public list;
every staff page answers each role with 200, 403, or (anonymous) 303 to /login."""

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from prakerja.accounts.permissions import ROLE_PERMISSIONS, Permission, Role
from prakerja.server import create_service
from tests.web.staff_helpers import (
    accounts_of_every_role,
    all_routes,
    declared_permissions,
    one_open_break,
)

#: Routes open to everyone: sign-in, the participants' pages, the APIs' own doors, docs.
PUBLIC_PREFIXES = (
    "/login",
    "/logout",
    "/saya",
    "/status",
    "/docs",
    "/openapi.json",
    "/api/v1/integration/payment/redeem-code/",
    "/api/v1/partner/",
    "/static/",
)


def _is_public(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix) for prefix in PUBLIC_PREFIXES)


def test_every_route_declares_a_permission_or_is_public(engine):
    app = create_service(engine)
    undeclared = [
        route.path
        for route in all_routes(list(app.routes))
        if isinstance(route, APIRoute)
        and not declared_permissions(route)
        and not _is_public(route.path)
    ]
    assert undeclared == []


def test_the_staff_routes_are_found_by_the_walk(engine):
    app = create_service(engine)
    declared = {
        route.path: declared_permissions(route)
        for route in all_routes(list(app.routes))
        if isinstance(route, APIRoute)
    }
    assert declared["/"] == [Permission.VIEW_OVERVIEW]
    assert declared["/breaks/{break_id}/resolve"] == [Permission.RESOLVE_BREAKS]


PAGES = {
    "/": Permission.VIEW_OVERVIEW,
    "/breaks": Permission.VIEW_BREAKS,
    "/breaks/BRK-0001": Permission.VIEW_BREAKS,
    "/partner/breaks": Permission.VIEW_OWN_BREAKS,
    "/participants": Permission.VIEW_STORIES,
    "/waves": Permission.VIEW_WAVES,
    "/runs": Permission.VIEW_RUNS,
    "/downloads": Permission.DOWNLOAD_EXPORTS,
    "/downloads/breaks.csv": Permission.DOWNLOAD_EXPORTS,
    "/accounts": Permission.MANAGE_ACCOUNTS,
    "/statistics": Permission.VIEW_STATISTICS,
    "/signals": Permission.VIEW_SIGNALS,
    "/grievances": Permission.VIEW_GRIEVANCES,
    "/recoveries": Permission.VIEW_RECOVERIES,
    "/partner/uploads": Permission.VIEW_OWN_UPLOADS,
    "/partner/instructions": Permission.DOWNLOAD_OWN_INSTRUCTIONS,
}


@pytest.fixture
def signed_in_clients(engine, session):
    made = accounts_of_every_role(session)
    one_open_break(session)
    app = create_service(engine)
    clients = {}
    for role, (username, password) in made.items():
        client = TestClient(app, follow_redirects=False)
        answer = client.post("/login", data={"username": username, "password": password})
        assert answer.status_code == 303
        clients[role] = client
    return app, clients


def test_every_staff_page_with_every_role(signed_in_clients):
    app, clients = signed_in_clients
    anonymous = TestClient(app, follow_redirects=False)
    for path, permission in PAGES.items():
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login")
        for role, client in clients.items():
            expected = 200 if permission in ROLE_PERMISSIONS[role] else 403
            assert client.get(path).status_code == expected, (path, role)


def test_an_anonymous_form_is_sent_to_sign_in_and_changes_nothing(signed_in_clients, session):
    from prakerja.reconciliation.models import Break

    app, _ = signed_in_clients
    answer = TestClient(app, follow_redirects=False).post(
        "/breaks/BRK-0001/resolve", data={"reason": "x"}
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    session.expire_all()
    assert session.get(Break, "BRK-0001").status == "OPEN"


def test_a_post_without_the_sessions_csrf_token_is_refused(signed_in_clients, session):
    from prakerja.reconciliation.models import Break

    _, clients = signed_in_clients
    answer = clients[Role.OPERATOR].post(
        "/breaks/BRK-0001/resolve", data={"reason": "paid by hand", "csrf_token": "x" * 64}
    )
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Break, "BRK-0001").status == "OPEN"


def test_an_auditor_cannot_resolve_even_with_a_valid_form(signed_in_clients, session):
    from prakerja.accounts.rules import csrf_token
    from prakerja.reconciliation.models import Break
    from prakerja.web.auth import COOKIE

    _, clients = signed_in_clients
    auditor = clients[Role.AUDITOR]
    token = auditor.cookies.get(COOKIE)
    answer = auditor.post(
        "/breaks/BRK-0001/resolve", data={"reason": "x", "csrf_token": csrf_token(token)}
    )
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Break, "BRK-0001").status == "OPEN"


def test_sign_out_ends_the_session(signed_in_clients):
    from prakerja.accounts.rules import csrf_token
    from prakerja.web.auth import COOKIE

    _, clients = signed_in_clients
    client = clients[Role.FINANCE]
    token = client.cookies.get(COOKIE)
    assert client.post("/logout", data={"csrf_token": csrf_token(token)}).status_code == 303
    client.cookies.set(COOKIE, token)
    assert client.get("/breaks").status_code == 303
