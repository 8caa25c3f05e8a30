"""Re-importing, in any order and any split, changes nothing (Hypothesis)."""

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from prakerja.ingest.pipeline import import_files
from prakerja.registry.loaders import ParticipantsLoader
from prakerja.registry.models import Registration
from prakerja.storage.db import unit_of_work
from tests.builders import PARTICIPANT_COLUMNS, participant, write_csv
from tests.conftest import empty_all_tables

POOL = [participant(wave=w) for w in (1, 2) for _ in range(6)] + [participant(nik="123")]


def stored(engine):
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Registration.wave, Registration.nik, Registration.full_name)
        ).all()
    return sorted(tuple(row) for row in rows)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=30),
    cut=st.integers(0, 30),
    seed=st.integers(0, 1000),
)
def test_any_split_and_repeat_gives_the_state_of_one_clean_import(
    engine, tmp_path: Path, picks, cut, seed
):
    rows = [POOL[i] for i in picks]
    empty_all_tables(engine)
    clean = write_csv(tmp_path / "clean.csv", PARTICIPANT_COLUMNS, rows)
    once = import_files(engine, ParticipantsLoader(), [clean])
    expected = stored(engine)

    empty_all_tables(engine)
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    first = write_csv(tmp_path / "a.csv", PARTICIPANT_COLUMNS, rows[:cut])
    second = write_csv(tmp_path / "b.csv", PARTICIPANT_COLUMNS, shuffled)
    import_files(engine, ParticipantsLoader(), [first, second])
    again = import_files(engine, ParticipantsLoader(), [clean])
    assert stored(engine) == expected
    assert again.loaded == 0
    assert again.duplicates + again.rejected == len(rows)
    assert once.loaded + once.duplicates + once.rejected + once.pending == len(rows)
