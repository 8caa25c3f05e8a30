"""How long one participant's story takes among millions of rows (PostgreSQL).

Fills a fresh schema with N registrations over 20 waves (every fifth one
selected, with a card, a voucher and two attendances, a payout account, an
entitlement, an instruction with a SUCCESS, two training-balance ledger
entries, a survey answer; a break for one card in fifty), then times
`participant_story` and `find_participant` for random people.

    .venv/bin/python bench/participant_story.py --rows 1000000 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from prakerja.reporting.story import find_participant, participant_story
from prakerja.storage.db import make_engine, session_factory
from prakerja.storage.migrate import upgrade

FILL = [
    part.strip()
    for part in (Path(__file__).with_suffix(".sql")).read_text().split("\n;\n")
    if part.strip()
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--postgres", required=True)
    args = parser.parse_args()
    schema = f"story_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(args.postgres).url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        started = time.perf_counter()
        with engine.begin() as connection:
            for statement in FILL:
                connection.execute(text(statement), {"n": args.rows})
            connection.execute(text("ANALYZE"))
        print(f"filled {args.rows:,} registrations in {time.perf_counter() - started:.1f} s")
        _time_lookups(engine, args.rows, args.lookups)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _time_lookups(engine: object, rows: int, lookups: int) -> None:
    picker = random.Random(7)
    people = [5 * picker.randrange(1, rows // 5) for _ in range(lookups)]
    stories, finds = [], []
    with session_factory(engine)() as session:  # type: ignore[arg-type]
        for person in people:
            nik = f"{3171000000000000 + person:016d}"
            began = time.perf_counter()
            story = participant_story(session, nik=nik)
            stories.append(time.perf_counter() - began)
            assert story.card is not None
            assert story.entitlements
            assert story.purchases
            began = time.perf_counter()
            found = find_participant(session, query=story.instructions[0].instruction_id)
            finds.append(time.perf_counter() - began)
            assert found == nik
            session.rollback()
    for name, times in (
        ("participant_story", stories),
        ("find_participant (instruction id)", finds),
    ):
        ordered = sorted(times)
        print(
            f"{name}: median {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99) - 1] * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms "
            f"over {len(ordered)} people"
        )


if __name__ == "__main__":
    main()
