"""The participants' door: one-time codes, sessions and grievances.

Everything that decides who gets in lives in the database (codes, attempts,
sending limits, sessions), so every worker of the service decides alike. The
caller passes the instant (`now`) and the key that hashes codes, and commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from prakerja.audit.service import record
from prakerja.kit.clock import jakarta_date
from prakerja.kit.errors import ConflictError, InputError, NotFoundError
from prakerja.participants import repository
from prakerja.participants.codes import GrievanceCategory, GrievanceStatus
from prakerja.participants.models import Grievance
from prakerja.participants.notify import Message
from prakerja.participants.rules import (
    CODE_VALID_FOR,
    CODES_PER_WINDOW,
    GRIEVANCE_TEXT_LIMIT,
    SENDING_WINDOW,
    SESSION_LIFETIME,
    clean_text,
    code_hash,
    code_matches,
    is_code_shaped,
    may_send,
    new_code,
    new_grievance_id,
    new_session_token,
    normalise_phone,
    token_hash,
)
from prakerja.payouts.person import instruction_card, succeeded_instruction_ids
from prakerja.registry.person import latest_phone, person_card

#: The grievance categories, in the order a form offers them.
CATEGORIES = tuple(GrievanceCategory)
#: The longest resolution reason kept.
REASON_LIMIT = 1000


def code_text(code: str) -> str:
    """Return the message that carries a code (Bahasa Indonesia; the code is its only 6 digits)."""
    return (
        f"Kode masuk Kartu Prakerja Anda: {code}. Berlaku 10 menit. "
        "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
    )


def request_code(session: Session, *, nik: str, key: str, now: dt.datetime) -> Message | None:
    """Make a code for a NIK and return the message to send, or None when nothing is sent.

    A NIK with no usable phone on file takes the very same path (its request
    is stored and counted, with a hash no code matches), so that neither the
    answer nor the work done tells a registered NIK from an unknown one.
    Nothing is sent beyond three codes per NIK in any hour.
    """
    phone = normalise_phone(latest_phone(session, nik=nik))
    repository.forget_codes(session, nik=nik, before=now - 24 * SENDING_WINDOW)
    recent = repository.recent_codes(session, nik=nik, count=CODES_PER_WINDOW)
    third_last = recent[CODES_PER_WINDOW - 1][1] if len(recent) == CODES_PER_WINDOW else None
    if not may_send(third_last_sent=third_last, now=now):
        return None
    code = new_code()
    stored = repository.add_code(
        session,
        nik=nik,
        serial=(recent[0][0] if recent else 0) + 1,
        code_hash=code_hash(key, nik=nik, code=code),
        delivered=phone is not None,
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
        attempts=0,
    )
    if not stored or phone is None:
        return None
    return Message(to=phone, text=code_text(code))


def sign_in(session: Session, *, nik: str, code: str, key: str, now: dt.datetime) -> str | None:
    """Try a code for a NIK; return a new session id when it is right, else None.

    Only the NIK's latest code counts, for 10 minutes and five attempts (right
    or wrong), once.
    """
    latest = repository.latest_code(session, nik=nik)
    if latest is None or not is_code_shaped(code):
        return None
    if not repository.spend_attempt(session, code_id=latest.id, now=now):
        return None
    if not latest.delivered or not code_matches(
        key, nik=nik, code=code, stored_hash=latest.code_hash
    ):
        return None
    if not repository.use_code(session, code_id=latest.id, now=now):
        return None
    token = new_session_token()
    repository.add_session(
        session,
        id_hash=token_hash(token),
        nik=nik,
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    return token


def signed_in_nik(session: Session, *, token: str, now: dt.datetime) -> str | None:
    """Return the NIK of a live session id, or None."""
    if not token or len(token) > 100:
        return None
    return repository.live_session_nik(session, id_hash=token_hash(token), now=now)


def sign_out(session: Session, *, token: str, now: dt.datetime) -> None:
    """End a session."""
    if token and len(token) <= 100:
        repository.end_session(session, id_hash=token_hash(token), now=now)


@dataclass(frozen=True)
class GrievanceView:
    """A grievance as the participant, staff and exports see it."""

    grievance_id: str
    card_number: str | None
    instruction_id: str | None
    category: str
    text: str
    opened_on: dt.date
    status: str
    resolved_on: dt.date | None
    resolution_reason: str | None
    created: bool = False
    """True when this filing opened it (False: the same grievance was filed earlier today)."""


def _view(found: Grievance, *, created: bool = False) -> GrievanceView:
    return GrievanceView(
        found.grievance_id,
        found.card_number,
        found.instruction_id,
        found.category,
        found.text,
        found.opened_on,
        found.status,
        found.resolved_on,
        found.resolution_reason,
        created,
    )


def file_grievance(
    session: Session,
    *,
    nik: str,
    category: str,
    instruction_id: str | None,
    text: str,
    now: dt.datetime,
) -> GrievanceView:
    """File a participant's grievance; the same one filed again the same day is that one.

    Raises InputError for an unknown category or a text too long, and
    NotFoundError for an instruction that is not one of the participant's own.
    """
    if category not in set(GrievanceCategory):
        raise InputError(f"unknown category: {category[:40]!r}")
    words = clean_text(text)
    if len(words) > GRIEVANCE_TEXT_LIMIT:
        raise InputError(f"the text is longer than {GRIEVANCE_TEXT_LIMIT} characters")
    card = person_card(session, nik=nik)
    instruction = (instruction_id or "").strip() or None
    if instruction is not None and (
        card is None or instruction_card(session, instruction_id=instruction) != card.card_number
    ):
        raise NotFoundError("no such instruction among yours")
    day = jakarta_date(now)
    known = repository.same_day_grievance(
        session, nik=nik, category=category, instruction_key=instruction or "", day=day
    )
    if known is not None:
        return _view(known)
    filed = Grievance(
        grievance_id=new_grievance_id(),
        nik=nik,
        card_number=card.card_number if card else None,
        instruction_id=instruction,
        instruction_key=instruction or "",
        category=category,
        text=words,
        opened_on=day,
        opened_at=now,
        status=GrievanceStatus.OPEN.value,
    )
    if repository.add_grievance(session, filed):
        return _view(filed, created=True)
    concurrent = repository.same_day_grievance(
        session, nik=nik, category=category, instruction_key=instruction or "", day=day
    )
    assert concurrent is not None
    return _view(concurrent)


def resolve_grievance(
    session: Session,
    *,
    grievance_id: str,
    reason: str,
    actor: str | None = None,
    day: dt.date,
    now: dt.datetime,
) -> GrievanceView:
    """Resolve an open grievance with a written reason, recorded in the audit trail."""
    words = clean_text(reason)
    if not words or len(words) > REASON_LIMIT:
        raise InputError(f"a reason of 1 to {REASON_LIMIT} characters is required")
    found = repository.grievance(session, grievance_id=grievance_id.strip()[:24])
    if found is None:
        raise NotFoundError(f"no grievance {grievance_id[:40]!r}")
    if found.status == GrievanceStatus.RESOLVED.value:
        raise ConflictError(f"grievance {found.grievance_id} was resolved on {found.resolved_on}")
    if day < found.opened_on:
        raise InputError(f"grievance {found.grievance_id} was opened on {found.opened_on}")
    event = record(
        session,
        action="grievance.resolve",
        subject_type="grievance",
        subject_id=found.grievance_id,
        details={"reason": words},
        business_date=day,
        actor=actor,
    )
    found.status = GrievanceStatus.RESOLVED.value
    found.resolved_on = day
    found.resolved_at = now
    found.resolved_by = event.actor
    found.resolution_reason = words
    session.flush()
    return _view(found)


def participant_grievances(session: Session, *, nik: str) -> list[GrievanceView]:
    """Return a participant's grievances, newest first."""
    return [_view(found) for found in repository.grievances_of(session, nik=nik)]


