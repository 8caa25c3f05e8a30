"""Registry operations: select a wave, issue and revoke cards, answer questions about cards."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Executable, and_, func, or_, select, update
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import ConflictError, NotFoundError
from prakerja.kit.progress import Reporter, SilentReporter
from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import post_table
from prakerja.registry.cards import new_card_numbers
from prakerja.registry.models import (
    NATIONAL,
    Card,
    CardStatus,
    Exclusion,
    Outcome,
    Registration,
    SelectionResult,
    Wave,
    WaveQuota,
)
from prakerja.registry.selection import (
    APPLICANT_SCHEMA,
    BARRED_SCHEMA,
    PRIOR_CARD_SCHEMA,
    Draw,
    decide,
)
from prakerja.schemes.loader import all_schemes, get_scheme
from prakerja.storage.arrow import fetch_arrow, fetch_arrow_matching
from prakerja.storage.base import table_of
from prakerja.storage.bulk import existing_values, insert_new_rows, update_rows


@dataclass
class SelectionSummary:
    """What a selection did (or, for a wave selected before, what it had done)."""

    wave: int
    selected_on: dt.date
    applicants: int
    selected: int
    places: dict[str, int]
    reasons: dict[str, int] = field(default_factory=dict)
    already_selected: bool = False


def get_wave(session: Session, wave: int) -> Wave:
    """Return a wave, or raise NotFoundError naming it."""
    found = session.get(Wave, wave)
    if found is None:
        raise NotFoundError(f"unknown wave {wave}")
    return found


def select_wave(
    session: Session,
    *,
    wave: int,
    day: dt.date,
    seed: str,
    reporter: Reporter | None = None,
) -> SelectionSummary:
    """Select a wave's participants within its quotas and issue their cards, once."""
    reporter = reporter or SilentReporter()
    target = get_wave(session, wave)
    if target.selected_on is not None:
        return _summary_of(session, target, already_selected=True)
    if day < target.closes_on:
        raise ConflictError(
            f"wave {wave} is still open for registration until {target.closes_on}; "
            f"select it on or after that day, not on {day}"
        )
    scheme = get_scheme(target.scheme)
    _credit_revoked_places(session, target, day)
    places = _places(session, wave)
    reporter.start(f"reading wave {wave} applicants", 1)
    applicants = fetch_arrow(session, _applicants_query(wave), APPLICANT_SCHEMA)
    prior = fetch_arrow(session, _prior_cards_query(wave), PRIOR_CARD_SCHEMA)
    barred = fetch_arrow(
        session, _barred_query(wave, day, [c.value for c in scheme.barring_lists]), BARRED_SCHEMA
    )
    reporter.advance(1)
    reporter.start(f"deciding {applicants.num_rows} applicants", applicants.num_rows)
    decisions = decide(applicants, prior, barred, Draw(wave, day, scheme, seed, places))
    reporter.advance(applicants.num_rows)
    winners = decisions.filter(pc.equal(decisions["outcome"], Outcome.SELECTED.value))
    cards = _issue_cards(session, applicants, winners, wave=wave, scheme_code=scheme.code, day=day)
    card_of = dict(
        zip(cards["registration_id"].to_pylist(), cards["card_number"].to_pylist(), strict=True)
    )
    results = pa.table(
        {
            "registration_id": decisions["registration_id"],
            "wave": pa.array([wave] * decisions.num_rows, pa.int64()),
            "outcome": decisions["outcome"],
            "reason": decisions["reason"],
            "card_number": pa.array(
                [card_of.get(i) for i in decisions["registration_id"].to_pylist()], pa.string()
            ),
            "decided_on": pa.array([day] * decisions.num_rows, pa.date32()),
        }
    )
    reporter.start("recording outcomes", results.num_rows)
    insert_new_rows(session, table_of(SelectionResult), results, progress=reporter.advance)
    target.selected_on = day
    target.selection_seed = seed
    target.updated_at = utc_now()
    summary = _summary_of(session, target, already_selected=False)
    record(
        session,
        action="wave.selected",
        subject_type="wave",
        subject_id=str(wave),
        business_date=day,
        details={
            "seed": seed,
            "applicants": summary.applicants,
            "selected": summary.selected,
            "places": places,
        },
    )
    return summary


