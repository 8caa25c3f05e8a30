"""Tables of the training catalog."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from prakerja.storage.base import Base, Rupiah, UtcDateTime


class Provider(Base):
    """A training provider (lembaga pelatihan)."""

    __tablename__ = "providers"

    provider_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_name: Mapped[str] = mapped_column(String(200))


class Course(Base):
    """A course of the catalog, with its price from the training balance and its sessions."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("price_idr > 0", name="positive_price"),
        CheckConstraint("sessions >= 1", name="at_least_one_session"),
        CheckConstraint(
            "course_type IN ('WEBINAR', 'SELF_PACED', 'OFFLINE')", name="known_course_type"
        ),
    )

    course_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    provider_code: Mapped[str] = mapped_column(ForeignKey("providers.provider_code"), index=True)
    price_idr: Mapped[int] = mapped_column(Rupiah)
    hours: Mapped[int] = mapped_column(Integer)
    course_type: Mapped[str] = mapped_column(String(12))
    sessions: Mapped[int] = mapped_column(Integer)
    is_bundle: Mapped[bool]
    import_run_id: Mapped[int | None] = mapped_column(BigInteger)


class CourseCategory(Base):
    """A category of a course; a bundle has several."""

    __tablename__ = "course_categories"

    course_code: Mapped[str] = mapped_column(ForeignKey("courses.course_code"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)


class CoursePlatform(Base):
    """A digital platform that sells a course."""

    __tablename__ = "course_platforms"

    course_code: Mapped[str] = mapped_column(ForeignKey("courses.course_code"), primary_key=True)
    platform_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class ProviderCredential(Base):
    """A provider's API credentials: the secret only encrypted, replaced on every rotation."""

    __tablename__ = "provider_credentials"

    client_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
