"""Tables of the tracking surveys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class SurveyResponse(Base):
    """A participant's accepted answer to survey `survey_no` (one per card and survey)."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("card_number", "survey_no"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(16))
    survey_no: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    submitted_on: Mapped[dt.date]
    employment_status: Mapped[str | None] = mapped_column(String(30))
    started_business: Mapped[bool | None] = mapped_column(Boolean)
    business_type: Mapped[str | None] = mapped_column(String(200))
    monthly_income_idr: Mapped[int | None] = mapped_column(Rupiah)
    skills_improved: Mapped[bool | None] = mapped_column(Boolean)
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)
