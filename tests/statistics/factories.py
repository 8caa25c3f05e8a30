"""A small program for the statistics' tests: people with cards, courses, purchases, answers.

Rows are added the way the loaders leave them, with literal values each test
can check its exported files against.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from prakerja.catalog.models import Course, CourseCategory, Provider
from prakerja.payouts.models import PayoutAccount
from prakerja.registry.models import Card, Registration, Wave
from prakerja.surveys.models import SurveyResponse
from prakerja.transactions.models import PlatformEvent, Voucher

D = dt.date
JAKARTA = dt.timezone(dt.timedelta(hours=7))
BORN = D(1990, 5, 1)
ISSUED = D(2020, 4, 17)


def at(day: D, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant of a Jakarta day, as UTC."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=JAKARTA).astimezone(dt.UTC)


@dataclass
class Program:
    """Builds one program's facts in a session; numbers are readable and unique."""

    session: Session
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _next(self) -> int:
        return next(self._serial)

    def wave(self, wave: int = 1, *, scheme: str = "PANDEMIC_2020") -> None:
        """Add a wave of a scheme."""
        now = at(D(2020, 4, 1))
        self.session.add(
            Wave(
                wave=wave,
                scheme=scheme,
                opens_on=D(2020, 4, 11),
                closes_on=D(2020, 4, 16),
                created_at=now,
                updated_at=now,
            )
        )
        self.session.flush()

    def person(
        self,
        *,
        name: str | None = None,
        born: D = BORN,
        phone: str | None = None,
        kk_number: str | None = None,
        nik: str | None = None,
        wave: int = 1,
        issued_on: D = ISSUED,
        province: str = "31",
        card: bool = True,
    ) -> str:
        """Register a person (and give them a card); return the card number (or the NIK)."""
        n = self._next()
        nik = nik or f"3171014705{n:06d}"
        registration = Registration(
            wave=wave,
            nik=nik,
            kk_number=kk_number or f"31710101{n:08d}",
            full_name=name or f"Peserta {n}",
            birth_date=born,
            province_code=province,
            phone=phone or f"0812{n:08d}",
            registered_at=at(issued_on - dt.timedelta(days=5)),
        )
        self.session.add(registration)
        self.session.flush()
        if not card:
            return nik
        number = f"52{n:014d}"
        self.session.add(
            Card(
                card_number=number,
                nik=nik,
                registration_id=registration.id,
                kk_number=registration.kk_number,
                wave=wave,
                scheme="PANDEMIC_2020",
                province_code=province,
                issued_on=issued_on,
                purchase_deadline=issued_on + dt.timedelta(days=30),
                balance_expires_on=D(2020, 12, 15),
                initial_balance_idr=1_000_000,
                balance_idr=1_000_000,
                status="ACTIVE",
            )
        )
        self.session.flush()
        return number

    def nik_of(self, card_number: str) -> str:
        """The NIK holding a card."""
        return self.session.get_one(Card, card_number).nik

    def course(
        self, code: str, *categories: str, hours: int = 12, course_type: str = "WEBINAR"
    ) -> str:
        """Add a course of one or more categories (several: a bundle)."""
        if self.session.get(Provider, "LP-1") is None:
            self.session.add(Provider(provider_code="LP-1", provider_name="Lembaga Satu"))
            self.session.flush()
        self.session.add(
            Course(
                course_code=code,
                title=f"Kursus {code}",
                provider_code="LP-1",
                price_idr=500_000,
                hours=hours,
                course_type=course_type,
                sessions=1 if course_type == "SELF_PACED" else 3,
                is_bundle=len(categories) > 1,
            )
        )
        self.session.add_all(CourseCategory(course_code=code, category=c) for c in categories)
        self.session.flush()
        return code

    def purchase(
        self,
        card_number: str,
        course: str,
        *,
        bought: dt.datetime,
        completed: dt.datetime | None = None,
        refunded_on: D | None = None,
    ) -> str:
        """Add a purchase (and its completion or refund); return the voucher code."""
        code = f"VCR{self._next():07d}"
        bought_on = bought.astimezone(JAKARTA).date()
        event = PlatformEvent(
            platform_code="TOKOPEDIA",
            event_id=f"EV-{code}",
            event_type="PURCHASE",
            occurred_at=bought,
            occurred_on=bought_on,
            card_number=card_number,
            course_code=course,
            voucher_code=code,
            amount_idr=500_000,
            state="APPLIED",
        )
        self.session.add(event)
        self.session.flush()
        self.session.add(
            Voucher(
                voucher_code=code,
                card_number=card_number,
                course_code=course,
                platform_code="TOKOPEDIA",
                purchase_event_id=event.id,
                purchased_at=bought,
                purchased_on=bought_on,
                amount_idr=500_000,
                completed_at=completed,
                completed_on=completed.astimezone(JAKARTA).date() if completed else None,
                refunded_at=at(refunded_on) if refunded_on else None,
                refunded_on=refunded_on,
            )
        )
        self.session.flush()
        return code

    def link(self, card_number: str, account: str, *, on: D, partner: str = "BNI") -> None:
        """Link a payout account to a card."""
        self.session.add(
            PayoutAccount(
                card_number=card_number,
                partner_code=partner,
                account_id=account,
                account_name="PESERTA",
                linked_at=at(on),
                linked_on=on,
            )
        )
        self.session.flush()

    def answer(
        self,
        card_number: str,
        survey_no: int,
        *,
        on: D,
        employment: str = "UNEMPLOYED",
        business: bool = False,
        skills: bool = True,
        income: int | None = 0,
    ) -> None:
        """Add an accepted survey answer."""
        self.session.add(
            SurveyResponse(
                card_number=card_number,
                survey_no=survey_no,
                submitted_at=at(on),
                submitted_on=on,
                employment_status=employment,
                started_business=business,
                monthly_income_idr=income,
                skills_improved=skills,
            )
        )
        self.session.flush()
