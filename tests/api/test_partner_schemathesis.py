"""Schemathesis over the partner API, authenticated with a partner's token: never a 5xx.

The token is added to every generated request (the call's headers), so that
the generated bodies, paths and queries reach the endpoints' own checks
rather than stopping at the 401. One real break of OVO is on file.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.partner_world import NOW, token
from tests.reconciliation.factories import World


@pytest.fixture
def partner_app(engine, session, tmp_path):
    """The API with one OVO break on file and uploads kept in the test's folder."""
    from prakerja.api.app import create_app
    from prakerja.reconciliation.service import reconcile

    world = World(session)
    card = world.card()
    day = dt.date(2020, 5, 4)
    batch = world.batch(day=day)
    world.instruction(card, batch=batch, day=day)
    reconcile(session, day=day + dt.timedelta(days=3), actor="tester")
    session.commit()
    app = create_app(engine, clock=lambda: NOW)
    app.state.partner_uploads = tmp_path / "uploads"
    return app


@pytest.fixture
def partner_schema(partner_app):
    """The OpenAPI schema of the partner endpoints only (others have their own harness)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", partner_app)
    return schema.include(path_regex="^/api/v1/partner/")


@pytest.fixture
def partner_break(partner_app, session):
    """The id of OVO's break."""
    from sqlalchemy import select

    from prakerja.reconciliation.models import Break

    return session.scalars(select(Break.break_id).where(Break.partner_code == "OVO")).first()


@pytest.fixture
def bearer(engine):
    """A token for OVO, allowed every kind a payment partner sends."""
    return token(engine, "OVO", "partner-results", "payout-accounts")


OPERATIONS = [
    ("/api/v1/partner/files/{kind}", "POST"),
    ("/api/v1/partner/breaks", "GET"),
    ("/api/v1/partner/instructions", "GET"),
    ("/api/v1/partner/breaks/{break_id}/dispute", "POST"),
]


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_partner_endpoints_never_answer_a_server_error(
    partner_schema, bearer, partner_break, path, method
):
    # Schemathesis' own pytest plugin does not run under this pytest; its strategies do.
    operation = partner_schema[path][method]

    @given(case=operation.as_strategy(), real=st.booleans())
    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def never_a_server_error(case, real):
        # Half the cases name a kind the token may send and OVO's real break, to get past
        # the 403 and the 404 into the parsing and the import.
        if real and "kind" in (case.path_parameters or {}):
            case.path_parameters["kind"] = "partner-results"
        if real and "break_id" in (case.path_parameters or {}):
            case.path_parameters["break_id"] = partner_break
        response = case.call(headers=bearer)
        assert response.status_code < 500, (response.status_code, response.text)
        if response.status_code >= 400:
            body = response.json()
            assert body["success"] is False
            assert isinstance(body["message"], str)

    never_a_server_error()


def test_every_partner_endpoint_is_documented_with_the_bearer_scheme(partner_app):
    document = partner_app.openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes["partnerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["partnerToken"]["description"],
    }
    operations = {
        (method.upper(), path): spec
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/partner/")
        for method, spec in item.items()
    }
    assert set(operations) >= {
        ("POST", "/api/v1/partner/files/{kind}"),
        ("GET", "/api/v1/partner/breaks"),
        ("GET", "/api/v1/partner/instructions"),
        ("POST", "/api/v1/partner/breaks/{break_id}/dispute"),
    }
    for spec in operations.values():
        assert spec["security"] == [{"partnerToken": []}]
        assert "401" in spec["responses"]
