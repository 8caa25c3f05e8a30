"""Synthetic statistics and signal facts at any scale, as the Arrow tables the engine reads.

Every participant holds a card, registered once or twice (a second wave for
one in ten) with a phone, links a payout account (one in ten links a second
one later) and buys one or two courses (one purchase in twenty-five is
refunded); most complete them, some answer up to three tracking surveys.
Planted at a small, seeded share: accounts shared by three to six strangers,
phones shared by three to five, courses completed sooner than their hours,
and people holding two cards under one name and birth date; beside them the
look-alikes (families sharing an account, completions in exactly the hours).
Built with NumPy and Arrow compute (no Python loop per row).

The engine reads vouchers, one row per purchase, which is what the product
keeps of its platform events (purchase, attendance, completion, review,
refund): the ~6M purchases here stand for ~20M events.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from prakerja.catalog.readers import COURSE_FACT_SCHEMA
from prakerja.payouts.readers import ACCOUNT_LINK_SCHEMA
from prakerja.registry.readers import (
    CARD_HOLDER_SCHEMA,
    REGISTRATION_PHONE_SCHEMA,
    WAVE_SCHEME_SCHEMA,
)
from prakerja.statistics.rules import category_order_table, scheme_surveys_table
from prakerja.surveys.readers import ANSWER_SCHEMA
from prakerja.transactions.readers import VOUCHER_FACT_SCHEMA

FIRST_DAY = dt.date(2020, 4, 17)
#: The day everything is computed on: every fact is dated on or before it.
STATISTICS_DAY = dt.date(2020, 12, 31)
EPOCH = dt.date(1970, 1, 1)
CATEGORIES = (
    "SALES_MARKETING", "IT", "FINANCE", "FOREIGN_LANGUAGE", "LIFESTYLE",
    "MANAGEMENT", "OFFICE", "SOCIAL_BEHAVIOUR", "FOOD_BEVERAGE", "AGRICULTURE",
)  # fmt: skip
WAVES = 30
COURSES = 400
HOUR_US = 3_600_000_000
PLANTED = {"mule": 0.0005, "phone": 0.0005, "fast": 0.001, "twin": 0.0003}


def _text(values: np.ndarray, width: int, prefix: str = "") -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "") if prefix else digits


def _days(offsets: np.ndarray) -> pa.Array:
    return pa.array((offsets + (FIRST_DAY - EPOCH).days).astype(np.int32), pa.date32())


def _instants(day_offsets: np.ndarray, extra_us: np.ndarray) -> pa.Array:
    base = (FIRST_DAY - EPOCH).days * 86_400 * 1_000_000 - 7 * HOUR_US
    values = base + day_offsets.astype(np.int64) * 86_400 * 1_000_000 + extra_us
    return pa.array(values, pa.timestamp("us", tz="UTC"))


def _courses(rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    codes = _text(np.arange(COURSES), 4, "C-")
    hours = rng.integers(2, 41, COURSES).astype(np.int32)
    self_paced = rng.random(COURSES) < 0.3
    courses = pa.table(
        {
            "course_code": codes,
            "title": codes,
            "provider_code": _text(np.arange(COURSES) % 40, 3, "LP-"),
            "provider_name": _text(np.arange(COURSES) % 40, 3, "Lembaga "),
            "price_idr": pa.array(rng.choice([250_000, 500_000, 750_000], COURSES)),
            "hours": pa.array(hours),
            "course_type": pa.array(np.where(self_paced, "SELF_PACED", "WEBINAR")),
            "sessions": pa.array(np.where(self_paced, 1, 3).astype(np.int32)),
        }
    ).cast(COURSE_FACT_SCHEMA)
    first = rng.integers(0, len(CATEGORIES), COURSES)
    bundle = rng.random(COURSES) < 0.08
    second = (first[bundle] + 1) % len(CATEGORIES)
    categories = pa.table(
        {
            "course_code": pa.concat_arrays([codes, codes.filter(pa.array(bundle))]),
            "category": pa.array(
                np.concatenate([np.array(CATEGORIES)[first], np.array(CATEGORIES)[second]])
            ),
        }
    )
    return courses, categories


def _cards(rng: np.random.Generator, n: int) -> pa.Table:
    serial = np.arange(n)
    issued = rng.integers(0, 200, n)
    born = rng.integers(-18_000, -7_000, n)
    name_ids = rng.integers(0, 50_000_000, n)
    twins = rng.random(n) < PLANTED["twin"]
    partner = np.where(twins, np.maximum(serial - 1, 0), serial)
    name_ids, born = name_ids[partner], born[partner]
    return pa.table(
        {
            "card_number": _text(serial, 14, "52"),
            "nik": _text(serial, 10, "317101"),
            "kk_number": _text(serial // 2, 8, "31710101"),
            "wave": pa.array((issued // 7 % WAVES + 1).astype(np.int32)),
            "scheme": pa.array(np.full(n, "PANDEMIC_2020")),
            "province_code": _text(rng.integers(11, 95, n), 2),
            "issued_on": _days(issued),
            "full_name": _text(name_ids, 8, "PESERTA "),
            "birth_date": pa.array((born + (FIRST_DAY - EPOCH).days).astype(np.int32), pa.date32()),
        }
    ).cast(CARD_HOLDER_SCHEMA)


def _grouped(rng: np.random.Generator, n: int, share: float, width: int) -> np.ndarray:
    """Return each card's own id, or for a planted share the id of a group of `width`."""
    owner = np.arange(n)
    planted = np.flatnonzero(rng.random(n) < share / width)
    for offset in range(1, width):
        owner[np.minimum(planted + offset, n - 1)] = planted
    return owner


