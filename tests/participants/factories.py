"""Registered people for the participants' door: a wave and registrations with phones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from prakerja.registry.models import Registration, Wave

KEY = "test-key-0123456789abcdef"
NOW = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)


def register(
    session: Session, nik: str, *, wave: int = 1, phone: str | None = "0812-3456-7801"
) -> None:
    """Store a registration of a NIK for a wave (the wave is created when missing)."""
    if session.scalar(select(Wave.wave).where(Wave.wave == wave)) is None:
        stamp = dt.datetime(2020, 4, 1, tzinfo=dt.UTC)
        session.execute(
            insert(Wave).values(
                wave=wave,
                scheme="PANDEMIC_2020",
                opens_on=dt.date(2020, 4, 1),
                closes_on=dt.date(2020, 4, 10),
                created_at=stamp,
                updated_at=stamp,
            )
        )
    session.execute(
        insert(Registration).values(
            wave=wave, nik=nik, kk_number="3171010000000001", full_name="Siti Aminah", phone=phone
        )
    )
