"""A NUL character in any page's path, query or form is refused with a 4xx, never a 500.

PostgreSQL's text cannot hold a NUL: a value reaching a statement with one
fails the request. Every route of the pages (not the APIs, which the
schemathesis tests fuzz), for anonymous visitors and every staff role, with
a NUL in each path parameter, each query parameter and each form field.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from prakerja.accounts.rules import csrf_token
from prakerja.server import create_service
from prakerja.web.auth import COOKIE
from tests.web.staff_helpers import accounts_of_every_role, all_routes, one_open_break

NUL = "a\x00b"
#: The same, as a path segment carries it.
NUL_IN_PATH = "a%00b"


def _page_routes(app) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every page route (not under /api/, not the docs)."""
    found = []
    for route in all_routes(list(app.routes)):
        if not isinstance(route, APIRoute) or route.path.startswith(("/api/", "/docs", "/openapi")):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path, route))
    return found


def _query_names(route: APIRoute) -> list[str]:
    names = [param.alias for param in route.dependant.query_params]
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        names += [param.alias for param in dependency.query_params]
        pending.extend(dependency.dependencies)
    return names


def _form_names(route: APIRoute) -> list[str]:
    return [param.alias for param in route.dependant.body_params]


@pytest.fixture
def clients(engine, session):
    made = accounts_of_every_role(session)
    one_open_break(session)
    app = create_service(engine)
    signed_in = {
        "anonymous": TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    }
    for role, (username, password) in made.items():
        client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
        answer = client.post("/login", data={"username": username, "password": password})
        assert answer.status_code == 303
        signed_in[role.value] = client
    return app, signed_in


def _requests(route: APIRoute, method: str, path: str) -> list[tuple[str, dict, dict]]:
    """(url, query, form) triples: NUL in each path parameter, then in every query and field."""
    plain = re.sub(r"\{[^}]+\}", "BRK-0001", path)
    asked = [(re.sub(r"\{[^}]+\}", NUL_IN_PATH, path), {}, {})] if "{" in path else []
    query = dict.fromkeys(_query_names(route), NUL) or {"q": NUL}
    asked.append((plain, query, {}))
    if method == "POST":
        asked.append((plain, {}, dict.fromkeys(_form_names(route), NUL) or {"x": NUL}))
    return asked


def test_a_nul_anywhere_in_a_page_request_is_a_4xx(clients):
    app, signed_in = clients
    failures = []
    for method, path, route in _page_routes(app):
        for who, client in signed_in.items():
            token = client.cookies.get(COOKIE)
            signed = {"csrf_token": csrf_token(token)} if method == "POST" and token else {}
            for url, query, fields in _requests(route, method, path):
                form = {**fields, **signed}
                answer = client.request(method, url, params=query, data=form or None)
                if answer.status_code >= 500:
                    failures.append((who, method, url, query, form, answer.status_code))
    assert failures == [], "\n".join(map(repr, failures))


def test_the_refusal_names_the_nul_and_the_form_still_works_without_one(clients, caplog):
    _, signed_in = clients
    client = signed_in["anonymous"]
    with caplog.at_level("INFO", logger="prakerja.http"):
        refused = client.post("/login", data={"username": NUL, "password": "x"})
    assert (refused.status_code, refused.text) == (400, "the request holds a NUL character")
    assert [r.getMessage() for r in caplog.records] == [
        "refused POST /login: 400 the request holds a NUL character"
    ]
    wrong = client.post("/login", data={"username": "nobody", "password": "x"})
    assert wrong.status_code == 401  # the form read after the check is the one sent
    # "%00" written as text arrives as %2500: not a NUL
    assert client.get("/login", params={"next": "/breaks%00"}).status_code == 200


def test_a_participants_grievance_with_a_nul_is_refused_and_nothing_is_kept(
    engine, session, cli, tmp_path, outbox
):
    from sqlalchemy import func, select

    from prakerja.participants.models import Grievance
    from tests.participants.factories import PAID_NIK, pay
    from tests.web.test_participants import _sign_in

    paid = pay(session, cli, tmp_path)
    client = TestClient(create_service(engine), raise_server_exceptions=False)
    _sign_in(client, outbox, PAID_NIK)
    token = re.search(r'name="form_token" value="([0-9a-f]+)"', client.get("/saya").text)[1]
    form = {
        "category": "NOT_RECEIVED",
        "instruction_id": paid["mine"],
        "text": "Belum masuk",
        "form_token": token,
    }
    for field in ("text", "instruction_id", "category"):
        answer = client.post("/saya/pengaduan", data={**form, field: NUL}, follow_redirects=False)
        assert answer.status_code == 400, field
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Grievance)) == 0
