"""Tables of the integrity signals: each signal's first sighting and the days evaluated."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, UtcDateTime


class SignalSighting(Base):
    """A signal (type, subject) under its stable id, with the first day on which it held."""

    __tablename__ = "signal_sightings"
    __table_args__ = (Index("ix_signal_sightings_first_seen_on", "first_seen_on"),)

    signal_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    signal_type: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    first_seen_on: Mapped[dt.date]


class SignalEvaluation(Base):
    """A business day on which the signals were evaluated and their sightings recorded."""

    __tablename__ = "signal_evaluations"

    evaluated_on: Mapped[dt.date] = mapped_column(primary_key=True)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    run_id: Mapped[int | None] = mapped_column(BigInteger)
    """The reconciliation run whose changed keys this day's evaluation took last (None: none)."""
