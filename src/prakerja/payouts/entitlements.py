"""Entitlements: what each participant is owed, found due by a business day, and held.

An entitlement is (card, kind, tranche), created once the day it falls due
and funded from the program fund in the same step. The post-training
tranches are found due by `post_training`; survey incentives are added by
the surveys domain through `add_entitlements`.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.kit.clock import utc_now
from prakerja.ledger.service import post_movements
from prakerja.payouts import repository
from prakerja.payouts.books import FUND, PAYABLE, EntryKind
from prakerja.registry import service as registry
from prakerja.registry.codes import LIST_REASON_PREFIX

#: Columns of a table of entitlements to add.
NEW_ENTITLEMENT_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("kind", pa.string()),
        ("tranche", pa.int64()),
        ("amount_idr", pa.int64()),
        ("due_on", pa.date32()),
    ]
)


def entitlement_keys(rows: pa.Table) -> pa.Array:
    """Return each entitlement's ledger key `DUE:<card>:<kind>:<tranche>`."""
    return pc.binary_join_element_wise(
        "DUE", rows["card_number"], rows["kind"], pc.cast(rows["tranche"], pa.string()), ":"
    )


def add_entitlements(session: Session, *, rows: pa.Table, day: dt.date | None = None) -> int:
    """Create entitlements (columns of NEW_ENTITLEMENT_SCHEMA) once each, funded; return new ones.

    `day` is the business day that found them due (default: each one's due
    day). Each is funded from the program fund into incentives payable under
    a key naming the entitlement, so that neither can happen twice.
    """
    if rows.num_rows == 0:
        return 0
    rows = rows.select(NEW_ENTITLEMENT_SCHEMA.names).cast(NEW_ENTITLEMENT_SCHEMA)
    now = utc_now()
    found_on = rows["due_on"] if day is None else pa.array([day] * rows.num_rows, pa.date32())
    table = rows.append_column(
        "created_at", pa.array([now] * rows.num_rows, pa.timestamp("us", tz="UTC"))
    ).append_column("created_on", found_on)
    inserted = repository.insert_entitlements(session, table)
    keys = entitlement_keys(rows)
    post_movements(
        session,
        keys=keys,
        kind=EntryKind.DUE,
        debit=PAYABLE,
        credit=FUND,
        amounts=rows["amount_idr"],
        day=rows["due_on"],
        references=pc.utf8_slice_codeunits(keys, 4, 84),
    )
    return inserted


def hold_barred(session: Session, *, day: dt.date) -> None:
    """Hold every unpaid entitlement of a participant on a barring list by `day`.

    The hold runs from the first day of the list's period, with the reason
    `INELIGIBLE_LIST_<CODE>`; an earlier list replaces a later one.
    """
    barred = registry.barred_cards(session, as_of=day)
    if barred.num_rows == 0:
        return
    params = [
        {"b_card": card, "b_from": start, "b_reason": LIST_REASON_PREFIX + code}
        for card, start, code in zip(
            barred["card_number"].to_pylist(),
            barred["held_from"].to_pylist(),
            barred["list_code"].to_pylist(),
            strict=True,
        )
    ]
    repository.hold_entitlements(session, params)
