"""Pure rules of a participant's story: where each incentive and survey stands, what is next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from prakerja.payouts.person import CardAccount, CardEntitlement, CardInstruction
from prakerja.recovery.service import Claim
from prakerja.registry.person import PersonCard
from prakerja.surveys.person import SurveyWindow
from prakerja.transactions.person import CardPurchase

ACTIVE = "ACTIVE"


class IncentiveState(StrEnum):
    """Where one incentive (entitlement) stands for the participant."""

    DUE = "DUE"
    """Fallen due, not yet sent to a payment partner."""
    HELD = "HELD"
    """Held: the participant is on a barring list (or the card was revoked)."""
    SENT = "SENT"
    """Sent to a payment partner, no answer yet."""
    PAID = "PAID"
    """Credited to the participant's account."""
    FAILED = "FAILED"
    """The latest attempt failed; a new account is needed before it is sent again."""


class SurveyState(StrEnum):
    """Where one tracking survey stands for the participant."""

    UPCOMING = "UPCOMING"
    """Not open yet."""
    OPEN = "OPEN"
    """Open today and not answered."""
    ANSWERED = "ANSWERED"
    """Answered."""
    MISSED = "MISSED"
    """Closed without an answer."""


class Step(StrEnum):
    """Something that waits on the participant."""

    LINK_ACCOUNT = "LINK_ACCOUNT"
    """Link a bank or e-wallet account, so incentives can be paid."""
    REVIEW_TRAINING = "REVIEW_TRAINING"
    """Review a completed training (the first incentive waits for it)."""
    RELINK_ACCOUNT = "RELINK_ACCOUNT"
    """A payment failed: link a new account so it is sent again."""
    ANSWER_SURVEY = "ANSWER_SURVEY"
    """A tracking survey is open: answer it before it closes."""
    REPAY_CLAIM = "REPAY_CLAIM"
    """An ineligible payment must be repaid (the subject is the claim id to quote)."""


@dataclass(frozen=True)
class EntitlementStory:
    """One incentive with its state and its payment attempts (oldest first)."""

    kind: str
    tranche: int
    amount_idr: int
    due_on: dt.date
    state: IncentiveState
    held_reason: str | None
    paid_on: dt.date | None
    instructions: tuple[CardInstruction, ...]

    @property
    def latest(self) -> CardInstruction | None:
        """Return the latest payment attempt, or None."""
        return self.instructions[-1] if self.instructions else None


@dataclass(frozen=True)
class SurveyStory:
    """One tracking survey's window, and whether it was answered."""

    survey_no: int
    opens_on: dt.date
    closes_on: dt.date
    answered_on: dt.date | None
    state: SurveyState


@dataclass(frozen=True)
class NextStep:
    """What the participant should do, about what (`subject`), and by when if known."""

    step: Step
    subject: str | None = None
    by: dt.date | None = None


def entitlement_stories(
    entitlements: Sequence[CardEntitlement], instructions: Sequence[CardInstruction]
) -> list[EntitlementStory]:
    """Attach its attempts to each entitlement and say where it stands."""
    attempts: dict[int, list[CardInstruction]] = {}
    for instruction in sorted(instructions, key=lambda i: i.attempt):
        attempts.setdefault(instruction.entitlement_id, []).append(instruction)
    stories = []
    for entitlement in entitlements:
        own = tuple(attempts.get(entitlement.entitlement_id, ()))
        stories.append(
            EntitlementStory(
                kind=entitlement.kind,
                tranche=entitlement.tranche,
                amount_idr=entitlement.amount_idr,
                due_on=entitlement.due_on,
                state=_incentive_state(entitlement, own),
                held_reason=entitlement.held_reason,
                paid_on=entitlement.paid_on,
                instructions=own,
            )
        )
    return stories


def _incentive_state(
    entitlement: CardEntitlement, attempts: tuple[CardInstruction, ...]
) -> IncentiveState:
    """Return where an entitlement stands from its paid day, hold and latest attempt."""
    if entitlement.paid_on is not None:
        return IncentiveState.PAID
    latest = attempts[-1] if attempts else None
    if latest is not None and latest.state == "OPEN":
        return IncentiveState.SENT
    if entitlement.held_from is not None:
        return IncentiveState.HELD
    if latest is not None and latest.state == "FAILED":
        return IncentiveState.FAILED
    return IncentiveState.DUE


def survey_stories(
    windows: Sequence[SurveyWindow], answers: dict[int, dt.date], today: dt.date
) -> list[SurveyStory]:
    """Say where each survey window stands today."""
    stories = []
    for window in windows:
        answered = answers.get(window.survey_no)
        if answered is not None:
            state = SurveyState.ANSWERED
        elif today < window.opens_on:
            state = SurveyState.UPCOMING
        elif today <= window.closes_on:
            state = SurveyState.OPEN
        else:
            state = SurveyState.MISSED
        stories.append(
            SurveyStory(window.survey_no, window.opens_on, window.closes_on, answered, state)
        )
    return stories


def next_steps(
    card: PersonCard,
    purchases: Sequence[CardPurchase],
    accounts: Sequence[CardAccount],
    entitlements: Sequence[EntitlementStory],
    surveys: Sequence[SurveyStory],
) -> list[NextStep]:
    """Return what waits on the participant, most pressing first."""
    steps: list[NextStep] = []
    if not accounts and (card.status == ACTIVE or entitlements):
        steps.append(NextStep(Step.LINK_ACCOUNT))
    for purchase in purchases:
        if purchase.completed_on and not purchase.reviewed_on and not purchase.refunded_on:
            steps.append(NextStep(Step.REVIEW_TRAINING, purchase.voucher_code))
    steps.extend(_relinks(accounts, entitlements))
    steps.extend(
        NextStep(Step.ANSWER_SURVEY, str(s.survey_no), s.closes_on)
        for s in surveys
        if s.state == SurveyState.OPEN
    )
    return steps


def repayment_steps(claims: Sequence[Claim]) -> list[NextStep]:
    """Return a step for each claim not repaid in full, the earliest due first."""
    owed = sorted((c for c in claims if c.outstanding_idr > 0), key=lambda c: c.due_on)
    return [NextStep(Step.REPAY_CLAIM, c.claim_id, c.due_on) for c in owed]


def _relinks(
    accounts: Sequence[CardAccount], entitlements: Sequence[EntitlementStory]
) -> list[NextStep]:
    """Return a step for each failed payment with no account linked since it failed."""
    last_link = max((a.linked_at for a in accounts), default=None)
    steps = []
    for entitlement in entitlements:
        latest = entitlement.latest
        if entitlement.state != IncentiveState.FAILED or latest is None:
            continue
        failed_at = latest.result_at
        if last_link is None or failed_at is None or last_link <= failed_at:
            steps.append(NextStep(Step.RELINK_ACCOUNT, latest.instruction_id))
    return steps
