"""One participant's story: everything the program knows and did about one NIK.

A read model shared by the staff pages and the participant's own page
(`/saya`). Each domain is read through its own small reader functions
(`<domain>/person.py`), each by an indexed key (NIK, card number, voucher
code, instruction id), so a story answers in milliseconds among millions of
rows. Masking is the page's job: the story holds the values as stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from prakerja.catalog.person import course_titles
from prakerja.kit.clock import jakarta_date, utc_now
from prakerja.kit.mask import mask_account, mask_card, mask_nik, mask_phone
from prakerja.kit.nik import is_sixteen_digits
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.person import AccountMovement, account_movements
from prakerja.participants.service import GrievanceView, participant_grievances
from prakerja.payouts.person import (
    CardAccount,
    CardInstruction,
    card_accounts,
    card_entitlements,
    card_instructions,
    instruction_card,
)
from prakerja.reconciliation.person import CardBreak, card_breaks
from prakerja.recovery.service import Claim, HowToRepay, claims_for_card, how_to_repay
from prakerja.registry.person import (
    PersonCard,
    PersonRegistration,
    card_holder,
    person_card,
    person_registrations,
)
from prakerja.reporting.story_steps import (
    EntitlementStory,
    NextStep,
    Step,
    SurveyStory,
    entitlement_stories,
    next_steps,
    repayment_steps,
    survey_stories,
)
from prakerja.surveys.person import card_answers, survey_windows
from prakerja.transactions.person import CardPurchase, card_purchases, voucher_card

__all__ = [
    "AccountMovement",
    "CardAccount",
    "CardBreak",
    "CardInstruction",
    "CardPurchase",
    "Claim",
    "ClaimStory",
    "EntitlementStory",
    "GrievanceView",
    "HowToRepay",
    "NextStep",
    "ParticipantStory",
    "PersonCard",
    "PersonRegistration",
    "PurchaseStory",
    "Step",
    "SurveyStory",
    "find_participant",
    "mask_account",
    "mask_card",
    "mask_nik",
    "mask_phone",
    "participant_story",
]

#: The longest search text `find_participant` looks up (ids are at most 60 characters).
MAX_QUERY_LENGTH = 80


@dataclass(frozen=True)
class PurchaseStory:
    """A voucher bought with the card, with its course's title when the catalog knows it."""

    purchase: CardPurchase
    course_title: str | None


@dataclass(frozen=True)
class ClaimStory:
    """A recovery claim on the card, and how its holder repays it."""

    claim: Claim
    repay: HowToRepay


@dataclass(frozen=True)
class ParticipantStory:
    """Everything about one NIK, as of a day (the Jakarta calendar day by default)."""

    nik: str
    as_of: dt.date
    full_name: str | None
    phone: str | None
    """The phone of the latest registration (where one-time codes go)."""
    registrations: tuple[PersonRegistration, ...]
    cards: tuple[PersonCard, ...]
    balance_movements: tuple[AccountMovement, ...]
    purchases: tuple[PurchaseStory, ...]
    payout_accounts: tuple[CardAccount, ...]
    entitlements: tuple[EntitlementStory, ...]
    instructions: tuple[CardInstruction, ...]
    breaks: tuple[CardBreak, ...]
    surveys: tuple[SurveyStory, ...]
    next_steps: tuple[NextStep, ...]
    grievances: tuple[GrievanceView, ...] = ()
    """The participant's grievances (pengaduan), newest first."""
    claims: tuple[ClaimStory, ...] = ()
    """What the participant was asked to repay (ineligible payments), as of `as_of`."""

    @property
    def owed_claims(self) -> tuple[ClaimStory, ...]:
        """Return the claims not yet repaid in full."""
        return tuple(c for c in self.claims if c.claim.outstanding_idr > 0)

    @property
    def card(self) -> PersonCard | None:
        """Return the person's card (one per NIK for life), or None."""
        return self.cards[0] if self.cards else None

    @property
    def is_known(self) -> bool:
        """Return True when the NIK has registered at least once."""
        return bool(self.registrations or self.cards)


