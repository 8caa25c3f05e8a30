"""Accounts: `prakerja users add/disable`, sign-in lock-out, sessions in the database."""

import datetime as dt

from sqlalchemy import select

from prakerja.accounts.models import StaffAccount
from prakerja.accounts.service import add_account, sign_in, signed_in
from prakerja.audit.models import AuditEvent

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def test_users_add_prints_a_password_once_and_stores_only_a_hash(cli, session):
    added = cli("users", "add", "sari", "--role", "OPERATOR")
    assert added.exit_code == 0, added.stderr
    lines = added.stdout.splitlines()
    assert lines[0] == "username=sari"
    password = lines[1].removeprefix("password=")
    assert len(password) >= 16
    stored = session.scalars(select(StaffAccount)).one()
    assert password not in stored.password_hash and stored.password_hash.startswith("$argon2")
    assert cli("users", "add", "sari", "--role", "AUDITOR").exit_code != 0
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions == ["account.added"]


def test_users_add_refuses_a_bad_role_and_a_partner_without_code(cli):
    bad = cli("users", "add", "x", "--role", "BOSS")
    assert bad.exit_code != 0 and len(bad.stderr.strip().splitlines()) == 1
    assert "PARTNER" in bad.stderr
    assert cli("users", "add", "bank", "--role", "PARTNER").exit_code != 0
    assert cli("users", "add", "bank", "--role", "PARTNER", "--partner", "BNI").exit_code == 0


def test_users_disable_ends_sessions(cli, session):
    password = cli("users", "add", "dewi", "--role", "FINANCE").stdout.splitlines()[1][9:]
    token = sign_in(session, username="dewi", password=password).token
    session.commit()
    assert signed_in(session, token) is not None
    assert cli("users", "disable", "dewi").exit_code == 0
    session.expire_all()
    assert signed_in(session, token) is None
    assert sign_in(session, username="dewi", password=password).token is None
    assert cli("users", "disable", "nobody").exit_code != 0


def test_the_sixth_attempt_is_refused_even_with_the_right_password(session):
    password = add_account(session, username="budi", role="AUDITOR", actor="t").password
    for minute in range(5):
        at = T0 + dt.timedelta(minutes=minute)
        assert sign_in(session, username="budi", password="wrong", now=at).refused == "wrong"
    at = T0 + dt.timedelta(minutes=5)
    assert sign_in(session, username="budi", password=password, now=at).refused == "locked"
    later = T0 + dt.timedelta(minutes=20)
    assert sign_in(session, username="budi", password=password, now=later).token is not None


def test_a_session_ends_after_8_hours(session):
    password = add_account(session, username="rina", role="OPERATOR", actor="t").password
    token = sign_in(session, username="rina", password=password, now=T0).token
    assert signed_in(session, token, now=T0 + dt.timedelta(hours=7, minutes=59)) is not None
    assert signed_in(session, token, now=T0 + dt.timedelta(hours=8)) is None
