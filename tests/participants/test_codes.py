"""One-time codes: only hashes stored, 10 minutes, five attempts, three per NIK per hour."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from prakerja.participants.models import ParticipantSession, SignInCode
from prakerja.participants.rules import normalise_phone
from prakerja.participants.service import request_code, sign_in, sign_out, signed_in_nik
from tests.participants.factories import KEY, NOW, register

NIK = "3171014508900001"
MINUTE = dt.timedelta(minutes=1)


def _code(message):
    [code] = re.findall(r"\d{6}", message.text)
    assert not re.search(r"\d{7}", message.text)
    return code


def test_a_code_goes_to_the_latest_registrations_phone_and_only_its_hash_is_kept(session):
    register(session, NIK, wave=1, phone="081111111111")
    register(session, NIK, wave=2, phone="0812 3456 7801")
    message = request_code(session, nik=NIK, key=KEY, now=NOW)
    session.commit()
    assert message is not None
    assert (message.channel, message.to) == ("sms", "+6281234567801")
    code = _code(message)
    stored = session.scalars(select(SignInCode)).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert stored.expires_at == NOW + 10 * MINUTE
    token = sign_in(session, nik=NIK, code=code, key=KEY, now=NOW + MINUTE)
    assert token is not None
    [kept] = session.scalars(select(ParticipantSession)).all()
    assert kept.id_hash != token and token not in kept.id_hash
    assert signed_in_nik(session, token=token, now=NOW + 2 * MINUTE) == NIK
    assert signed_in_nik(session, token=token, now=NOW + 31 * MINUTE) is None
    assert sign_in(session, nik=NIK, code=code, key=KEY, now=NOW + MINUTE) is None, "used once"


def test_a_code_expires_after_ten_minutes(session):
    register(session, NIK)
    code = _code(request_code(session, nik=NIK, key=KEY, now=NOW))
    assert sign_in(session, nik=NIK, code=code, key=KEY, now=NOW + 10 * MINUTE) is None
    assert sign_in(session, nik=NIK, code=code, key=KEY, now=NOW + 9 * MINUTE) is not None


def test_five_attempts_then_even_the_right_code_is_refused(session):
    register(session, NIK)
    code = _code(request_code(session, nik=NIK, key=KEY, now=NOW))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert sign_in(session, nik=NIK, code=wrong, key=KEY, now=NOW + MINUTE) is None
    assert sign_in(session, nik=NIK, code=code, key=KEY, now=NOW + MINUTE) is None
    assert session.scalars(select(SignInCode.attempts)).one() == 5


def test_the_fifth_attempt_may_be_the_right_one(session):
    register(session, NIK)
    code = _code(request_code(session, nik=NIK, key=KEY, now=NOW))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert sign_in(session, nik=NIK, code=wrong, key=KEY, now=NOW + MINUTE) is None
    assert sign_in(session, nik=NIK, code=code, key=KEY, now=NOW + MINUTE) is not None


def test_three_codes_per_nik_per_hour(session):
    register(session, NIK)
    sent = [request_code(session, nik=NIK, key=KEY, now=NOW + i * MINUTE) for i in range(5)]
    assert [m is not None for m in sent] == [True, True, True, False, False]
    assert request_code(session, nik=NIK, key=KEY, now=NOW + 59 * MINUTE) is None
    assert request_code(session, nik=NIK, key=KEY, now=NOW + 60 * MINUTE) is not None
    assert request_code(session, nik=NIK, key=KEY, now=NOW + 60 * MINUTE) is None
    session.commit()
    assert len(session.scalars(select(SignInCode)).all()) == 4


def test_only_the_latest_code_counts(session):
    register(session, NIK)
    first = _code(request_code(session, nik=NIK, key=KEY, now=NOW))
    second = _code(request_code(session, nik=NIK, key=KEY, now=NOW + MINUTE))
    if first != second:
        assert sign_in(session, nik=NIK, code=first, key=KEY, now=NOW + 2 * MINUTE) is None
    assert sign_in(session, nik=NIK, code=second, key=KEY, now=NOW + 2 * MINUTE) is not None


def test_an_unknown_nik_takes_the_same_path_and_can_never_sign_in(session):
    unknown = "3171010101900009"
    assert request_code(session, nik=unknown, key=KEY, now=NOW) is None
    [stored] = session.scalars(select(SignInCode)).all()
    assert (stored.nik, stored.delivered) == (unknown, False)
    for guess in ("000000", "123456", "999999"):
        assert sign_in(session, nik=unknown, code=guess, key=KEY, now=NOW + MINUTE) is None
    assert [request_code(session, nik=unknown, key=KEY, now=NOW) for _ in range(3)] == [None] * 3
    assert len(session.scalars(select(SignInCode)).all()) == 3, "the same limit applies"


def test_sign_out_ends_the_session(session):
    register(session, NIK)
    code = _code(request_code(session, nik=NIK, key=KEY, now=NOW))
    token = sign_in(session, nik=NIK, code=code, key=KEY, now=NOW)
    sign_out(session, token=token, now=NOW + MINUTE)
    assert signed_in_nik(session, token=token, now=NOW + MINUTE) is None


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("081234567801", "+6281234567801"),
        ("+62 812-3456-7801", "+6281234567801"),
        ("6281234567801", "+6281234567801"),
        ("81234567801", "+6281234567801"),
        ("(0812) 3456 7801", "+6281234567801"),
        ("+1 555 0100", None),
        ("0812", None),
        ("not a phone", None),
        ("", None),
        (None, None),
    ],
)
def test_phones_are_normalised_to_plus_62(raw, normal):
    assert normalise_phone(raw) == normal


def test_a_registered_and_an_unknown_nik_run_the_same_statements(session, engine):
    from sqlalchemy import event

    register(session, NIK)
    session.commit()
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        shape = re.sub(r"sa_savepoint_\d+", "sp", re.sub(r"\s+", " ", statement))
        seen.append(shape.split(" WHERE ")[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert request_code(session, nik=NIK, key=KEY, now=NOW) is not None
        registered, seen[:] = list(seen), []
        assert request_code(session, nik="3171010101900009", key=KEY, now=NOW) is None
        unknown = list(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert registered == unknown
    assert any(s.startswith("INSERT INTO sign_in_codes") for s in unknown)
