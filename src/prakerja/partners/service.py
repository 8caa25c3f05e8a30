"""Partner access: issue tokens, take uploads through the import pipeline, show and dispute breaks.

A partner is known by its token only. Its upload goes through the very same
pipeline as `prakerja import` (`ingest.pipeline.import_file`), with the
partner as the acting partner: a row naming another partner is one more
column reject. Its breaks are breaks.csv's rows naming it, with its latest
dispute of each.
"""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from prakerja.audit.service import current_actor, record
from prakerja.ingest.kinds import loader_for, unknown_kinds
from prakerja.ingest.pipeline import ImportSummary, import_file
from prakerja.ingest.rejects import rejects_path
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import InputError, NotFoundError
from prakerja.kit.progress import SilentReporter
from prakerja.partners import repository
from prakerja.partners.models import BreakDispute, PartnerUpload
from prakerja.partners.rules import (
    checked_code,
    digest_matches,
    new_token,
    token_digest,
    token_partner,
    written_reason,
)
from prakerja.reconciliation.service import break_partner_code, latest_run_day
from prakerja.reporting.breaks import BREAKS_COLUMNS, breaks_as_of
from prakerja.storage.db import unit_of_work

#: The statuses a partner may ask its breaks by.
BREAK_STATUSES = ("OPEN", "RESOLVED", "ALL")


@dataclass(frozen=True)
class Grant:
    """What a valid token lets its bearer do: act as this partner, send these kinds."""

    partner_code: str
    kinds: frozenset[str]


@dataclass(frozen=True)
class RejectLine:
    """One reject of an upload, as its rejects file has it."""

    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class UploadAnswer:
    """What an upload's import answered: the summary counts and every reject."""

    summary: ImportSummary
    rejects: list[RejectLine]


def issue_token(
    session: Session, *, partner_code: str, kinds: Sequence[str], actor: str | None = None
) -> str:
    """Issue (or rotate) a partner's token for these import kinds; return it (shown once)."""
    checked_code(partner_code)
    wanted = list(dict.fromkeys(kind.strip() for kind in kinds if kind.strip()))
    if not wanted:
        raise InputError("--kinds needs at least one import kind")
    unknown = unknown_kinds(wanted)
    if unknown:
        raise InputError(f"unknown kind(s): {', '.join(unknown)}")
    token = new_token(partner_code)
    who = actor or current_actor()
    rotated = repository.save_token(
        session,
        partner_code=partner_code,
        digest=token_digest(token),
        kinds=",".join(wanted),
        now=utc_now(),
        actor=who,
    )
    record(
        session,
        action="partner.token_rotated" if rotated else "partner.token_issued",
        subject_type="partner",
        subject_id=partner_code,
        actor=who,
        details={"kinds": wanted},
    )
    return token


def grant_for(session: Session, token: str) -> Grant | None:
    """Return what a bearer token allows, or None when it is not a partner's current token."""
    partner_code = token_partner(token)
    row = repository.token_of(session, partner_code) if partner_code else None
    if row is None:
        # Compare anyway, so that an unknown partner takes as long as a wrong secret.
        digest_matches(token_digest(secrets.token_hex(8)), token)
        return None
    if not digest_matches(row.token_sha256, token):
        return None
    return Grant(row.partner_code, frozenset(row.kinds.split(",")))


