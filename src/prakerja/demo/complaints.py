"""The demo's complaints: a participant says a payment never came, a partner disputes a break.

On the program's last day, the holder of the first payment its partner
reported as credited files a NOT_RECEIVED grievance about it on /saya (which
the partner then sees), and the first partner with an open break disputes
it; the break stays as it is. The closing report counts both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from prakerja.demo.payouts import PARTNER_WEIGHTS
from prakerja.participants import service as participants
from prakerja.partners import service as partners
from prakerja.payouts.person import first_succeeded_instruction, instruction_card
from prakerja.registry.person import card_holder
from prakerja.storage.db import unit_of_work

PARTNERS = sorted(PARTNER_WEIGHTS)
JAKARTA = dt.timezone(dt.timedelta(hours=7))
GRIEVANCE_TEXT = "Insentif tercatat sudah dibayar, tetapi tidak masuk ke rekening saya."
DISPUTE_REASON = "Our statement shows this payment credited on the day we reported it."


@dataclass(frozen=True)
class Complaints:
    """What the complaints planted: the grievance's id and the disputed break's id."""

    grievance_id: str | None
    disputed_break_id: str | None


def plant_complaints(engine: Engine, day: dt.date) -> Complaints:
    """File one NOT_RECEIVED grievance about a credited payment and dispute one open break."""
    with unit_of_work(engine) as session:
        return Complaints(_grievance(session, day), _dispute(session, day))


def _grievance(session: Session, day: dt.date) -> str | None:
    for partner in PARTNERS:
        instruction = first_succeeded_instruction(session, partner_code=partner)
        card = instruction_card(session, instruction_id=instruction) if instruction else None
        nik = card_holder(session, card_number=card) if card else None
        if nik:
            filed = participants.file_grievance(
                session,
                nik=nik,
                category="NOT_RECEIVED",
                instruction_id=instruction,
                text=GRIEVANCE_TEXT,
                now=dt.datetime.combine(day, dt.time(10), tzinfo=JAKARTA),
            )
            return filed.grievance_id
    return None


def _dispute(session: Session, day: dt.date) -> str | None:
    for partner in PARTNERS:
        _, open_breaks = partners.partner_breaks(session, partner_code=partner, day=day)
        if open_breaks:
            break_id = str(open_breaks[0]["break_id"])
            partners.dispute_break(
                session, partner_code=partner, break_id=break_id, reason=DISPUTE_REASON, day=day
            )
            return break_id
    return None


def show_complaints(console: Console, engine: Engine, day: dt.date) -> tuple[int, int]:
    """Print how many grievances are open and how many breaks their partners disputed."""
    with unit_of_work(engine) as session:
        grievances = participants.grievances_as_of(session, day=day)
        seen_by_partners = sum(
            len(participants.partner_grievances(session, partner_code=p)) for p in PARTNERS
        )
        disputed = [
            row
            for partner in PARTNERS
            for row in partners.partner_breaks(
                session, partner_code=partner, day=day, status="ALL"
            )[1]
            if row["dispute_reason"]
        ]
    still_open = sum(1 for row in disputed if row["status"] == "OPEN")
    open_grievances = sum(1 for row in grievances if row["status"] == "OPEN")
    console.print(
        f"Complaints: {_count(open_grievances, 'grievance')} open "
        f"({seen_by_partners} NOT_RECEIVED about a payment its partner reported credited, "
        f"shown to that partner), {_count(len(disputed), 'break')} disputed by its partner "
        f"({still_open} still open: a dispute resolves nothing by itself)"
    )
    return open_grievances, len(disputed)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