def participant_story(
    session: Session, *, nik: str, as_of: dt.date | None = None
) -> ParticipantStory:
    """Return the story of one NIK (empty parts when the program knows nothing of it)."""
    day = as_of or jakarta_date(utc_now())
    registrations = person_registrations(session, nik=nik)
    card = person_card(session, nik=nik)
    latest = registrations[-1] if registrations else None
    parts = _card_parts(session, card, day) if card else _CardParts()
    return ParticipantStory(
        nik=nik,
        as_of=day,
        full_name=latest.full_name if latest else None,
        phone=latest.phone if latest else None,
        registrations=tuple(registrations),
        cards=(card,) if card else (),
        balance_movements=parts.balance_movements,
        purchases=parts.purchases,
        payout_accounts=parts.payout_accounts,
        entitlements=parts.entitlements,
        instructions=parts.instructions,
        breaks=parts.breaks,
        surveys=parts.surveys,
        next_steps=parts.next_steps,
        grievances=tuple(participant_grievances(session, nik=nik)),
        claims=parts.claims,
    )


@dataclass(frozen=True)
class _CardParts:
    """The parts of a story that hang on a card (none without one)."""

    balance_movements: tuple[AccountMovement, ...] = ()
    purchases: tuple[PurchaseStory, ...] = ()
    payout_accounts: tuple[CardAccount, ...] = ()
    entitlements: tuple[EntitlementStory, ...] = ()
    instructions: tuple[CardInstruction, ...] = ()
    breaks: tuple[CardBreak, ...] = ()
    surveys: tuple[SurveyStory, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    claims: tuple[ClaimStory, ...] = ()


def _card_parts(session: Session, card: PersonCard, day: dt.date) -> _CardParts:
    """Read every part of the story that hangs on a card."""
    number = card.card_number
    purchases = card_purchases(session, card_number=number)
    titles = course_titles(session, course_codes=sorted({p.course_code for p in purchases}))
    accounts = card_accounts(session, card_number=number)
    instructions = card_instructions(session, card_number=number)
    entitlements = entitlement_stories(card_entitlements(session, card_number=number), instructions)
    first_paid = next(
        (e.paid_on for e in entitlements if e.kind == "POST_TRAINING" and e.tranche == 1), None
    )
    windows = survey_windows(scheme=card.scheme, first_paid_on=first_paid)
    surveys = survey_stories(windows, card_answers(session, card_number=number), day)
    claims = claims_for_card(session, card_number=number, as_of=day)
    steps = repayment_steps(claims) + next_steps(card, purchases, accounts, entitlements, surveys)
    return _CardParts(
        balance_movements=tuple(
            account_movements(session, account_name=account(AccountKind.TRAINING_BALANCE, number))
        ),
        purchases=tuple(PurchaseStory(p, titles.get(p.course_code)) for p in purchases),
        payout_accounts=tuple(accounts),
        entitlements=tuple(entitlements),
        instructions=tuple(instructions),
        breaks=tuple(card_breaks(session, card_number=number)),
        surveys=tuple(surveys),
        next_steps=tuple(steps),
        claims=tuple(ClaimStory(c, how_to_repay(c)) for c in claims),
    )


def find_participant(session: Session, *, query: str) -> str | None:
    """Return the NIK a NIK, card number, voucher code or instruction id belongs to, or None."""
    text = query.strip()
    if not text or len(text) > MAX_QUERY_LENGTH:
        return None
    if is_sixteen_digits(text):
        holder = card_holder(session, card_number=text)
        if holder:
            return holder
        if person_card(session, nik=text) or person_registrations(session, nik=text):
            return text
    card = voucher_card(session, voucher_code=text) or instruction_card(
        session, instruction_id=text
    )
    return card_holder(session, card_number=card) if card else None
