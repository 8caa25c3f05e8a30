"""Registered people for the participants' door: a wave and registrations with phones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from prakerja.registry.models import Card, Registration, SelectionResult, Wave
from tests.builders import read_csv, summary
from tests.payouts.factories import (
    account_row,
    make_card,
    make_training,
    result_row,
    write_accounts,
    write_results,
)

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


PAID_NIK, OTHER_PAID_NIK = "3171014508900001", "3171010101900002"
PAID_ON = dt.date(2020, 4, 22)


def pay(session: Session, cli: Any, tmp_path: Path) -> dict[str, str]:
    """Two participants paid by OVO (one SUCCESS, one FAILED) and one by GOPAY (SUCCESS)."""
    cards = {nik: make_card(session, nik=nik) for nik in (PAID_NIK, OTHER_PAID_NIK)}
    third = make_card(session, nik="3171010101900003")
    for card in (*cards.values(), third):
        make_training(session, card)
    session.execute(update(Registration).values(phone="0812-3456-7801"))
    for registration, card in session.execute(select(Card.registration_id, Card.card_number)):
        session.execute(
            insert(SelectionResult).values(
                registration_id=registration,
                wave=1,
                outcome="SELECTED",
                card_number=card,
                decided_on=dt.date(2020, 4, 17),
            )
        )
    session.commit()
    rows = [
        account_row(cards[PAID_NIK]),
        account_row(cards[OTHER_PAID_NIK]),
        account_row(third, partner="GOPAY"),
    ]
    loaded = cli("import", "payout-accounts", write_accounts(tmp_path / "a.csv", rows))
    assert summary(loaded.stdout)["loaded"] == 3
    out = tmp_path / "out"
    assert cli("payouts", "run", "--date", PAID_ON.isoformat(), "--out", out).exit_code == 0
    ovo = {r["card_number"]: r for r in read_csv(out / f"instructions-OVO-{PAID_ON}.csv")}
    [gopay] = read_csv(out / f"instructions-GOPAY-{PAID_ON}.csv")
    results = [
        result_row(ovo[cards[PAID_NIK]]),
        result_row(ovo[cards[OTHER_PAID_NIK]], status="FAILED", failure_code="ACCOUNT_DORMANT"),
        result_row(gopay),
    ]
    loaded = cli("import", "partner-results", write_results(tmp_path / "r.csv", results))
    assert summary(loaded.stdout)["loaded"] == 3
    return {
        "mine": ovo[cards[PAID_NIK]]["instruction_id"],
        "failed": ovo[cards[OTHER_PAID_NIK]]["instruction_id"],
        "gopay": gopay["instruction_id"],
        "card": cards[PAID_NIK],
    }