def _applicants_query(wave: int) -> Executable:
    # A registration without a readable province competes in the province on its KTP,
    # which the NIK's first two digits encode; its card keeps that province too.
    province = func.coalesce(
        func.nullif(Registration.province_code, ""), func.substr(Registration.nik, 1, 2)
    )
    return select(
        Registration.id,
        Registration.nik,
        Registration.kk_number,
        Registration.birth_date,
        Registration.gender,
        province.label("province_code"),
        Registration.employment_status,
        Registration.monthly_income_idr,
        Registration.registered_at,
    ).where(Registration.wave == wave)


def _prior_cards_query(wave: int) -> Executable:
    wave_regs = select(Registration.kk_number).where(Registration.wave == wave)
    wave_niks = select(Registration.nik).where(Registration.wave == wave)
    return select(Card.nik, Card.kk_number).where(
        or_(Card.kk_number.in_(wave_regs), Card.nik.in_(wave_niks))
    )


def _barred_query(wave: int, day: dt.date, lists: list[str]) -> Executable:
    wave_niks = select(Registration.nik).where(Registration.wave == wave)
    return (
        select(Exclusion.nik, Exclusion.list_code)
        .where(
            Exclusion.effective_from <= day,
            Exclusion.list_code.in_(lists),
            Exclusion.nik.in_(wave_niks),
        )
        .distinct()
    )


def _places(session: Session, wave: int) -> dict[str, int]:
    rows = session.execute(
        select(WaveQuota.province_code, WaveQuota.quota + WaveQuota.added_places).where(
            WaveQuota.wave == wave
        )
    )
    return {str(pool): int(places) for pool, places in rows}


def _credit_revoked_places(session: Session, target: Wave, day: dt.date) -> None:
    """Give each card revoked by `day` and not yet credited one place in this wave.

    The place goes to the pool the card's holder would compete in: the card's
    province when the wave has a quota for it, else the national quota, else a
    new quota for the card's province.
    """
    province = func.coalesce(Card.province_code, func.substr(Card.nik, 1, 2))
    revoked = session.execute(
        select(Card.card_number, province).where(
            Card.status == CardStatus.REVOKED.value,
            Card.revoked_on <= day,
            Card.quota_credited_wave.is_(None),
        )
    ).all()
    if not revoked:
        return
    pools = {
        quota.province_code: quota
        for quota in session.scalars(select(WaveQuota).where(WaveQuota.wave == target.wave))
    }
    added: Counter[str] = Counter(
        str(code) if code in pools or NATIONAL not in pools else NATIONAL for _card, code in revoked
    )
    for pool, count in added.items():
        quota = pools.get(pool)
        if quota is None:
            quota = WaveQuota(wave=target.wave, province_code=pool, quota=0, added_places=0)
            session.add(quota)
        quota.added_places += count
    session.execute(
        update(Card)
        .where(Card.card_number.in_([card for card, _province in revoked]))
        .values(quota_credited_wave=target.wave)
    )
    record(
        session,
        action="wave.places_added",
        subject_type="wave",
        subject_id=str(target.wave),
        business_date=day,
        details={"from_revoked_cards": len(revoked), "by_pool": dict(added)},
    )


