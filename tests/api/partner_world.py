"""Shared ground of the partner API tests: a served app, tokens, a small world of facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from prakerja.partners.service import issue_token
from prakerja.storage.db import unit_of_work

#: 2020-05-10 12:00 WIB, the server's clock in these tests.
NOW = dt.datetime(2020, 5, 10, 5, 0, tzinfo=dt.UTC).timestamp()


def served(engine: Engine, uploads: Path) -> TestClient:
    """The API on the test database, keeping uploads under `uploads`, its clock at NOW."""
    from prakerja.api.app import create_app

    app = create_app(engine, clock=lambda: NOW)
    app.state.partner_uploads = uploads
    return TestClient(app)


def token(engine: Engine, partner_code: str, *kinds: str) -> dict[str, str]:
    """Issue a partner's token; return the Authorization header that carries it."""
    with unit_of_work(engine) as session:
        issued = issue_token(session, partner_code=partner_code, kinds=kinds, actor="tester")
    return {"Authorization": f"Bearer {issued}"}


def upload(client: TestClient, headers: dict[str, str], kind: str, path: Path) -> object:
    """POST a file to the upload endpoint as the multipart field `file`."""
    with path.open("rb") as handle:
        return client.post(
            f"/api/v1/partner/files/{kind}",
            headers=headers,
            files={"file": (path.name, handle, "text/csv")},
        )
