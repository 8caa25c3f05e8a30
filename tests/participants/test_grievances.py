"""Grievances: own instructions only, one per category, instruction and day; resolution; exports."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from prakerja.audit.models import AuditEvent
from prakerja.kit.errors import ConflictError, InputError, NotFoundError
from prakerja.participants.models import Grievance
from prakerja.participants.service import (
    file_grievance,
    partner_grievances,
    resolve_grievance,
)
from tests.builders import read_csv
from tests.participants.factories import OTHER_PAID_NIK, PAID_NIK, pay

DAY = dt.date(2020, 4, 22)
NIK, OTHER_NIK = PAID_NIK, OTHER_PAID_NIK
#: 10:00 in Jakarta on DAY.
NOW = dt.datetime(2020, 4, 22, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def paid(session, cli, tmp_path):
    return pay(session, cli, tmp_path)


def test_the_same_grievance_the_same_day_is_one_grievance(session, paid):
    first = file_grievance(
        session,
        nik=NIK,
        category="NOT_RECEIVED",
        instruction_id=paid["mine"],
        text="Belum masuk",
        now=NOW,
    )
    again = file_grievance(
        session,
        nik=NIK,
        category="NOT_RECEIVED",
        instruction_id=paid["mine"],
        text="Masih belum",
        now=NOW + dt.timedelta(hours=5),
    )
    assert first.created and not again.created
    assert again.grievance_id == first.grievance_id
    assert (first.card_number, first.instruction_id, first.opened_on, first.status) == (
        paid["card"],
        paid["mine"],
        DAY,
        "OPEN",
    )
    other_category = file_grievance(
        session, nik=NIK, category="WRONG_AMOUNT", instruction_id=paid["mine"], text="", now=NOW
    )
    no_instruction = file_grievance(
        session, nik=NIK, category="NOT_RECEIVED", instruction_id=None, text="?", now=NOW
    )
    next_day = file_grievance(
        session,
        nik=NIK,
        category="NOT_RECEIVED",
        instruction_id=paid["mine"],
        text="",
        now=NOW + dt.timedelta(days=1),
    )
    ids = {
        first.grievance_id,
        other_category.grievance_id,
        no_instruction.grievance_id,
        next_day.grievance_id,
    }
    assert len(ids) == 4
    session.commit()
    assert len(session.scalars(select(Grievance)).all()) == 4


def test_the_database_refuses_a_second_row_for_the_same_day(session, paid):
    filed = file_grievance(
        session, nik=NIK, category="OTHER", instruction_id=None, text="a", now=NOW
    )
    session.commit()
    stored = session.get(Grievance, filed.grievance_id)
    session.add(
        Grievance(
            grievance_id="GRV-DUPLICATE",
            nik=NIK,
            card_number=stored.card_number,
            instruction_id=None,
            instruction_key="",
            category="OTHER",
            text="b",
            opened_on=DAY,
            opened_at=NOW,
            status="OPEN",
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_another_participants_instruction_is_refused(session, paid):
    for instruction in (paid["failed"], paid["gopay"], "INS-NOPE"):
        with pytest.raises(NotFoundError):
            file_grievance(
                session,
                nik=NIK,
                category="NOT_RECEIVED",
                instruction_id=instruction,
                text="",
                now=NOW,
            )
    with pytest.raises(NotFoundError):
        file_grievance(
            session,
            nik="3171010101900009",
            category="NOT_RECEIVED",
            instruction_id=paid["mine"],
            text="",
            now=NOW,
        )


def test_bad_category_and_long_text_are_refused(session, paid):
    with pytest.raises(InputError):
        file_grievance(session, nik=NIK, category="ANGRY", instruction_id=None, text="", now=NOW)
    with pytest.raises(InputError):
        file_grievance(
            session, nik=NIK, category="OTHER", instruction_id=None, text="x" * 2001, now=NOW
        )
    kept = file_grievance(
        session, nik=NIK, category="OTHER", instruction_id=None, text=" a\x00b\nc ", now=NOW
    )
    assert kept.text == "ab\nc"


def test_resolution_needs_a_reason_is_audited_and_happens_once(session, paid):
    filed = file_grievance(
        session, nik=NIK, category="NOT_RECEIVED", instruction_id=paid["mine"], text="", now=NOW
    )
    with pytest.raises(InputError):
        resolve_grievance(session, grievance_id=filed.grievance_id, reason="  ", day=DAY, now=NOW)
    with pytest.raises(NotFoundError):
        resolve_grievance(session, grievance_id="GRV-NOPE", reason="x", day=DAY, now=NOW)
    done = resolve_grievance(
        session,
        grievance_id=filed.grievance_id,
        reason="Dana sudah masuk 22/4",
        actor="ops1",
        day=DAY + dt.timedelta(days=2),
        now=NOW,
    )
    assert (done.status, done.resolved_on, done.resolution_reason) == (
        "RESOLVED",
        DAY + dt.timedelta(days=2),
        "Dana sudah masuk 22/4",
    )
    with pytest.raises(ConflictError):
        resolve_grievance(
            session, grievance_id=filed.grievance_id, reason="again", day=DAY, now=NOW
        )
    session.commit()
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "grievance.resolve")
    ).all()
    assert (event.actor, event.subject_id, event.details) == (
        "ops1",
        filed.grievance_id,
        {"reason": "Dana sudah masuk 22/4"},
    )


def test_cli_resolves_and_exports_as_of_a_day(session, paid, cli, tmp_path):
    filed = file_grievance(
        session, nik=NIK, category="NOT_RECEIVED", instruction_id=paid["mine"], text="", now=NOW
    )
    other = file_grievance(
        session,
        nik=NIK,
        category="OTHER",
        instruction_id=None,
        text="",
        now=NOW + dt.timedelta(days=3),
    )
    session.commit()
    resolved = cli(
        "grievances",
        "resolve",
        filed.grievance_id,
        "--reason",
        "Sudah ditelusuri",
        "--date",
        "2020-04-24",
    )
    assert resolved.exit_code == 0, resolved.stderr
    assert filed.grievance_id in resolved.stdout
    again = cli("grievances", "resolve", filed.grievance_id, "--reason", "x")
    assert again.exit_code != 0
    assert cli("grievances", "resolve", "GRV-NOPE", "--reason", "x").exit_code != 0
    out = tmp_path / "g.csv"
    assert cli("export", "grievances", "--date", "2020-04-23", "--out", out).exit_code == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == "grievance_id,card_number,instruction_id,category,opened_on,status,resolved_on"
    assert read_csv(out) == [
        {
            "grievance_id": filed.grievance_id,
            "card_number": paid["card"],
            "instruction_id": paid["mine"],
            "category": "NOT_RECEIVED",
            "opened_on": "2020-04-22",
            "status": "OPEN",
            "resolved_on": "",
        },
    ]
    assert cli("export", "grievances", "--date", "2020-04-25", "--out", out).exit_code == 0
    rows = read_csv(out)
    assert [(r["grievance_id"], r["status"], r["resolved_on"]) for r in rows] == [
        (filed.grievance_id, "RESOLVED", "2020-04-24"),
        (other.grievance_id, "OPEN", ""),
    ]


def test_a_partner_sees_not_received_grievances_about_its_successful_payments(session, paid):
    mine = file_grievance(
        session, nik=NIK, category="NOT_RECEIVED", instruction_id=paid["mine"], text="", now=NOW
    )
    file_grievance(
        session, nik=NIK, category="WRONG_AMOUNT", instruction_id=paid["mine"], text="", now=NOW
    )
    file_grievance(
        session,
        nik=OTHER_NIK,
        category="NOT_RECEIVED",
        instruction_id=paid["failed"],
        text="",
        now=NOW,
    )
    file_grievance(session, nik=NIK, category="NOT_RECEIVED", instruction_id=None, text="", now=NOW)
    session.commit()
    assert partner_grievances(session, partner_code="OVO") == [
        {
            "grievance_id": mine.grievance_id,
            "instruction_id": paid["mine"],
            "category": "NOT_RECEIVED",
            "opened_on": DAY,
            "status": "OPEN",
            "resolved_on": None,
        },
    ]
    assert partner_grievances(session, partner_code="GOPAY") == []