def _issue_cards(
    session: Session,
    applicants: pa.Table,
    winners: pa.Table,
    *,
    wave: int,
    scheme_code: str,
    day: dt.date,
) -> pa.Table:
    """Insert one card per winner and fund its training balance from the program fund."""
    scheme = get_scheme(scheme_code)
    chosen = applicants.filter(
        pc.is_in(applicants["registration_id"], value_set=winners["registration_id"])
    )
    count = chosen.num_rows
    numbers = pa.array(_unused_card_numbers(session, count), pa.string())
    balance = scheme.training_balance_idr
    cards = pa.table(
        {
            "card_number": numbers,
            "nik": chosen["nik"],
            "registration_id": chosen["registration_id"],
            "kk_number": chosen["kk_number"],
            "wave": pa.array([wave] * count, pa.int64()),
            "scheme": pa.array([scheme.code] * count, pa.string()),
            "province_code": chosen["province_code"],
            "issued_on": pa.array([day] * count, pa.date32()),
            "purchase_deadline": pa.array([scheme.purchase_deadline(day)] * count, pa.date32()),
            "balance_expires_on": pa.array([scheme.balance_expiry(day)] * count, pa.date32()),
            "initial_balance_idr": pa.array([balance] * count, pa.int64()),
            "balance_idr": pa.array([balance] * count, pa.int64()),
            "status": pa.array([CardStatus.ACTIVE.value] * count, pa.string()),
        }
    )
    insert_new_rows(session, table_of(Card), cards)
    post_table(
        session,
        pa.table(
            {
                "idempotency_key": pc.binary_join_element_wise("CARD_FUNDED:", numbers, ""),
                "entry_kind": pa.array(["CARD_FUNDED"] * count, pa.string()),
                "debit_account": pc.binary_join_element_wise(
                    account(AccountKind.TRAINING_BALANCE) + ":", numbers, ""
                ),
                "credit_account": pa.array(
                    [account(AccountKind.PROGRAM_FUND)] * count, pa.string()
                ),
                "amount_idr": pa.array([balance] * count, pa.int64()),
                "effective_on": pa.array([day] * count, pa.date32()),
                "reference": numbers,
            }
        ),
    )
    return cards.select(["registration_id", "card_number"])


def _unused_card_numbers(session: Session, count: int) -> list[str]:
    """Draw `count` new card numbers, drawing again for any that already exists."""
    numbers = new_card_numbers(count, set())
    while True:
        clashes = existing_values(session, table_of(Card), "card_number", numbers)
        if not clashes:
            return numbers
        kept = [number for number in numbers if number not in clashes]
        numbers = kept + new_card_numbers(count - len(kept), set(numbers))


def _summary_of(session: Session, target: Wave, *, already_selected: bool) -> SelectionSummary:
    counts = session.execute(
        select(SelectionResult.outcome, SelectionResult.reason, func.count())
        .where(SelectionResult.wave == target.wave)
        .group_by(SelectionResult.outcome, SelectionResult.reason)
    ).all()
    reasons = {str(reason): int(n) for _outcome, reason, n in counts if reason is not None}
    selected = sum(int(n) for outcome, _reason, n in counts if outcome == Outcome.SELECTED.value)
    assert target.selected_on is not None
    return SelectionSummary(
        wave=target.wave,
        selected_on=target.selected_on,
        applicants=sum(int(n) for *_rest, n in counts),
        selected=selected,
        places=_places(session, target.wave),
        reasons=dict(sorted(reasons.items())),
        already_selected=already_selected,
    )


def _return_to_fund(
    session: Session, entry_kind: str, cards: list[tuple[str, dt.date, int]]
) -> int:
    """Post each card's remaining balance back to the program fund; return the total returned.

    `cards` holds (card number, effective day, balance); one entry per card
    with a positive balance, keyed `ENTRY_KIND:card` so it is never posted twice.
    """
    returned = [(card, on, balance) for card, on, balance in cards if balance > 0]
    post_table(
        session,
        pa.table(
            {
                "idempotency_key": [f"{entry_kind}:{card}" for card, _d, _b in returned],
                "entry_kind": [entry_kind] * len(returned),
                "debit_account": [account(AccountKind.PROGRAM_FUND)] * len(returned),
                "credit_account": [
                    f"{account(AccountKind.TRAINING_BALANCE)}:{card}" for card, _d, _b in returned
                ],
                "amount_idr": pa.array([balance for _c, _d, balance in returned], pa.int64()),
                "effective_on": pa.array([on for _c, on, _b in returned], pa.date32()),
                "reference": [card for card, _d, _b in returned],
            }
        ),
    )
    return sum(balance for _c, _d, balance in returned)


