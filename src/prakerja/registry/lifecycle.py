"""A card's life in the books: issued and funded, revoked unused, its balance expired.

Revocation and expiry are one movement with two triggers: a card past a
last day (its purchase deadline unused, its balance's spending date) is
closed on the day after it, and what is left of its balance goes back to
the program fund, once, under a key naming the card.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import post_movements
from prakerja.registry import repository
from prakerja.registry.cards import new_card_numbers
from prakerja.registry.models import CardStatus
from prakerja.schemes.model import Scheme

_FUND = account(AccountKind.PROGRAM_FUND)
_BALANCE = account(AccountKind.TRAINING_BALANCE) + ":"
_ONE_DAY = dt.timedelta(days=1)


def issue_cards(
    session: Session, *, chosen: pa.Table, wave: int, scheme: Scheme, day: dt.date
) -> pa.Table:
    """Insert one card per chosen applicant and fund its training balance from the program fund.

    Returns `registration_id, card_number` of the cards issued.
    """
    count = chosen.num_rows
    numbers = pa.array(_unused_card_numbers(session, count), pa.string())
    balance = pa.array([scheme.training_balance_idr] * count, pa.int64())

    def repeat(value: Any, kind: pa.DataType) -> pa.Array:
        return pa.array([value] * count, kind)

    cards = pa.table(
        {
            "card_number": numbers,
            "nik": chosen["nik"],
            "registration_id": chosen["registration_id"],
            "kk_number": chosen["kk_number"],
            "wave": repeat(wave, pa.int64()),
            "scheme": repeat(scheme.code, pa.string()),
            "province_code": chosen["province_code"],
            "issued_on": repeat(day, pa.date32()),
            "purchase_deadline": repeat(scheme.purchase_deadline(day), pa.date32()),
            "balance_expires_on": repeat(scheme.balance_expiry(day), pa.date32()),
            "initial_balance_idr": balance,
            "balance_idr": balance,
            "status": repeat(CardStatus.ACTIVE.value, pa.string()),
        }
    )
    repository.insert_cards(session, cards)
    post_movements(
        session,
        keys=pc.binary_join_element_wise("CARD_FUNDED:", numbers, ""),
        kind="CARD_FUNDED",
        debit=pc.binary_join_element_wise(_BALANCE, numbers, ""),
        credit=_FUND,
        amounts=balance,
        day=day,
        references=numbers,
    )
    return cards.select(["registration_id", "card_number"])


def _unused_card_numbers(session: Session, count: int) -> list[str]:
    """Draw `count` new card numbers, drawing again for any that already exists."""
    numbers = new_card_numbers(count, set())
    while True:
        clashes = repository.existing_card_numbers(session, numbers)
        if not clashes:
            return numbers
        kept = [number for number in numbers if number not in clashes]
        numbers = kept + new_card_numbers(count - len(kept), set(numbers))


@dataclass(frozen=True)
class _Closing:
    """One way a card closes: which cards are due, what changes, how it is booked and recorded."""

    due: Callable[[Session, dt.date], Sequence[Any]]
    """(card, last day, balance) of each card due on a business day."""
    changes: Callable[[dt.date], dict[str, Any]]
    """The card's columns to set, given the day it closes (its last day + 1)."""
    entry_kind: str
    action: str
    details: Callable[[int, int], dict[str, Any]]
    """The audit details, given how many cards closed and the rupiah returned."""


_REVOKE = _Closing(
    due=repository.unpurchased_past_deadline,
    changes=lambda on: {"status": CardStatus.REVOKED.value, "revoked_on": on, "balance_idr": 0},
    entry_kind="CARD_REVOKED",
    action="cards.revoked",
    details=lambda count, _returned: {"count": count, "reason": "no purchase by the deadline"},
)
_EXPIRE = _Closing(
    due=repository.balances_past_expiry,
    changes=lambda on: {"balance_idr": 0, "balance_expired_on": on},
    entry_kind="BALANCE_EXPIRED",
    action="cards.balance_expired",
    details=lambda count, returned: {"count": count, "returned_idr": returned},
)


def revoke_unused_cards(session: Session, *, day: dt.date) -> int:
    """Revoke every active card with no purchase by its deadline (before `day`); return how many.

    The card is revoked on the day after its deadline, its remaining balance
    returns to the program fund, and its NIK can never be selected again.
    """
    return _close(session, _REVOKE, day=day)


def expire_balances(session: Session, *, day: dt.date) -> int:
    """Return every balance past its spending date (before `day`) to the program fund.

    The balance of a card whose `balance_expires_on` is before `day` goes back
    to the program fund with one ledger entry; the card records the day after
    that date as `balance_expired_on`, and no purchase is accepted from then.
    Returns how many cards expired now.
    """
    return _close(session, _EXPIRE, day=day)


def _close(session: Session, closing: _Closing, *, day: dt.date) -> int:
    """Close the cards due by `day`, return their balances to the fund; return how many."""
    due = [(card, last + _ONE_DAY, balance) for card, last, balance in closing.due(session, day)]
    if not due:
        return 0
    repository.update_cards(
        session, [{"card_number": card, **closing.changes(on)} for card, on, _balance in due]
    )
    returned = [(card, on, balance) for card, on, balance in due if balance > 0]
    cards = pa.array([card for card, _on, _balance in returned], pa.string())
    post_movements(
        session,
        keys=pc.binary_join_element_wise(closing.entry_kind + ":", cards, ""),
        kind=closing.entry_kind,
        debit=_FUND,
        credit=pc.binary_join_element_wise(_BALANCE, cards, ""),
        amounts=pa.array([balance for _card, _on, balance in returned], pa.int64()),
        day=pa.array([on for _card, on, _balance in returned], pa.date32()),
        references=cards,
    )
    record(
        session,
        action=closing.action,
        subject_type="cards",
        subject_id=str(day),
        business_date=day,
        details=closing.details(len(due), sum(balance for *_rest, balance in returned)),
    )
    return len(due)
