"""Factories for the payout flow's tests: cards, trainings and accounts as rows in the database.

Cards and vouchers belong to other domains; these insert their rows directly
(as the registry's selection and the marketplace's platform events would)
so that payout tests can set up any history in a few lines.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from prakerja.payouts.loaders import PartnerResultsLoader, PayoutAccountsLoader
from prakerja.registry.models import Card, Exclusion, Registration
from prakerja.transactions.models import PlatformEvent, Voucher
from tests.builders import write_csv

JAKARTA = dt.timezone(dt.timedelta(hours=7))
ACCOUNT_COLUMNS = tuple(spec.name for spec in PayoutAccountsLoader.fields)
RESULT_COLUMNS = tuple(spec.name for spec in PartnerResultsLoader.fields)

_serial = itertools.count(1)


def card_number(serial: int) -> str:
    """A 16-digit card number for a test serial."""
    return f"52{serial:014d}"


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant on a Jakarta day."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=JAKARTA)


def stamp(day: dt.date, hour: int = 10, minute: int = 0) -> str:
    """The contract's timestamp text for a Jakarta day and time."""
    return at(day, hour, minute).isoformat()


def make_card(
    session: Session,
    *,
    serial: int | None = None,
    scheme: str = "PANDEMIC_2020",
    issued_on: dt.date = dt.date(2020, 4, 17),
    nik: str | None = None,
) -> str:
    """Insert a registration and its card; return the card number."""
    number = next(_serial) if serial is None else serial
    nik = nik or f"3171{number:012d}"
    registration_id = session.execute(
        insert(Registration)
        .values(
            wave=1,
            nik=nik,
            kk_number=f"3171{number + 10**11:012d}",
            full_name=f"Peserta {number}",
        )
        .returning(Registration.id)
    ).scalar_one()
    card = card_number(number)
    session.execute(
        insert(Card).values(
            card_number=card,
            nik=nik,
            registration_id=registration_id,
            kk_number=f"3171{number + 10**11:012d}",
            wave=1,
            scheme=scheme,
            province_code="31",
            issued_on=issued_on,
            purchase_deadline=issued_on + dt.timedelta(days=30),
            balance_expires_on=dt.date(issued_on.year, 12, 15),
            initial_balance_idr=1_000_000,
            balance_idr=250_000,
            first_purchase_on=issued_on,
            status="ACTIVE",
        )
    )
    return card


def make_training(
    session: Session,
    card: str,
    *,
    purchased_on: dt.date = dt.date(2020, 4, 18),
    completed_on: dt.date | None = dt.date(2020, 4, 20),
    reviewed_on: dt.date | None = dt.date(2020, 4, 21),
    refunded_on: dt.date | None = None,
) -> str:
    """Insert a purchased (and by default completed and reviewed) voucher; return its code."""
    serial = next(_serial)
    code = f"VCR{serial:07d}"
    event_id = session.execute(
        insert(PlatformEvent)
        .values(
            platform_code="TOKOPEDIA",
            event_id=f"EV-{serial}",
            event_type="PURCHASE",
            occurred_at=at(purchased_on),
            occurred_on=purchased_on,
            card_number=card,
            course_code="C-0001",
            voucher_code=code,
            amount_idr=750_000,
            state="APPLIED",
        )
        .returning(PlatformEvent.id)
    ).scalar_one()
    session.execute(
        insert(Voucher).values(
            voucher_code=code,
            card_number=card,
            course_code="C-0001",
            platform_code="TOKOPEDIA",
            purchase_event_id=event_id,
            purchased_at=at(purchased_on),
            purchased_on=purchased_on,
            amount_idr=750_000,
            completed_at=at(completed_on) if completed_on else None,
            completed_on=completed_on,
            reviewed_at=at(reviewed_on) if reviewed_on else None,
            reviewed_on=reviewed_on,
            refunded_at=at(refunded_on) if refunded_on else None,
            refunded_on=refunded_on,
        )
    )
    return code


def make_exclusion(session: Session, nik: str, list_code: str, period: str) -> None:
    """Put a NIK on a barring list from the first day of `period` (YYYY-MM)."""
    session.execute(
        insert(Exclusion).values(
            nik=nik,
            list_code=list_code,
            period=period,
            effective_from=dt.date.fromisoformat(period + "-01"),
            source="test",
        )
    )


def account_row(
    card: str,
    *,
    partner: str = "OVO",
    account_id: str | None = None,
    name: str = "PESERTA",
    linked_at: str = "2020-04-19T08:00:00+07:00",
) -> dict[str, str]:
    """One payout-accounts.csv row."""
    return {
        "card_number": card,
        "partner_code": partner,
        "account_id": account_id or f"08{card[-10:]}",
        "account_name": name,
        "linked_at": linked_at,
    }


def result_row(
    instruction: dict[str, str],
    *,
    status: str = "SUCCESS",
    failure_code: str = "",
    txn: str | None = None,
    processed_at: str = "2020-04-22T11:00:00+07:00",
    **overrides: str,
) -> dict[str, str]:
    """A partner's answer to an instruction (a row of an instructions file)."""
    row = {
        "partner_code": instruction["partner_code"],
        "instruction_id": instruction["instruction_id"],
        "partner_txn_id": txn or f"TX-{next(_serial)}",
        "account_id": instruction["account_id"],
        "amount_idr": instruction["amount_idr"],
        "status": status,
        "failure_code": failure_code,
        "processed_at": processed_at,
    }
    row.update(overrides)
    return row


def write_accounts(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write a payout-accounts.csv file."""
    return write_csv(path, ACCOUNT_COLUMNS, rows)


def write_results(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write a partner-results.csv file."""
    return write_csv(path, RESULT_COLUMNS, rows)


def make_wave(session: Session, wave: int = 1, scheme: str = "PANDEMIC_2020") -> int:
    """Insert a selected wave (cards made by `make_card` belong to wave 1)."""
    from prakerja.kit.clock import utc_now
    from prakerja.registry.models import Wave

    now = utc_now()
    session.execute(
        insert(Wave).values(
            wave=wave,
            scheme=scheme,
            opens_on=dt.date(2020, 4, 11),
            closes_on=dt.date(2020, 4, 16),
            selected_on=dt.date(2020, 4, 17),
            created_at=now,
            updated_at=now,
        )
    )
    return wave