def upload_folder(root: Path, *, partner_code: str) -> Path:
    """Create and return a new folder of its own for one upload: ROOT/CODE/STAMP-RANDOM."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    folder = root / checked_code(partner_code) / f"{stamp}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    return folder


def import_upload(
    engine: Engine, *, partner_code: str, kind: str, path: Path, size_bytes: int
) -> UploadAnswer:
    """Import a partner's uploaded file exactly as `prakerja import KIND` does, as that partner.

    The upload is recorded in the import's own transaction; a file unusable
    as a whole is recorded with its reason and refused (InputError, its path
    shortened to the file's name).
    """
    loader = loader_for(kind)
    received = _Received(partner_code, kind, path, size_bytes, utc_now())

    def remember(session: Session, run_id: int, summary: ImportSummary) -> None:
        repository.add_upload(session, _upload_row(received, run_id, summary))

    try:
        summary = import_file(
            engine,
            loader,
            path,
            SilentReporter(),
            acting_partner=partner_code,
            on_loaded=remember,
        )
    except InputError as refused:
        reason = refused.message.replace(str(path), path.name)
        with unit_of_work(engine) as session:
            row = _upload_row(received, None, None)
            row.refused_reason = reason[:500]
            repository.add_upload(session, row)
        raise InputError(reason) from refused
    return UploadAnswer(summary, read_rejects(path))


@dataclass(frozen=True)
class _Received:
    """A file a partner sent: who, what kind, where it is kept, how big, when."""

    partner_code: str
    kind: str
    path: Path
    size_bytes: int
    received_at: dt.datetime


def _upload_row(
    received: _Received, run_id: int | None, summary: ImportSummary | None
) -> PartnerUpload:
    counts = summary or ImportSummary()
    return PartnerUpload(
        partner_code=received.partner_code,
        kind=received.kind,
        file_name=received.path.name,
        stored_path=str(received.path),
        size_bytes=received.size_bytes,
        received_at=received.received_at,
        import_run_id=run_id,
        loaded=counts.loaded,
        duplicates=counts.duplicates,
        rejected=counts.rejected,
        pending=counts.pending,
    )


def read_rejects(path: Path) -> list[RejectLine]:
    """Return the line, column and reason of every reject in a file's `FILE.rejects.csv`."""
    target = rejects_path(path)
    if not target.exists():
        return []
    with target.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        return [RejectLine(int(row[0]), row[1], row[2]) for row in rows if len(row) >= 3]


def recent_uploads(
    session: Session, *, partner_code: str, limit: int = 100
) -> Sequence[PartnerUpload]:
    """Return a partner's latest uploads (newest first); each one's rejects sit beside its file."""
    return repository.uploads_of(session, partner_code, limit)


def partner_breaks(
    session: Session, *, partner_code: str, day: dt.date | None = None, status: str = "OPEN"
) -> tuple[dt.date | None, list[dict[str, Any]]]:
    """Return the day shown and a partner's breaks as of it (default: latest reconciled day).

    Each break has breaks.csv's columns plus `dispute_reason` and
    `disputed_on` from the partner's latest dispute of it (None when none).
    """
    if status not in BREAK_STATUSES:
        raise InputError(f"status must be one of {', '.join(BREAK_STATUSES)}")
    shown = day or latest_run_day(session)
    if shown is None:
        return None, []
    rows = breaks_as_of(session, day=shown, partner_code=partner_code)
    disputes = repository.latest_disputes(session, partner_code=partner_code)
    breaks = []
    for row in rows:
        found = dict(zip(BREAKS_COLUMNS, row, strict=True))
        if status != "ALL" and found["status"] != status:
            continue
        dispute = disputes.get(found["break_id"])
        found["dispute_reason"] = dispute.reason if dispute else None
        found["disputed_on"] = dispute.disputed_on if dispute else None
        breaks.append(found)
    return shown, breaks


def dispute_break(
    session: Session, *, partner_code: str, break_id: str, reason: str, day: dt.date
) -> BreakDispute:
    """Record a partner's dispute of one of its breaks; the break itself does not change.

    Another partner's break and an unknown id are both NotFoundError, so a
    partner learns nothing about breaks that are not its own.
    """
    written = written_reason(reason)
    if break_partner_code(session, break_id) != partner_code:
        raise NotFoundError(f"no break {break_id!r} of {partner_code}")
    dispute = BreakDispute(
        break_id=break_id,
        partner_code=partner_code,
        reason=written,
        disputed_on=day,
        recorded_at=utc_now(),
    )
    repository.add_dispute(session, dispute)
    record(
        session,
        action="break.disputed",
        subject_type="break",
        subject_id=break_id,
        actor=f"partner:{partner_code}",
        details={"reason": written, "disputed_on": day.isoformat()},
    )
    return dispute


def disputes_of_breaks(session: Session, break_ids: Sequence[str]) -> dict[str, BreakDispute]:
    """Return the latest dispute of each of these breaks that has one (for the staff's pages)."""
    return repository.latest_disputes(session, break_ids=break_ids)
