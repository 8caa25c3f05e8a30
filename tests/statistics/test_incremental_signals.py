"""Property: the daily run's signals, evaluated on the touched groups only, are first seen on
the same days as when the whole program is evaluated, day after day.

Two databases live the same program: people get cards (issued back-dated or
ahead), register again with another phone (also ahead), link payout accounts
(late or ahead), complete trainings fast or not (late or ahead), and change
their names; the names differ by case and white space, the phones by how
they are written. Each day both reconcile; one records the signals as the
daily run does (`record_signals`: the scoped run's keys), the other
evaluates everything. Their sightings agree after every day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from prakerja.operations.signals import record_signals
from prakerja.reconciliation.service import reconcile
from prakerja.registry.models import Registration
from prakerja.statistics import service
from prakerja.statistics.models import SignalSighting
from prakerja.statistics.touched import touched_tables
from prakerja.storage.db import make_engine, session_factory
from prakerja.storage.migrate import upgrade
from prakerja.transactions.models import Voucher
from tests.conftest import empty_all_tables, empty_database
from tests.statistics.factories import ISSUED, D, Program, at

START = D(2020, 4, 20)
DAY = dt.timedelta(days=1)
DAYS = 6
NAMES = ("Dewi Lestari", "DEWI  LESTARI", " dewi\tlestari ", "Dewi\u00a0Lestari", "Budi")
BORN = (D(1990, 5, 1), D(1991, 5, 1))
PHONES = ("081299990000", "+6281299990000", "6281299990000", "081377770000", "+6281377770000")
ACCOUNTS = ("777", "888")


@pytest.fixture(scope="module")
def twin_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A second migrated database (another SQLite file, or another PostgreSQL schema)."""
    with empty_database(tmp_path_factory.mktemp("twin"), "prakerja_signals_twin") as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


#: One thing that happens on a day: (what, whom, which value, days back (-) or ahead (+)).
events = st.tuples(
    st.sampled_from(["person", "register", "link", "purchase", "complete", "rename"]),
    st.integers(min_value=0, max_value=7),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=-3, max_value=2),
)
programs = st.lists(st.lists(events, max_size=6), min_size=DAYS, max_size=DAYS)


