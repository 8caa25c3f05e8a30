"""Two replicas of the service on one database behave as one (issue 15, "Many API replicas").

Each replica is its own `create_service` app, as each `prakerja serve`
worker builds its own: a staff session opened on one is honoured by the
other, a lock-out earned on one holds on the other, and a /saya code asked
for on one is accepted by the other, because all of it lives in the database.
"""

import json
import re

import pytest
from fastapi.testclient import TestClient

from prakerja.accounts.permissions import Role
from prakerja.server import create_service
from prakerja.web.auth import COOKIE
from prakerja.web.participants import COOKIE as SAYA_COOKIE
from tests.participants.factories import register
from tests.web.staff_helpers import accounts_of_every_role

NIK = "3171014508900001"


@pytest.fixture
def replicas(engine):
    """Two apps over the same database, each with its own client (its own cookie jar)."""
    return [
        TestClient(create_service(engine), follow_redirects=False, base_url="http://testserver")
        for _ in range(2)
    ]


def test_a_staff_session_opened_on_one_replica_works_on_the_other(replicas, session):
    username, password = accounts_of_every_role(session)[Role.OPERATOR]
    first, second = replicas
    signed = first.post("/login", data={"username": username, "password": password})
    assert signed.status_code == 303
    assert second.get("/participants").status_code in (302, 303)  # no cookie: to the sign-in
    second.cookies.set(COOKIE, first.cookies[COOKIE])
    page = second.get("/participants")
    assert page.status_code == 200 and username in page.text


def test_a_lock_out_earned_on_one_replica_holds_on_the_other(replicas, session):
    username, password = accounts_of_every_role(session)[Role.OPERATOR]
    first, second = replicas
    for _ in range(5):
        wrong = first.post("/login", data={"username": username, "password": "not-it"})
        assert wrong.status_code == 401
    refused = second.post("/login", data={"username": username, "password": password})
    assert refused.status_code == 429
    assert COOKIE not in second.cookies


def test_a_participant_code_asked_for_on_one_replica_is_accepted_by_the_other(
    replicas, session, outbox
):
    register(session, NIK)
    session.commit()
    first, second = replicas
    assert first.post("/saya/kode", data={"nik": NIK}).status_code == 200
    [message] = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", message["text"])
    signed = second.post("/saya/masuk", data={"nik": NIK, "code": code})
    assert signed.status_code == 303
    first.cookies.set(SAYA_COOKIE, second.cookies[SAYA_COOKIE], path="/saya")
    assert "Siti Aminah" in first.get("/saya").text
    again = first.post("/saya/masuk", data={"nik": NIK, "code": code})
    assert again.status_code == 401  # the code was used up on the other replica
