"""The staff's grievances page: listed by status a page at a time, resolved by an operator only."""

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from prakerja.accounts.permissions import Role
from prakerja.accounts.rules import csrf_token
from prakerja.participants.service import file_grievance
from prakerja.server import create_service
from prakerja.web.auth import COOKIE
from tests.web.staff_helpers import accounts_of_every_role

NOW = dt.datetime(2020, 6, 2, 3, 0, tzinfo=dt.UTC)


def _file(session, nik, text="Insentif belum masuk"):
    filed = file_grievance(
        session, nik=nik, category="OTHER", instruction_id=None, text=text, now=NOW
    )
    session.commit()
    return filed.grievance_id


@pytest.fixture
def clients(engine, session):
    made = accounts_of_every_role(session)
    app = create_service(engine)
    signed = {}
    for role in (Role.OPERATOR, Role.AUDITOR, Role.FINANCE):
        client = TestClient(app, follow_redirects=False)
        client.post("/login", data=dict(zip(("username", "password"), made[role], strict=True)))
        signed[role] = client
    return signed


def _form(client, **fields):
    return {"csrf_token": csrf_token(client.cookies.get(COOKIE)), **fields}


def test_an_operator_resolves_a_grievance_with_a_written_answer(clients, session):
    from prakerja.audit.models import AuditEvent

    grievance_id = _file(session, "3171000000000001")
    operator = clients[Role.OPERATOR]
    listed = operator.get("/grievances")
    assert f"/grievances/{grievance_id}" in listed.text
    page = operator.get(f"/grievances/{grievance_id}?lang=en")
    assert "Insentif belum masuk" in page.text and "Resolve this grievance" in page.text
    answer = operator.post(
        f"/grievances/{grievance_id}/resolve", data=_form(operator, reason="Dana sudah dikirim")
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"/grievances/{grievance_id}")
    events = session.query(AuditEvent).filter_by(action="grievance.resolve").all()
    assert [(e.actor, e.subject_id, e.details["reason"]) for e in events] == [
        ("operator1", grievance_id, "Dana sudah dikirim")
    ]
    assert grievance_id not in operator.get("/grievances").text
    assert grievance_id in operator.get("/grievances?status=RESOLVED").text
    again = operator.post(
        f"/grievances/{grievance_id}/resolve", data=_form(operator, reason="lagi")
    )
    assert again.status_code == 422


def test_a_grievance_needs_a_reason_and_an_auditor_only_reads(clients, session):
    from prakerja.participants.models import Grievance

    grievance_id = _file(session, "3171000000000002")
    operator, auditor = clients[Role.OPERATOR], clients[Role.AUDITOR]
    blank = operator.post(f"/grievances/{grievance_id}/resolve", data=_form(operator, reason=" "))
    assert blank.status_code == 422 and 'role="alert"' in blank.text
    page = auditor.get(f"/grievances/{grievance_id}")
    assert page.status_code == 200 and "/resolve" not in page.text
    refused = auditor.post(f"/grievances/{grievance_id}/resolve", data=_form(auditor, reason="x"))
    assert refused.status_code == 403
    assert clients[Role.FINANCE].get("/grievances").status_code == 200
    session.expire_all()
    assert session.get(Grievance, grievance_id).status == "OPEN"
    assert operator.get("/grievances/GRV-NOPE").status_code == 404


def test_the_list_is_paginated(clients, session):
    for number in range(51):
        _file(session, f"31710000000001{number:02d}")
    operator = clients[Role.OPERATOR]
    first, second = operator.get("/grievances"), operator.get("/grievances?page=2")
    assert first.text.count('href="/grievances/GRV') == 50 and "page=2" in first.text
    assert second.text.count('href="/grievances/GRV') == 1
    assert operator.get("/grievances?status=bogus&page=x").status_code == 200