class Life:
    """One database's program, driven by the events; both twins make the same calls in order."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.program = Program(session)
        for wave in range(1, 5):
            self.program.wave(wave)
        self.program.course("SP", "IT", hours=10, course_type="SELF_PACED")
        self.cards = [self.program.person(), self.program.person()]
        self.waves: dict[str, int] = {}
        self.vouchers: list[str] = []
        self.linked: set[tuple[str, int, dt.date]] = set()

    def happen(self, event: tuple[str, int, int, int], day: dt.date) -> None:
        """Apply one event on `day` (an event that cannot apply does nothing)."""
        kind, who, value, shift = event
        when = day + shift * DAY
        card = self.cards[who % len(self.cards)]
        program = self.program
        if kind == "person":
            self.cards.append(
                program.person(
                    name=NAMES[value % len(NAMES)],
                    born=BORN[value % len(BORN)],
                    phone=PHONES[value % len(PHONES)],
                    issued_on=when,
                )
            )
        elif kind == "register":
            nik = program.nik_of(card)
            wave = self.waves.get(nik, 1) + 1
            if wave <= 4:
                self.waves[nik] = wave
                registered = program.person(
                    phone=PHONES[value % len(PHONES)], nik=nik, wave=wave, card=False
                )
                self._set(
                    Registration.nik == registered,
                    Registration.wave == wave,
                    registered_at=at(when),
                )
        elif kind == "link" and (card, value % len(ACCOUNTS), when) not in self.linked:
            self.linked.add((card, value % len(ACCOUNTS), when))
            program.link(card, ACCOUNTS[value % len(ACCOUNTS)], on=when)
        elif kind == "purchase":
            bought = at(when - DAY)
            completed = at(when, 8 if value % 2 else 20) if value < 8 else None
            self.vouchers.append(program.purchase(card, "SP", bought=bought, completed=completed))
        elif kind == "complete" and self.vouchers:
            code = self.vouchers[value % len(self.vouchers)]
            done = {"completed_at": at(when, 8), "completed_on": when}
            self.session.execute(
                update(Voucher)
                .where(Voucher.voucher_code == code, Voucher.completed_on.is_(None))
                .values(**done)
            )
        elif kind == "rename":
            self.session.execute(
                update(Registration)
                .where(Registration.nik == program.nik_of(card), Registration.wave == 1)
                .values(full_name=NAMES[value % len(NAMES)], birth_date=BORN[value % len(BORN)])
            )

    def _set(self, *where: object, registered_at: dt.datetime) -> None:
        self.session.execute(update(Registration).where(*where).values(registered_at=registered_at))

    def sightings(self) -> list[tuple[object, ...]]:
        """Every sighting, every column, in id order."""
        self.session.expire_all()
        rows = self.session.execute(select(SignalSighting).order_by(SignalSighting.signal_id))
        return [(s.signal_id, s.signal_type, s.subject, s.first_seen_on) for (s,) in rows.all()]


@settings(
    max_examples=int(os.environ.get("PRAKERJA_SIGNAL_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
def test_touched_groups_record_what_the_whole_program_records(
    engine, session, twin_engine, program, monkeypatch
):
    session.rollback()
    empty_all_tables(engine)
    empty_all_tables(twin_engine)
    session.expire_all()
    scoped_days = []

    def spy(session_: Session, **kwargs: object) -> object:
        scoped_days.append(kwargs["day"])
        return touched_tables(session_, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "touched_tables", spy)
    with session_factory(twin_engine)() as twin:
        daily, whole = Life(session), Life(twin)
        for offset, day_events in enumerate(program):
            day = START + offset * DAY
            for life in (daily, whole):
                for event in day_events:
                    life.happen(event, day)
                life.session.commit()
            record_signals(session, reconcile(session, day=day, actor="daily"))
            session.commit()
            reconcile(twin, day=day, actor="daily")
            service.evaluate_signals(twin, day=day)
            twin.commit()
            assert daily.sightings() == whole.sightings(), day
        assert scoped_days == [START + n * DAY for n in range(1, DAYS)]


def test_a_run_no_evaluation_followed_makes_the_next_evaluate_everything(
    session, program, monkeypatch
):
    """A run (the staff page's) takes the queue without the signals: the next one reads all."""
    scoped_days = []

    def spy(session_: Session, **kwargs: object) -> object:
        scoped_days.append(kwargs["day"])
        return touched_tables(session_, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "touched_tables", spy)
    program.wave(1)
    cards = [program.person() for _ in range(3)]
    for card in cards[:2]:
        program.link(card, "777", on=START)
    session.commit()
    for day in (START, START + DAY):
        record_signals(session, reconcile(session, day=day, actor="daily"))
        session.commit()
    program.link(cards[2], "777", on=START)
    session.commit()
    reconcile(session, day=START + DAY, actor="staff")
    session.commit()
    assert record_signals(session, reconcile(session, day=START + 2 * DAY, actor="daily")) == (
        1,
        1,
    )
    assert scoped_days == [START + DAY]


def test_a_card_holders_registration_is_queued_under_its_jakarta_day(session, program):
    """A NIK holding a card is queued when it registers again; one holding none is not."""
    from prakerja.reconciliation.models import ReconciliationChange

    program.wave(1)
    program.wave(2)
    card = program.person()
    session.execute(ReconciliationChange.__table__.delete())
    nik = program.person(nik=program.nik_of(card), wave=2, card=False)
    program.person(card=False)
    registered = at(START, 23)  # 23:00 in Jakarta: 16:00 UTC, the same day
    session.execute(
        update(Registration).where(Registration.nik == nik).values(registered_at=registered)
    )
    session.flush()
    queued = session.execute(
        select(ReconciliationChange.nik, ReconciliationChange.on_day).distinct()
    ).all()
    assert sorted(queued, key=str) == sorted({(nik, ISSUED - 5 * DAY), (nik, START)}, key=str)
