"""The partner API: tokens, own rows only, own breaks and instructions only, disputes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from prakerja.audit.models import AuditEvent
from prakerja.partners.models import BreakDispute, PartnerUpload
from prakerja.partners.service import disputes_of_breaks, recent_uploads
from prakerja.payouts.models import PartnerResult
from prakerja.reconciliation.models import Break
from prakerja.reconciliation.service import reconcile
from tests.api.partner_world import served, token, upload
from tests.builders import write_csv
from tests.reconciliation.factories import World

D = dt.date
SENT = D(2020, 5, 4)
RESULT_COLUMNS = (
    "partner_code",
    "instruction_id",
    "partner_txn_id",
    "account_id",
    "amount_idr",
    "status",
    "failure_code",
    "processed_at",
)


def _result(partner: str, txn: str) -> dict[str, str]:
    return {
        "partner_code": partner,
        "instruction_id": "INS-UNKNOWN",
        "partner_txn_id": txn,
        "account_id": "0811",
        "amount_idr": "600000",
        "status": "SUCCESS",
        "failure_code": "",
        "processed_at": "2020-05-05T10:00:00+07:00",
    }


@pytest.fixture
def client(engine, tmp_path):
    return served(engine, tmp_path / "uploads")


def _results_file(tmp_path, *rows):
    return write_csv(tmp_path / "results.csv", RESULT_COLUMNS, rows)


def test_a_missing_or_unknown_token_is_401_in_the_contracts_shape(engine, client, tmp_path):
    path = _results_file(tmp_path, _result("OVO", "TX-1"))
    good = token(engine, "OVO", "partner-results")
    fakes = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer OVO.not-the-token"},
        {"Authorization": "Bearer DANA.x"},
        {"Authorization": "Basic " + good["Authorization"].split()[1]},
    ]
    for headers in fakes:
        for answer in (
            upload(client, headers, "partner-results", path),
            client.get("/api/v1/partner/breaks", headers=headers),
            client.get("/api/v1/partner/instructions?date=2020-05-04", headers=headers),
            client.post("/api/v1/partner/breaks/BRK-1/dispute", headers=headers, json={}),
        ):
            assert answer.status_code == 401, (headers, answer.text)
            assert answer.json()["success"] is False
            assert answer.json()["message"]


def test_a_rotated_token_stops_at_once(engine, client):
    old = token(engine, "OVO", "partner-results")
    assert client.get("/api/v1/partner/breaks", headers=old).status_code == 200
    new = token(engine, "OVO", "partner-results")
    assert client.get("/api/v1/partner/breaks", headers=old).status_code == 401
    assert client.get("/api/v1/partner/breaks", headers=new).status_code == 200


def test_a_kind_the_token_was_not_issued_for_is_403(engine, client, tmp_path):
    path = _results_file(tmp_path, _result("OVO", "TX-1"))
    headers = token(engine, "OVO", "payout-accounts")
    for kind in ("partner-results", "waves", "no-such-kind"):
        answer = upload(client, headers, kind, path)
        assert answer.status_code == 403
        assert answer.json()["success"] is False
    with engine.connect() as connection:
        assert connection.execute(select(PartnerResult)).all() == []


def test_rows_naming_another_partner_are_rejects_of_that_column(engine, session, client, tmp_path):
    path = _results_file(tmp_path, _result("OVO", "TX-1"), _result("DANA", "TX-2"))
    answer = upload(client, token(engine, "OVO", "partner-results"), "partner-results", path)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["loaded"], body["rejected"]) == (1, 1)
    assert body["rejects"] == [
        {"line": 3, "column": "partner_code", "reason": body["rejects"][0]["reason"]}
    ]
    assert "another partner" in body["rejects"][0]["reason"]
    stored = session.scalars(select(PartnerResult.partner_code)).all()
    assert stored == ["OVO"]


def test_events_naming_another_platform_are_rejects_of_platform_code(engine, client, tmp_path):
    from tests.builders import EVENT_COLUMNS, event

    rows = [
        event("ATTENDANCE", "5200000000000001", "V-1", sequence="1"),
        event("ATTENDANCE", "5200000000000001", "V-1", sequence="2", platform_code="PINTARIA"),
    ]
    path = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, rows)
    answer = upload(client, token(engine, "TOKOPEDIA", "platform-events"), "platform-events", path)
    rejects = {(r["line"], r["column"]) for r in answer.json()["rejects"]}
    assert (3, "platform_code") in rejects
    assert (2, "platform_code") not in rejects


def test_an_unusable_file_is_422_with_its_one_line_reason(engine, session, client, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("partner_code,instruction_id\nOVO,INS-1\n")
    answer = upload(client, token(engine, "OVO", "partner-results"), "partner-results", path)
    assert answer.status_code == 422
    message = answer.json()["message"]
    assert "\n" not in message
    assert "partner_txn_id" in message
    assert str(tmp_path) not in message
    (refused,) = session.scalars(select(PartnerUpload)).all()
    assert refused.refused_reason == message
    assert refused.import_run_id is None


def test_a_body_that_is_not_multipart_or_has_no_file_is_422(engine, client):
    headers = token(engine, "OVO", "partner-results")
    url = "/api/v1/partner/files/partner-results"
    assert client.post(url, headers=headers, content=b"a,b\n").status_code == 422
    other = client.post(url, headers=headers, files={"other": ("x.csv", b"a\n")})
    assert other.status_code == 422
    assert "file" in other.json()["message"]


def test_an_upload_is_kept_in_its_own_folder_with_its_rejects(engine, session, client, tmp_path):
    path = _results_file(tmp_path, _result("OVO", "TX-1"), _result("DANA", "TX-2"))
    upload(client, token(engine, "OVO", "partner-results"), "partner-results", path)
    (kept,) = recent_uploads(session, partner_code="OVO")
    assert recent_uploads(session, partner_code="DANA") == []
    stored = tmp_path / "uploads" / "OVO"
    assert kept.stored_path.startswith(str(stored))
    assert (kept.partner_code, kept.kind, kept.file_name) == ("OVO", "partner-results", path.name)
    assert (kept.loaded, kept.rejected, kept.size_bytes) == (1, 1, path.stat().st_size)
    rejects = (stored / kept.stored_path.split("/")[-2] / "results.csv.rejects.csv").read_text()
    assert "DANA" in rejects


def _two_partners_breaks(session) -> dict[str, str]:
    """A missing result for OVO and one for DANA, found on SENT + 3; return break ids."""
    world = World(session)
    for partner in ("OVO", "DANA"):
        card = world.card()
        batch = world.batch(day=SENT, partner=partner)
        world.instruction(card, batch=batch, day=SENT)
        world.debit_batch(batch, day=SENT)
    reconcile(session, day=SENT + dt.timedelta(days=3), actor="tester")
    session.commit()
    return {found.partner_code: found.break_id for found in session.scalars(select(Break))}


def test_a_partner_sees_only_its_own_breaks(engine, session, client):
    ids = _two_partners_breaks(session)
    answer = client.get("/api/v1/partner/breaks", headers=token(engine, "OVO", "partner-results"))
    assert answer.status_code == 200
    (only,) = answer.json()["breaks"]
    assert only["break_id"] == ids["OVO"]
    assert only["partner_code"] == "OVO"
    assert only["break_type"] == "MISSING_RESULT"
    assert (only["status"], only["detected_on"], only["resolved_on"]) == (
        "OPEN",
        "2020-05-07",
        None,
    )
    assert (only["dispute_reason"], only["disputed_on"]) == (None, None)
    resolved = client.get(
        "/api/v1/partner/breaks?status=RESOLVED", headers=token(engine, "OVO", "partner-results")
    )
    assert resolved.json() == {"success": True, "breaks": []}
    before = client.get(
        "/api/v1/partner/breaks?date=2020-05-06&status=ALL",
        headers=token(engine, "OVO", "partner-results"),
    )
    assert before.json()["breaks"] == []


def test_a_bad_date_or_status_is_422(engine, client):
    headers = token(engine, "OVO", "partner-results")
    for query in ("date=2020-13-01", "status=CLOSED", "date=yesterday"):
        answer = client.get(f"/api/v1/partner/breaks?{query}", headers=headers)
        assert answer.status_code == 422, query
        assert answer.json()["success"] is False


def test_a_dispute_is_shown_and_audited_and_changes_nothing(engine, session, client):
    ids = _two_partners_breaks(session)
    headers = token(engine, "OVO", "partner-results")
    url = f"/api/v1/partner/breaks/{ids['OVO']}/dispute"
    answer = client.post(url, headers=headers, json={"reason": "  paid on 5 May,\nref TX-9 "})
    assert (answer.status_code, answer.json()) == (200, {"success": True})
    (shown,) = client.get("/api/v1/partner/breaks", headers=headers).json()["breaks"]
    assert (shown["dispute_reason"], shown["disputed_on"]) == (
        "paid on 5 May, ref TX-9",
        "2020-05-10",
    )
    assert shown["status"] == "OPEN"
    session.expire_all()
    assert session.get(Break, ids["OVO"]).status == "OPEN"
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "break.disputed"))
    assert (event.subject_type, event.subject_id, event.actor) == (
        "break",
        ids["OVO"],
        "partner:OVO",
    )
    assert event.details["reason"] == "paid on 5 May, ref TX-9"
    staff_view = disputes_of_breaks(session, [ids["OVO"], ids["DANA"]])
    assert list(staff_view) == [ids["OVO"]]
    assert staff_view[ids["OVO"]].partner_code == "OVO"


def test_another_partners_break_or_an_unknown_one_is_404(engine, session, client):
    ids = _two_partners_breaks(session)
    headers = token(engine, "OVO", "partner-results")
    for break_id in (ids["DANA"], "BRK-NONE"):
        answer = client.post(
            f"/api/v1/partner/breaks/{break_id}/dispute", headers=headers, json={"reason": "no"}
        )
        assert answer.status_code == 404
        assert answer.json()["success"] is False
    assert session.scalars(select(BreakDispute)).all() == []
    dana = client.get("/api/v1/partner/breaks", headers=token(engine, "DANA", "partner-results"))
    assert dana.json()["breaks"][0]["dispute_reason"] is None


def test_a_dispute_needs_a_short_written_reason(engine, session, client):
    ids = _two_partners_breaks(session)
    headers = token(engine, "OVO", "partner-results")
    url = f"/api/v1/partner/breaks/{ids['OVO']}/dispute"
    too_long, nul = {"reason": "x" * 1001}, {"reason": "sent\x00twice"}
    for body in ({"reason": "   "}, {"reason": 5}, {}, ["reason"], too_long, nul):
        assert client.post(url, headers=headers, json=body).status_code == 422, body
    assert client.post(url, headers=headers, content=b"{").status_code == 422
    huge = client.post(url, headers=headers, json={"reason": "x" * 20_000})
    assert huge.status_code == 413
    assert session.scalars(select(BreakDispute)).all() == []


def test_a_payment_partner_gets_its_own_instructions_only(engine, session, client):
    _two_partners_breaks(session)
    ovo = token(engine, "OVO", "partner-results")
    answer = client.get("/api/v1/partner/instructions?date=2020-05-04", headers=ovo)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    header, row, *rest = answer.text.splitlines()
    assert header == (
        "instruction_id,batch_id,card_number,beneficiary_name,partner_code,account_id,"
        "amount_idr,incentive_kind,tranche,attempt,created_at"
    )
    assert rest == []
    assert row.split(",")[4] == "OVO"
    assert row.endswith(",2020-05-04")
    assert (
        client.get("/api/v1/partner/instructions?date=2020-05-05", headers=ovo).status_code == 404
    )
    platform = token(engine, "TOKOPEDIA", "platform-events")
    none = client.get("/api/v1/partner/instructions?date=2020-05-04", headers=platform)
    assert (none.status_code, none.json()["success"]) == (404, False)
    for query in ("", "?date=2020-02-30"):
        assert client.get(f"/api/v1/partner/instructions{query}", headers=ovo).status_code == 422


def test_a_second_dispute_is_the_one_shown_and_both_stay_in_the_history(engine, session, client):
    ids = _two_partners_breaks(session)
    headers = token(engine, "OVO", "partner-results")
    url = f"/api/v1/partner/breaks/{ids['OVO']}/dispute"
    for reason in ("first reason", "second reason"):
        assert client.post(url, headers=headers, json={"reason": reason}).status_code == 200
    (shown,) = client.get("/api/v1/partner/breaks", headers=headers).json()["breaks"]
    assert shown["dispute_reason"] == "second reason"
    history = session.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.subject_id == ids["OVO"], AuditEvent.action == "break.disputed")
        .order_by(AuditEvent.id)
    ).all()
    assert [details["reason"] for details in history] == ["first reason", "second reason"]