def revoke_unused_cards(session: Session, day: dt.date) -> int:
    """Revoke every active card with no purchase by its deadline (before `day`); return how many.

    The card is revoked on the day after its deadline, its remaining balance
    returns to the program fund, and its NIK can never be selected again.
    """
    due = session.execute(
        select(Card.card_number, Card.purchase_deadline, Card.balance_idr).where(
            Card.status == CardStatus.ACTIVE.value,
            Card.first_purchase_on.is_(None),
            Card.purchase_deadline < day,
        )
    ).all()
    if not due:
        return 0
    one_day = dt.timedelta(days=1)
    session.execute(
        update(Card),
        [
            {
                "card_number": card,
                "status": CardStatus.REVOKED.value,
                "revoked_on": deadline + one_day,
                "balance_idr": 0,
            }
            for card, deadline, _balance in due
        ],
    )
    _return_to_fund(
        session,
        "CARD_REVOKED",
        [(card, deadline + one_day, balance) for card, deadline, balance in due],
    )
    record(
        session,
        action="cards.revoked",
        subject_type="cards",
        subject_id=str(day),
        business_date=day,
        details={"count": len(due), "reason": "no purchase by the deadline"},
    )
    return len(due)


@dataclass(frozen=True)
class SelectionRow:
    """One line of `export selection`."""

    nik: str
    wave: int
    outcome: str
    reason: str
    card_number: str


def selection_rows(session: Session, wave: int) -> list[SelectionRow]:
    """Return every registration of a selected wave with its outcome, reason and card."""
    target = get_wave(session, wave)
    if target.selected_on is None:
        raise NotFoundError(
            f"wave {wave} is not selected yet (run: prakerja waves select {wave} --date D)"
        )
    rows = session.execute(
        select(
            Registration.nik,
            SelectionResult.outcome,
            SelectionResult.reason,
            SelectionResult.card_number,
        )
        .join(SelectionResult, SelectionResult.registration_id == Registration.id)
        .where(Registration.wave == wave)
        .order_by(Registration.nik)
    )
    return [
        SelectionRow(nik, wave, outcome, reason or "", card or "")
        for nik, outcome, reason, card in rows
    ]


@dataclass(frozen=True)
class CardRow:
    """One line of `export cards`."""

    card_number: str
    nik: str
    full_name: str
    wave: int
    issued_on: dt.date
    purchase_deadline: dt.date
    status: str


def card_rows(session: Session, wave: int) -> list[CardRow]:
    """Return the cards of a wave with their holder, deadline and status."""
    get_wave(session, wave)
    rows = session.execute(
        select(
            Card.card_number,
            Card.nik,
            Registration.full_name,
            Card.wave,
            Card.issued_on,
            Card.purchase_deadline,
            Card.status,
        )
        .join(Registration, Registration.id == Card.registration_id)
        .where(Card.wave == wave)
        .order_by(Card.card_number)
    )
    return [CardRow(*row) for row in rows]


@dataclass(frozen=True)
class WaveOverview:
    """A wave at a glance: its scheme, draw, outcomes and cards."""

    wave: int
    scheme: str
    opens_on: dt.date
    closes_on: dt.date
    selected_on: dt.date | None
    places: int
    applicants: int
    selected: int
    reasons: dict[str, int]
    active_cards: int
    revoked_cards: int


def wave_overviews(session: Session) -> list[WaveOverview]:
    """Return every wave with its registrations, outcomes by reason and card statuses."""
    applicants = dict(
        session.execute(select(Registration.wave, func.count()).group_by(Registration.wave)).all()
    )
    outcomes: dict[int, Counter[str]] = {}
    for number, outcome, reason, count in session.execute(
        select(
            SelectionResult.wave, SelectionResult.outcome, SelectionResult.reason, func.count()
        ).group_by(SelectionResult.wave, SelectionResult.outcome, SelectionResult.reason)
    ):
        outcomes.setdefault(number, Counter())[reason or outcome] += count
    cards: dict[tuple[int, str], int] = {
        (number, status): count
        for number, status, count in session.execute(
            select(Card.wave, Card.status, func.count()).group_by(Card.wave, Card.status)
        )
    }
    places = dict(
        session.execute(
            select(WaveQuota.wave, func.sum(WaveQuota.quota + WaveQuota.added_places)).group_by(
                WaveQuota.wave
            )
        ).all()
    )
    overviews = []
    for wave in session.scalars(select(Wave).order_by(Wave.wave)):
        counted = outcomes.get(wave.wave, Counter())
        selected = counted.pop(Outcome.SELECTED.value, 0)
        overviews.append(
            WaveOverview(
                wave=wave.wave,
                scheme=wave.scheme,
                opens_on=wave.opens_on,
                closes_on=wave.closes_on,
                selected_on=wave.selected_on,
                places=int(places.get(wave.wave) or 0),
                applicants=int(applicants.get(wave.wave, 0)),
                selected=selected,
                reasons=dict(sorted(counted.items())),
                active_cards=cards.get((wave.wave, CardStatus.ACTIVE.value), 0),
                revoked_cards=cards.get((wave.wave, CardStatus.REVOKED.value), 0),
            )
        )
    return overviews