def grievances_page(
    session: Session, *, status: str | None, page: int, page_size: int
) -> tuple[list[GrievanceView], bool]:
    """Return one page of grievances (OPEN first) and whether another page follows."""
    found = repository.grievances_page(
        session, status=status, offset=(page - 1) * page_size, limit=page_size + 1
    )
    return [_view(one) for one in found[:page_size]], len(found) > page_size


def grievance(session: Session, *, grievance_id: str) -> GrievanceView | None:
    """Return one grievance by its id, or None."""
    found = repository.grievance(session, grievance_id=grievance_id.strip()[:24])
    return _view(found) if found else None


#: Columns of `prakerja export grievances`.
GRIEVANCE_COLUMNS = (
    "grievance_id",
    "card_number",
    "instruction_id",
    "category",
    "opened_on",
    "status",
    "resolved_on",
)
#: Columns a payment partner sees (no card number).
PARTNER_GRIEVANCE_COLUMNS = tuple(c for c in GRIEVANCE_COLUMNS if c != "card_number")


def grievances_as_of(session: Session, *, day: dt.date) -> list[dict[str, object]]:
    """Return every grievance opened by a day, OPEN or RESOLVED as of that day."""
    rows = session.execute(repository.grievance_rows(day))
    return [
        _as_of(dict(zip(GRIEVANCE_COLUMNS, (*row[:5], None, row[5]), strict=True)), day)
        for row in rows
    ]


def partner_grievances(session: Session, *, partner_code: str) -> list[dict[str, object]]:
    """Return the NOT_RECEIVED grievances about a partner's instructions that it says succeeded."""
    statement = repository.not_received_about(succeeded_instruction_ids(partner_code))
    return [
        _as_of(dict(zip(PARTNER_GRIEVANCE_COLUMNS, (*row[:4], None, row[4]), strict=True)), None)
        for row in session.execute(statement)
    ]


def _as_of(row: dict[str, object], day: dt.date | None) -> dict[str, object]:
    """Set `status` (and blank `resolved_on`) as of a day; None: as of now."""
    resolved = row["resolved_on"]
    done = isinstance(resolved, dt.date) and (day is None or resolved <= day)
    row["status"] = (GrievanceStatus.RESOLVED if done else GrievanceStatus.OPEN).value
    row["resolved_on"] = resolved if done else None
    return row
