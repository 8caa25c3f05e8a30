"""Statements of the partners domain: tokens, uploads and disputes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.partners.models import BreakDispute, PartnerToken, PartnerUpload


def token_of(session: Session, partner_code: str) -> PartnerToken | None:
    """Return a partner's token row, if one was issued."""
    return session.get(PartnerToken, partner_code)


def save_token(
    session: Session, *, partner_code: str, digest: str, kinds: str, now: dt.datetime, actor: str
) -> bool:
    """Store a partner's token digest, replacing the previous one; return True on a rotation."""
    row = session.get(PartnerToken, partner_code, with_for_update=True)
    if row is None:
        session.add(
            PartnerToken(
                partner_code=partner_code,
                token_sha256=digest,
                kinds=kinds,
                issued_at=now,
                issued_by=actor,
            )
        )
        session.flush()
        return False
    row.token_sha256, row.kinds, row.issued_at, row.issued_by = digest, kinds, now, actor
    session.flush()
    return True


def add_upload(session: Session, upload: PartnerUpload) -> None:
    """Record an upload."""
    session.add(upload)
    session.flush()


def uploads_of(session: Session, partner_code: str, limit: int) -> Sequence[PartnerUpload]:
    """Return a partner's latest uploads, newest first."""
    return session.scalars(
        select(PartnerUpload)
        .where(PartnerUpload.partner_code == partner_code)
        .order_by(PartnerUpload.received_at.desc(), PartnerUpload.id.desc())
        .limit(limit)
    ).all()


def add_dispute(session: Session, dispute: BreakDispute) -> None:
    """Record a dispute."""
    session.add(dispute)
    session.flush()


def latest_disputes(
    session: Session, *, partner_code: str | None = None, break_ids: Sequence[str] | None = None
) -> dict[str, BreakDispute]:
    """Return each disputed break's latest dispute, of one partner or of the breaks given."""
    query = select(BreakDispute).order_by(BreakDispute.recorded_at, BreakDispute.id)
    if partner_code is not None:
        query = query.where(BreakDispute.partner_code == partner_code)
    if break_ids is not None:
        query = query.where(BreakDispute.break_id.in_(list(break_ids)))
    return {dispute.break_id: dispute for dispute in session.scalars(query)}