CARD_STATE_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("status", pa.string()),
        ("issued_on", pa.date32()),
        ("purchase_deadline", pa.date32()),
        ("balance_expires_on", pa.date32()),
        ("balance_expired_on", pa.date32()),
        ("balance_idr", pa.int64()),
        ("first_purchase_on", pa.date32()),
    ]
)


def card_states(session: Session, card_numbers: pa.Array) -> pa.Table:
    """Return what the purchase rules need to know of each given card that exists."""
    query = select(
        Card.card_number,
        Card.status,
        Card.issued_on,
        Card.purchase_deadline,
        Card.balance_expires_on,
        Card.balance_expired_on,
        Card.balance_idr,
        Card.first_purchase_on,
    )
    return fetch_arrow_matching(session, query, Card.card_number, card_numbers, CARD_STATE_SCHEMA)


def move_training_balances(session: Session, moves: pa.Table) -> None:
    """Spend and restore training balances, each with its ledger entry, in one step.

    `moves` has `card_number, voucher_code, direction` (`SPEND` or `RESTORE`),
    `amount_idr, platform_code, effective_on`. A spend moves the amount from
    the card's training balance to the platform's payable and records the
    card's first purchase day; a restore (a refund) moves it back, or - when
    the card's balance has already expired - straight on to the program fund.
    The database refuses a balance below zero, whatever the caller computed.
    """
    if moves.num_rows == 0:
        return
    import duckdb

    cards = card_states(session, moves["card_number"])
    db = duckdb.connect()
    try:
        db.register("moves", moves)
        db.register("cards", cards)
        changes = db.sql(
            """
            SELECT
                m.card_number,
                sum(CASE WHEN m.direction = 'SPEND' THEN -m.amount_idr
                         WHEN c.balance_expired_on IS NULL THEN m.amount_idr
                         ELSE 0 END)::BIGINT AS delta,
                min(CASE WHEN m.direction = 'SPEND' THEN m.effective_on END) AS first_purchase_on
            FROM moves AS m JOIN cards AS c USING (card_number)
            GROUP BY m.card_number ORDER BY m.card_number
            """
        ).to_arrow_table()
        entries = db.sql(
            f"""
            SELECT
                m.direction || ':' || m.voucher_code AS idempotency_key,
                CASE m.direction WHEN 'SPEND' THEN 'TRAINING_PURCHASE'
                     ELSE 'TRAINING_REFUND' END AS entry_kind,
                CASE m.direction WHEN 'SPEND' THEN '{account(AccountKind.PLATFORM_PAYABLE)}:'
                     || m.platform_code
                     ELSE '{account(AccountKind.TRAINING_BALANCE)}:' || m.card_number
                END AS debit_account,
                CASE m.direction WHEN 'SPEND' THEN '{account(AccountKind.TRAINING_BALANCE)}:'
                     || m.card_number
                     ELSE '{account(AccountKind.PLATFORM_PAYABLE)}:' || m.platform_code
                END AS credit_account,
                m.amount_idr, m.effective_on, m.voucher_code AS reference
            FROM moves AS m
            UNION ALL
            SELECT
                'EXPIRED_REFUND:' || m.voucher_code, 'BALANCE_EXPIRED',
                '{account(AccountKind.PROGRAM_FUND)}',
                '{account(AccountKind.TRAINING_BALANCE)}:' || m.card_number,
                m.amount_idr, m.effective_on, m.voucher_code
            FROM moves AS m JOIN cards AS c USING (card_number)
            WHERE m.direction = 'RESTORE' AND c.balance_expired_on IS NOT NULL
            """
        ).to_arrow_table()
    finally:
        db.close()
    update_rows(
        session,
        table_of(Card),
        changes,
        key=("card_number",),
        assignments={
            "balance_idr": "t.balance_idr + s.delta",
            "first_purchase_on": "COALESCE(t.first_purchase_on, s.first_purchase_on)",
        },
    )
    post_table(session, entries)


