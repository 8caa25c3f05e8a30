"""What the auditors found too late, planted in the demo's world beside its look-alikes.

Registrations: one phone number shared, written both ways (08... and +628...), by several
people who are not family (SHARED_PHONE), people registered twice under two
NIKs with one name and birth date (SAME_PERSON); beside them, a NIK that
registers again in a later wave with its own phone, and a namesake born on
another day. Once cards are issued: one bank account linked by cards of four
NIKs (SHARED_ACCOUNT) beside a family sharing one e-wallet (two cards of one
KK), and self-paced trainings completed an hour after their purchase
(FAST_COMPLETION) beside one completed in exactly its hours.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from prakerja.catalog.readers import course_facts
from prakerja.catalog.service import course_platforms_table
from prakerja.demo.synth import ParticipantFactory, write_csv
from prakerja.ingest.pipeline import ImportSummary, import_files
from prakerja.kit.nik import encoded_date_digits
from prakerja.payouts.loaders import PayoutAccountsLoader
from prakerja.registry.readers import card_holders
from prakerja.storage.db import unit_of_work
from prakerja.transactions.loaders import PlatformEventsLoader

SHARED_PHONES = ("081311110000", "+6281311110000")
MULE_ACCOUNT = ("BNI", "0123456789")
FAMILY_ACCOUNT = ("GOPAY", "081355550000")
_WIB = dt.timezone(dt.timedelta(hours=7))
_EVENT_COLUMNS = (
    "platform_code", "event_id", "event_type", "occurred_at", "card_number", "course_code",
    "voucher_code", "amount_idr", "certificate_no",
)  # fmt: skip


def _clean(row: dict[str, str]) -> bool:
    """Whether a synthetic registration carries no planted fault (its NIK agrees with it)."""
    nik = row["nik"]
    birth = dt.date.fromisoformat(row["birth_date"])
    return (
        len(nik) == 16
        and not nik.startswith("99")
        and nik[6:12] == encoded_date_digits(birth, row["gender"])
    )


def _strangers(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """Return `count` clean registrations of different families."""
    chosen: dict[str, dict[str, str]] = {}
    for row in rows:
        if _clean(row) and row["kk_number"] not in chosen:
            chosen[row["kk_number"]] = row
        if len(chosen) == count:
            break
    return list(chosen.values())


def plant_registrations(
    factory: ParticipantFactory, first: list[dict[str, str]], second: list[dict[str, str]]
) -> None:
    """Plant shared phones and people registered twice in two waves' registrations."""
    people = _strangers(first, 22)
    for row in people[:20]:
        row |= {"employment_status": "LAID_OFF", "monthly_income_idr": "0"}
    for number, row in enumerate(people[:10]):
        row["phone"] = SHARED_PHONES[number % 2]
    for original, twin in zip(people[10:15], people[15:20], strict=True):
        name = "  " + original["full_name"].lower().replace(" ", "  ") + " "
        twin |= {
            "full_name": name,
            "birth_date": original["birth_date"],
            "gender": original["gender"],
            "nik": factory.nik_for(
                twin["regency_code"], original["birth_date"], original["gender"]
            ),
        }
    again = dict(people[20], wave=second[0]["wave"], registered_at=second[0]["registered_at"])
    second.append(again)
    people[21]["phone"] = "+62" + people[20]["phone"][1:]
    namesake = _strangers(second, 1)[0]
    namesake["full_name"] = people[10]["full_name"]


def plant_accounts(engine: Engine, folder: Path, day: dt.date) -> ImportSummary:
    """Link one bank account to cards of four NIKs and one e-wallet to a family's two cards."""
    with unit_of_work(engine) as session:
        cards = card_holders(session, as_of=day).sort_by("nik").to_pylist()
    by_family: dict[str, list[str]] = {}
    for card in cards:
        by_family.setdefault(card["kk_number"], []).append(card["card_number"])
    mules = [numbers[0] for numbers in by_family.values()][:4]
    family = next((numbers[:2] for numbers in by_family.values() if len(numbers) >= 2), [])
    rows = [_link(card, MULE_ACCOUNT, day, hour) for hour, card in enumerate(mules, start=9)] + [
        _link(card, FAMILY_ACCOUNT, day, 15) for card in family
    ]
    path = folder / f"payout-accounts-planted-{day}.csv"
    columns = tuple(spec.name for spec in PayoutAccountsLoader.fields)
    write_csv(path, columns, rows)
    return import_files(engine, PayoutAccountsLoader(), [path])


def _link(card: str, account: tuple[str, str], day: dt.date, hour: int) -> dict[str, str]:
    at = dt.datetime.combine(day, dt.time(hour), tzinfo=_WIB)
    return {
        "card_number": card,
        "partner_code": account[0],
        "account_id": account[1],
        "account_name": "PESERTA",
        "linked_at": at.isoformat(),
    }


def plant_fast_completions(engine: Engine, folder: Path, day: dt.date) -> ImportSummary:
    """Two self-paced trainings completed an hour after purchase, one in exactly its hours."""
    with unit_of_work(engine) as session:
        cards = card_holders(session, as_of=day).sort_by("nik")["card_number"].to_pylist()
        courses = course_facts(session).sort_by("course_code").to_pylist()
        platforms = course_platforms_table(session).to_pylist()
    course = next(c for c in courses if c["course_type"] == "SELF_PACED")
    platform = min(
        p["platform_code"] for p in platforms if p["course_code"] == course["course_code"]
    )
    rows: list[dict[str, str]] = []
    for number, (card, hours) in enumerate(zip(cards[-3:], (1, 1, course["hours"]), strict=True)):
        bought = dt.datetime.combine(day, dt.time(8), tzinfo=_WIB)
        voucher = f"PLANTED-{day:%Y%m%d}-{number}"
        base = {"platform_code": platform, "card_number": card, "voucher_code": voucher}
        base["course_code"] = course["course_code"]
        rows.append(
            base
            | {
                "event_id": f"{voucher}-P",
                "event_type": "PURCHASE",
                "occurred_at": bought.isoformat(),
                "amount_idr": str(course["price_idr"]),
            }
        )
        done = bought + dt.timedelta(hours=hours)
        rows.append(
            base
            | {
                "event_id": f"{voucher}-C",
                "event_type": "COMPLETION",
                "occurred_at": done.isoformat(),
                "certificate_no": f"CERT-{voucher}",
            }
        )
    path = folder / f"platform-events-planted-{day}.csv"
    write_csv(path, _EVENT_COLUMNS, rows)
    return import_files(engine, PlatformEventsLoader(), [path])
