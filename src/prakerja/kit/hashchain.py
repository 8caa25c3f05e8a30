"""A hash chain of records: each hash covers the record's content and the previous hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: The previous hash of the very first record.
GENESIS = "0" * 64


def _instant(value: dt.datetime) -> str:
    utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    *,
    occurred_at: dt.datetime,
    business_date: dt.date | None,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: Mapping[str, Any] | None,
) -> bytes:
    """Return the bytes a record's hash covers: its fields in one fixed JSON form."""
    body = [
        _instant(occurred_at),
        business_date.isoformat() if business_date else None,
        actor,
        action,
        subject_type,
        subject_id,
        dict(details or {}),
    ]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(previous: str, content: bytes) -> str:
    """Return a record's hash: SHA-256 over the previous record's hash and its content."""
    return hashlib.sha256(previous.encode() + b"\n" + content).hexdigest()


@dataclass(frozen=True)
class Mismatch:
    """The first record that does not fit the chain, and why."""

    event_id: int
    why: str


def first_mismatch(rows: Iterable[tuple[int, str | None, str | None, bytes]]) -> Mismatch | None:
    """Walk (id, prev_hash, hash, content) in id order; return the first that does not fit."""
    previous = GENESIS
    for event_id, prev_hash, own_hash, content in rows:
        if prev_hash != previous:
            return Mismatch(event_id, "its previous hash is not the hash of the record before it")
        if own_hash != link(previous, content):
            return Mismatch(event_id, "its hash does not match its content")
        previous = own_hash
    return None


def chain_from(previous: str, contents: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """Yield (prev_hash, hash) for records appended in order after `previous`."""
    for content in contents:
        own = link(previous, content)
        yield previous, own
        previous = own
