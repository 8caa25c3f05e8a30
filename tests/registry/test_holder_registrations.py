"""Property: `holder_registrations` holds exactly the registrations of the NIKs that hold a card.

The triggers of migration 0017 keep it in the writing transaction, whatever
the order: registrations before or after the card, in several waves, with
their phone, birth date or NIK corrected afterwards. The integrity signals
find a changed group's members there (by NIK, phone and birth date).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from prakerja.registry.models import Card, HolderRegistration, Registration
from prakerja.storage.db import session_factory
from tests.conftest import empty_all_tables
from tests.statistics.factories import Program

NIKS = [f"31710147050000{n:02d}" for n in range(3)]
PHONES = [None, "081200000001", "+6281200000002"]
BORN = [None, dt.date(1990, 5, 1), dt.date(1991, 6, 2)]

operation = st.one_of(
    st.tuples(
        st.just("register"),
        st.sampled_from(NIKS),
        st.integers(1, 3),
        st.sampled_from(PHONES),
        st.sampled_from(BORN),
    ),
    st.tuples(st.just("card"), st.sampled_from(NIKS)),
    st.tuples(
        st.just("correct"),
        st.integers(0, 20),
        st.sampled_from(NIKS),
        st.sampled_from(PHONES),
        st.sampled_from(BORN),
    ),
)


def _apply(session: Session, program: Program, step: tuple[object, ...]) -> None:
    kind = step[0]
    taken = {tuple(row) for row in session.execute(select(Registration.wave, Registration.nik))}
    if kind == "register":
        _, nik, wave, phone, born = step
        if (wave, nik) not in taken:  # (no phone: the factory writes one of its own)
            program.person(nik=str(nik), wave=int(str(wave)), card=False, phone=phone, born=born)
    elif kind == "card":
        _, nik = step
        registration = session.scalar(select(Registration).where(Registration.nik == nik).limit(1))
        if registration is not None and session.scalar(select(Card).where(Card.nik == nik)) is None:
            _issue(session, registration)
    else:
        _, which, nik, phone, born = step
        ids = sorted(session.scalars(select(Registration.id)))
        if ids:
            chosen = session.get_one(Registration, ids[int(str(which)) % len(ids)])
            held = session.scalar(select(Card).where(Card.registration_id == chosen.id))
            keeps_nik = held is not None or (chosen.wave, nik) in taken
            chosen.nik = chosen.nik if keeps_nik else str(nik)
            chosen.phone, chosen.birth_date = phone, born
    session.flush()


def _issue(session: Session, registration: Registration) -> None:
    issued = dt.date(2020, 4, 17)
    session.add(
        Card(
            card_number=f"52{registration.id:014d}",
            nik=registration.nik,
            registration_id=registration.id,
            kk_number=registration.kk_number,
            wave=registration.wave,
            scheme="PANDEMIC_2020",
            province_code="31",
            issued_on=issued,
            purchase_deadline=issued + dt.timedelta(days=30),
            balance_expires_on=dt.date(2020, 12, 15),
            initial_balance_idr=1_000_000,
            balance_idr=1_000_000,
            status="ACTIVE",
        )
    )


def _expected(session: Session) -> set[tuple[object, ...]]:
    holders = select(Card.nik)
    rows = session.execute(
        select(
            Registration.id,
            Registration.nik,
            Registration.phone,
            Registration.birth_date,
            Registration.registered_at,
        ).where(Registration.nik.in_(holders))
    )
    return {tuple(row) for row in rows}


def _kept(session: Session) -> set[tuple[object, ...]]:
    rows = session.execute(
        select(
            HolderRegistration.registration_id,
            HolderRegistration.nik,
            HolderRegistration.phone,
            HolderRegistration.birth_date,
            HolderRegistration.registered_at,
        )
    )
    return {tuple(row) for row in rows}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operation, min_size=1, max_size=14))
@example(  # a card holder registers again, then corrects both registrations
    steps=[
        ("register", NIKS[0], 1, PHONES[1], BORN[1]),
        ("card", NIKS[0]),
        ("register", NIKS[0], 2, PHONES[2], BORN[2]),
        ("correct", 0, NIKS[1], PHONES[2], None),
        ("correct", 1, NIKS[1], None, BORN[1]),
    ]
)
def test_the_copy_holds_every_registration_of_every_card_holder(engine: Engine, steps):
    empty_all_tables(engine)
    with session_factory(engine)() as session:
        program = Program(session)
        for wave in (1, 2, 3):
            program.wave(wave)
        for step in steps:
            _apply(session, program, step)
            assert _kept(session) == _expected(session), step
        session.commit()
        assert _kept(session) == _expected(session)
