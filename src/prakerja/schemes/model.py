"""The shape of a scheme file, validated by Pydantic."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ListCode(StrEnum):
    """Barring lists (daftar hitam) a scheme may apply."""

    STUDENT = "STUDENT"
    """School and madrasah registers."""
    CIVIL_SERVANT = "CIVIL_SERVANT"
    """Civil servants (ASN)."""
    MILITARY_POLICE = "MILITARY_POLICE"
    """Armed forces and police (TNI/Polri)."""
    LEGISLATOR = "LEGISLATOR"
    """Members of parliament and regional councils."""
    SOE_EXECUTIVE = "SOE_EXECUTIVE"
    """Directors and commissioners of state-owned enterprises."""
    VILLAGE_OFFICIAL = "VILLAGE_OFFICIAL"
    """Village heads and officials."""
    SOCIAL_ASSISTANCE = "SOCIAL_ASSISTANCE"
    """Recipients of social assistance (DTKS)."""
    WAGE_SUBSIDY = "WAGE_SUBSIDY"
    """Recipients of the wage subsidy (BSU)."""
    MICRO_GRANT = "MICRO_GRANT"
    """Recipients of the micro-business grant (BPUM)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeLimits(_Strict):
    """Age limits, counted on the selection date; `maximum` may be open."""

    minimum: int = Field(ge=0, le=120)
    maximum: int | None = Field(default=None, ge=0, le=120)


class MonthDay(_Strict):
    """A day of the year, such as 15 December."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    def in_year(self, year: int) -> dt.date:
        """Return this day in the given year."""
        return dt.date(year, self.month, self.day)


class PostTrainingIncentive(_Strict):
    """The monthly incentive after training: amount, number of tranches and their interval."""

    amount_idr: int = Field(gt=0)
    tranches: int = Field(ge=1, le=24)
    interval_days: int = Field(ge=1)


class SurveyIncentive(_Strict):
    """The incentive per tracking survey answered within its window."""

    amount_idr: int = Field(ge=0)
    surveys: int = Field(ge=0, le=12)
    opens_every_days: int = Field(ge=1)
    open_for_days: int = Field(ge=0)


class Scheme(_Strict):
    """One scheme: the rules a wave's cards follow from selection to the last incentive."""

    code: str = Field(pattern=r"^[A-Z0-9_]+$")
    name: str
    age: AgeLimits
    barring_lists: tuple[ListCode, ...]
    max_monthly_income_idr: int | None = Field(default=None, gt=0)
    training_balance_idr: int = Field(gt=0)
    balance_spendable_until: MonthDay
    first_purchase_within_days: int = Field(ge=0)
    post_training_incentive: PostTrainingIncentive
    survey_incentive: SurveyIncentive
    partner_result_sla_days: int = Field(default=1, ge=0)
    family_card_limit: int = Field(default=2, ge=1)
    """At most this many participants of one family card (KK) ever hold a card."""

    @model_validator(mode="after")
    def _ages_in_order(self) -> Scheme:
        if self.age.maximum is not None and self.age.maximum < self.age.minimum:
            raise ValueError("age.maximum is below age.minimum")
        return self

    def purchase_deadline(self, issued_on: dt.date) -> dt.date:
        """Return the last day a card issued on `issued_on` may make its first purchase."""
        return issued_on + dt.timedelta(days=self.first_purchase_within_days)

    def balance_expiry(self, issued_on: dt.date) -> dt.date:
        """Return the last day the training balance of a card issued then may be spent."""
        return self.balance_spendable_until.in_year(issued_on.year)