def expire_balances(session: Session, day: dt.date) -> int:
    """Return every balance past its spending date (before `day`) to the program fund.

    The balance of a card whose `balance_expires_on` is before `day` goes back
    to the program fund with one ledger entry; the card records the day after
    that date as `balance_expired_on`, and no purchase is accepted from then.
    Returns how many cards expired now.
    """
    due = session.execute(
        select(Card.card_number, Card.balance_expires_on, Card.balance_idr).where(
            Card.balance_expired_on.is_(None), Card.balance_expires_on < day
        )
    ).all()
    if not due:
        return 0
    one_day = dt.timedelta(days=1)
    session.execute(
        update(Card),
        [
            {"card_number": card, "balance_idr": 0, "balance_expired_on": until + one_day}
            for card, until, _balance in due
        ],
    )
    returned = _return_to_fund(
        session,
        "BALANCE_EXPIRED",
        [(card, until + one_day, balance) for card, until, balance in due],
    )
    record(
        session,
        action="cards.balance_expired",
        subject_type="cards",
        subject_id=str(day),
        business_date=day,
        details={"count": len(due), "returned_idr": returned},
    )
    return len(due)


CARD_SCHEME_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("scheme", pa.string()), ("status", pa.string())]
)


def card_schemes(session: Session) -> pa.Table:
    """Return every card with its scheme and status, for set-based joins in other domains."""
    query = select(Card.card_number, Card.scheme, Card.status)
    return fetch_arrow(session, query, CARD_SCHEME_SCHEMA)


BARRED_CARD_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("held_from", pa.date32()), ("list_code", pa.string())]
)


def barred_cards(session: Session, *, as_of: dt.date) -> pa.Table:
    """Return each card whose holder is on a barring list of the card's scheme by `as_of`.

    One row per card: the first day a list bars the holder (`effective_from`,
    the first day of the list's period) and that list's code (the first in
    alphabetical order when two lists start the same day).
    """
    lists_of_scheme = [
        and_(Card.scheme == code, Exclusion.list_code.in_([c.value for c in scheme.barring_lists]))
        for code, scheme in all_schemes().items()
        if scheme.barring_lists
    ]
    if not lists_of_scheme:
        return BARRED_CARD_SCHEMA.empty_table()
    ranked = (
        select(
            Card.card_number,
            Exclusion.effective_from,
            Exclusion.list_code,
            func.row_number()
            .over(
                partition_by=Card.card_number,
                order_by=(Exclusion.effective_from, Exclusion.list_code),
            )
            .label("position"),
        )
        .join(Exclusion, Exclusion.nik == Card.nik)
        .where(Exclusion.effective_from <= as_of, or_(*lists_of_scheme))
        .subquery()
    )
    query = select(ranked.c.card_number, ranked.c.effective_from, ranked.c.list_code).where(
        ranked.c.position == 1
    )
    return fetch_arrow(session, query, BARRED_CARD_SCHEMA)


def active_cards(session: Session) -> pa.Table:
    """Return every active card with its issue day, deadline and balance (CARD_STATE_SCHEMA)."""
    query = select(
        Card.card_number,
        Card.status,
        Card.issued_on,
        Card.purchase_deadline,
        Card.balance_expires_on,
        Card.balance_expired_on,
        Card.balance_idr,
        Card.first_purchase_on,
    ).where(Card.status == CardStatus.ACTIVE.value)
    return fetch_arrow(session, query, CARD_STATE_SCHEMA)


CARD_HOLDER_SCHEMA = pa.schema([("card_number", pa.string()), ("nik", pa.string())])


def card_holders(session: Session, card_numbers: pa.Array) -> pa.Table:
    """Return the holder's NIK of each given card that exists."""
    query = select(Card.card_number, Card.nik)
    return fetch_arrow_matching(session, query, Card.card_number, card_numbers, CARD_HOLDER_SCHEMA)
