"""`prakerja partners token CODE --kinds ...`: issue, rotate, refuse unknown kinds; audited."""

from __future__ import annotations

from sqlalchemy import select, text

from prakerja.audit.models import AuditEvent
from prakerja.partners.models import PartnerToken
from prakerja.partners.service import grant_for


def _issued(result) -> dict[str, str]:
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    return dict(line.split("=", 1) for line in lines)


def test_a_token_is_printed_once_stored_as_a_hash_and_grants_its_kinds(cli, session, engine):
    issued = _issued(
        cli("partners", "token", "TOKOPEDIA", "--kinds", "platform-events,platform-invoices")
    )
    assert issued["partner_code"] == "TOKOPEDIA"
    grant = grant_for(session, issued["token"])
    assert grant is not None
    assert grant.partner_code == "TOKOPEDIA"
    assert grant.kinds == {"platform-events", "platform-invoices"}
    with engine.connect() as connection:
        for table in ("partner_tokens", "audit_events"):
            dump = str(connection.execute(text(f"SELECT * FROM {table}")).all())
            assert issued["token"] not in dump
            assert issued["token"].split(".", 1)[1] not in dump
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "partner"))
    assert (event.action, event.subject_id) == ("partner.token_issued", "TOKOPEDIA")
    assert event.details == {"kinds": ["platform-events", "platform-invoices"]}


def test_rotation_stops_the_old_token_at_once(cli, session):
    old = _issued(cli("partners", "token", "OVO", "--kinds", "partner-results"))["token"]
    new = _issued(cli("partners", "token", "OVO", "--kinds", "partner-results,payout-accounts"))
    session.expire_all()
    assert grant_for(session, old) is None
    assert grant_for(session, new["token"]).kinds == {"partner-results", "payout-accounts"}
    assert len(session.scalars(select(PartnerToken)).all()) == 1
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["partner.token_issued", "partner.token_rotated"]


def test_unknown_kinds_or_a_bad_code_are_one_line_errors(cli, session):
    for args in (
        ("OVO", "--kinds", "partner-results,salaries"),
        ("OVO", "--kinds", ","),
        ("ovo", "--kinds", "partner-results"),
    ):
        result = cli("partners", "token", *args)
        assert result.exit_code != 0
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("error: ")
    assert session.scalars(select(PartnerToken)).all() == []
