"""Selecting a wave: places from revoked cards, the draw, the cards issued, the outcomes stored."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import ConflictError, NotFoundError
from prakerja.kit.progress import Reporter, SilentReporter
from prakerja.registry import repository
from prakerja.registry.lifecycle import issue_cards
from prakerja.registry.models import NATIONAL, Outcome, Wave
from prakerja.registry.selection import Draw, decide
from prakerja.schemes.loader import get_scheme


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


def get_wave(session: Session, *, wave: int) -> Wave:
    """Return a wave, or raise NotFoundError naming it."""
    found = repository.find_wave(session, wave)
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
    target = get_wave(session, wave=wave)
    if target.selected_on is not None:
        return _summary_of(session, target, already_selected=True)
    if day < target.closes_on:
        raise ConflictError(
            f"wave {wave} is still open for registration until {target.closes_on}; "
            f"select it on or after that day, not on {day}"
        )
    scheme = get_scheme(target.scheme)
    _credit_revoked_places(session, target=target, day=day)
    places = repository.places(session, wave)
    reporter.start(f"reading wave {wave} applicants", 1)
    applicants = repository.applicants(session, wave)
    prior = repository.prior_cards(session, wave)
    lists = [code.value for code in scheme.barring_lists]
    barred = repository.barred_applicants(session, wave=wave, day=day, lists=lists)
    reporter.advance(1)
    reporter.start(f"deciding {applicants.num_rows} applicants", applicants.num_rows)
    decisions = decide(applicants, prior, barred, Draw(wave, day, scheme, seed, places))
    reporter.advance(applicants.num_rows)
    winners = decisions.filter(pc.equal(decisions["outcome"], Outcome.SELECTED.value))
    chosen = applicants.filter(
        pc.is_in(applicants["registration_id"], value_set=winners["registration_id"])
    )
    cards = issue_cards(session, chosen=chosen, wave=wave, scheme=scheme, day=day)
    results = _results(decisions, cards, wave=wave, day=day)
    reporter.start("recording outcomes", results.num_rows)
    repository.insert_results(session, results, progress=reporter.advance)
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


def _results(decisions: pa.Table, cards: pa.Table, *, wave: int, day: dt.date) -> pa.Table:
    """Return the selection results to store: each decision with its card, if any."""
    card_of = dict(
        zip(cards["registration_id"].to_pylist(), cards["card_number"].to_pylist(), strict=True)
    )
    count = decisions.num_rows
    return pa.table(
        {
            "registration_id": decisions["registration_id"],
            "wave": pa.array([wave] * count, pa.int64()),
            "outcome": decisions["outcome"],
            "reason": decisions["reason"],
            "card_number": pa.array(
                [card_of.get(i) for i in decisions["registration_id"].to_pylist()], pa.string()
            ),
            "decided_on": pa.array([day] * count, pa.date32()),
        }
    )


def _credit_revoked_places(session: Session, *, target: Wave, day: dt.date) -> None:
    """Give each card revoked by `day` and not yet credited one place in this wave.

    The place goes to the pool the card's holder would compete in: the card's
    province when the wave has a quota for it, else the national quota, else a
    new quota for the card's province.
    """
    revoked = repository.revoked_uncredited(session, day)
    if not revoked:
        return
    pools = repository.quotas(session, target.wave)
    added: Counter[str] = Counter(
        str(code) if code in pools or NATIONAL not in pools else NATIONAL for _card, code in revoked
    )
    for pool, count in added.items():
        quota = pools.get(pool) or repository.add_quota(session, wave=target.wave, pool=pool)
        quota.added_places += count
    repository.mark_places_credited(
        session, cards=[card for card, _province in revoked], wave=target.wave
    )
    record(
        session,
        action="wave.places_added",
        subject_type="wave",
        subject_id=str(target.wave),
        business_date=day,
        details={"from_revoked_cards": len(revoked), "by_pool": dict(added)},
    )


def _summary_of(session: Session, target: Wave, *, already_selected: bool) -> SelectionSummary:
    counts = repository.outcome_counts(session, target.wave)
    reasons = {str(reason): int(n) for _outcome, reason, n in counts if reason is not None}
    selected = sum(int(n) for outcome, _reason, n in counts if outcome == Outcome.SELECTED.value)
    assert target.selected_on is not None
    return SelectionSummary(
        wave=target.wave,
        selected_on=target.selected_on,
        applicants=sum(int(n) for *_rest, n in counts),
        selected=selected,
        places=repository.places(session, target.wave),
        reasons=dict(sorted(reasons.items())),
        already_selected=already_selected,
    )