def _phones(rng: np.random.Generator, cards: pa.Table) -> pa.Table:
    n = cards.num_rows
    owner = _grouped(rng, n, PLANTED["phone"], 4)
    again = np.flatnonzero(rng.random(n) < 0.1)
    rows = np.concatenate([np.arange(n), again])
    local = _text(owner[rows], 9, "0812")
    plus = rng.random(len(rows)) < 0.3
    phone = pc.if_else(
        pa.array(plus), pc.replace_substring(local, "0812", "+62812", max_replacements=1), local
    )
    return pa.table(
        {
            "nik": cards["nik"].take(pa.array(rows)),
            "phone": phone,
            "registered_at": _instants(
                rng.integers(-5, 0, len(rows)), np.zeros(len(rows), np.int64)
            ),
        }
    ).cast(REGISTRATION_PHONE_SCHEMA)


def _links(rng: np.random.Generator, cards: pa.Table) -> pa.Table:
    n = cards.num_rows
    owner = _grouped(rng, n, PLANTED["mule"], 4)
    family = (np.arange(n) % 2 == 1) & (rng.random(n) < 0.02)
    owner[family] = owner[np.flatnonzero(family) - 1]
    relink = np.flatnonzero(rng.random(n) < 0.1)
    rows = np.concatenate([np.arange(n), relink])
    accounts = np.concatenate([owner, relink + n])
    return pa.table(
        {
            "card_number": cards["card_number"].take(pa.array(rows)),
            "partner_code": pa.array(
                np.array(["BNI", "OVO", "GOPAY", "LINKAJA", "DANA"])[accounts % 5]
            ),
            "account_id": _text(accounts, 12),
            "linked_on": _days(rng.integers(20, 230, len(rows))),
        }
    ).cast(ACCOUNT_LINK_SCHEMA)


