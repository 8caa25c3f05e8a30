"""GET /api/v1/partner/grievances: NOT_RECEIVED grievances about the partner's own paid instructions."""

import datetime as dt

from prakerja.participants.service import file_grievance, resolve_grievance
from tests.api.partner_world import served, token
from tests.participants.factories import OTHER_PAID_NIK, PAID_NIK, pay

NOW = dt.datetime(2020, 4, 23, 3, 0, tzinfo=dt.UTC)


def test_a_partner_sees_only_not_received_grievances_about_its_successful_payments(
    engine, session, cli, tmp_path
):
    paid = pay(session, cli, tmp_path)
    mine = file_grievance(
        session,
        nik=PAID_NIK,
        category="NOT_RECEIVED",
        instruction_id=paid["mine"],
        text="",
        now=NOW,
    )
    file_grievance(
        session,
        nik=PAID_NIK,
        category="WRONG_AMOUNT",
        instruction_id=paid["mine"],
        text="",
        now=NOW,
    )
    file_grievance(
        session,
        nik=OTHER_PAID_NIK,
        category="NOT_RECEIVED",
        instruction_id=paid["failed"],
        text="",
        now=NOW,
    )
    session.commit()
    client = served(engine, tmp_path / "uploads")
    ovo, gopay = token(engine, "OVO", "partner-results"), token(engine, "GOPAY", "partner-results")
    answer = client.get("/api/v1/partner/grievances", headers=ovo)
    assert answer.status_code == 200
    assert answer.json() == {
        "success": True,
        "grievances": [
            {
                "grievance_id": mine.grievance_id,
                "instruction_id": paid["mine"],
                "category": "NOT_RECEIVED",
                "opened_on": "2020-04-23",
                "status": "OPEN",
                "resolved_on": None,
            }
        ],
    }
    assert client.get("/api/v1/partner/grievances", headers=gopay).json() == {
        "success": True,
        "grievances": [],
    }
    resolve_grievance(
        session,
        grievance_id=mine.grievance_id,
        reason="Sudah masuk",
        day=dt.date(2020, 4, 24),
        now=NOW,
    )
    session.commit()
    [row] = client.get("/api/v1/partner/grievances", headers=ovo).json()["grievances"]
    assert (row["status"], row["resolved_on"]) == ("RESOLVED", "2020-04-24")
    refused = client.get("/api/v1/partner/grievances")
    assert refused.status_code == 401
    assert refused.json()["success"] is False