def _vouchers(rng: np.random.Generator, cards: pa.Table, courses: pa.Table) -> pa.Table:
    n = cards.num_rows
    second = np.flatnonzero(rng.random(n) < 0.2)
    owner = np.concatenate([np.arange(n), second])
    count = len(owner)
    course = rng.integers(0, COURSES, count)
    hours = courses["hours"].to_numpy()[course].astype(np.int64)
    day = rng.integers(0, 200, count) + np.where(np.arange(count) >= n, 30, 0)
    bought_us = rng.integers(8, 20, count) * HOUR_US
    taken = hours * HOUR_US * rng.uniform(1.0, 6.0, count)
    exact = rng.random(count) < 0.001
    fast = rng.random(count) < PLANTED["fast"]
    taken = np.where(exact, hours * HOUR_US, np.where(fast, hours * HOUR_US // 3, taken)).astype(
        np.int64
    )
    completed = rng.random(count) < 0.85
    refunded = ~completed & (rng.random(count) < 0.25)
    purchased_at = _instants(day, bought_us)
    done_us = day.astype(np.int64) * 86_400 * 1_000_000 + bought_us + taken
    completed_at = _instants(np.zeros(count), done_us)
    done_day = done_us // (86_400 * 1_000_000)
    return pa.table(
        {
            "voucher_code": _text(np.arange(count), 12, "V"),
            "card_number": cards["card_number"].take(pa.array(owner)),
            "course_code": courses["course_code"].take(pa.array(course)),
            "purchased_at": purchased_at,
            "purchased_on": _days(day),
            "completed_at": pc.if_else(
                pa.array(completed), completed_at, pa.nulls(count, completed_at.type)
            ),
            "completed_on": pc.if_else(
                pa.array(completed), _days(done_day), pa.nulls(count, pa.date32())
            ),
            "refunded_on": pc.if_else(
                pa.array(refunded), _days(day + 1), pa.nulls(count, pa.date32())
            ),
        }
    ).cast(VOUCHER_FACT_SCHEMA)


def _answers(rng: np.random.Generator, cards: pa.Table) -> pa.Table:
    parts = []
    for survey, share in ((1, 0.5), (2, 0.35), (3, 0.25)):
        who = np.flatnonzero(rng.random(cards.num_rows) < share)
        k = len(who)
        parts.append(
            pa.table(
                {
                    "card_number": cards["card_number"].take(pa.array(who)),
                    "survey_no": pa.array(np.full(k, survey, np.int32)),
                    "submitted_on": _days(rng.integers(60 + 30 * survey, 90 + 30 * survey, k)),
                    "employment_status": pa.array(
                        np.array(["EMPLOYED", "INFORMAL", "MICRO_BUSINESS", "UNEMPLOYED"])[
                            rng.integers(0, 4, k)
                        ]
                    ),
                    "started_business": pa.array(rng.random(k) < 0.3),
                    "monthly_income_idr": pa.array(rng.integers(0, 80, k) * 100_000),
                    "skills_improved": pa.array(rng.random(k) < 0.8),
                }
            ).cast(ANSWER_SCHEMA)
        )
    return pa.concat_tables(parts)


def generate(participants: int, seed: int = 14) -> dict[str, pa.Table]:
    """Return every table the statistics engine reads, for `participants` cards."""
    rng = np.random.default_rng(seed)
    courses, categories = _courses(rng)
    cards = _cards(rng, participants)
    return {
        "cards": cards,
        "vouchers": _vouchers(rng, cards, courses),
        "courses": courses,
        "course_categories": categories,
        "answers": _answers(rng, cards),
        "waves": pa.table(
            {"wave": pa.array(range(1, WAVES + 1), pa.int32()), "scheme": ["PANDEMIC_2020"] * WAVES}
        ).cast(WAVE_SCHEME_SCHEMA),
        "scheme_surveys": scheme_surveys_table(),
        "category_order": category_order_table(),
        "account_links": _links(rng, cards),
        "phones": _phones(rng, cards),
    }


def save(tables: dict[str, pa.Table], folder: Path) -> None:
    """Write every table as an uncompressed Feather file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        feather.write_feather(table, folder / f"{name}.arrow", compression="uncompressed")


def load(folder: Path) -> dict[str, pa.Table]:
    """Read every table back into memory."""
    return {
        path.stem: feather.read_table(path, memory_map=False)
        for path in sorted(folder.glob("*.arrow"))
    }
