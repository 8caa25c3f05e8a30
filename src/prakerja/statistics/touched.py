"""The groups of the integrity signals that a day's changed keys touch, read by index.

Each signal is a property of one group: a payout account (SHARED_ACCOUNT), a
phone number (SHARED_PHONE), a name and birth date (SAME_PERSON), a voucher
(FAST_COMPLETION). Between two evaluations a group can start to hold only if
a fact of one of its members was written or came due, and the reconciliation
queue names it: the card (a link of a payout account), the holder's NIK (a
card issued, a registration written; migration 0016) or the voucher. The
tables read here hold every member of every touched group, and so the same
SQL finds on them every signal of those groups. They may hold parts of other
groups too; a signal found on a part of its group holds on the whole (each is
"so many of a group"), so nothing is found that the whole program would not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from prakerja.catalog.readers import course_facts
from prakerja.payouts.readers import links_of_accounts_of
from prakerja.registry.readers import card_holders_matching, registration_phones_matching
from prakerja.transactions.readers import voucher_facts


@dataclass(frozen=True)
class ChangedKeys:
    """The keys whose facts a daily reconciliation run saw written or come due since another.

    `since_run` is that other run: the one the daily run was scoped on.
    """

    since_run: int
    card_numbers: pa.Array
    niks: pa.Array
    voucher_codes: pa.Array


def written_forms(phones: pa.Array) -> pa.Array:
    """Return every way a number of `phones` may be written (08..., +628..., 628..., 8...).

    The number is the SQL's (`sql/shared_phone.sql`: a leading 0 or 62 read as
    +62); the forms are a superset of the ones it reads as that number.
    """
    forms: set[str] = set()
    for written in pc.drop_null(phones).to_pylist():
        raw = written.strip()
        forms.add(raw)
        if raw.startswith("+"):
            number = raw
        elif raw.startswith("62"):
            number = "+" + raw
        else:
            number = "+62" + (raw[1:] if raw.startswith("0") else raw)
        if number.startswith("+62"):
            national = number[3:]
            forms.update((number, "62" + national, "0" + national, national))
        forms.add(number)
    return pa.array(sorted(forms), pa.string())


def _distinct(table: pa.Table) -> pa.Table:
    return table.group_by(table.column_names, use_threads=False).aggregate([])


def touched_tables(session: Session, *, day: dt.date, changed: ChangedKeys) -> dict[str, pa.Table]:
    """Read the facts (as `repository.signal_tables` names them) of every touched group."""
    holders = card_holders_matching(session, as_of=day, column="nik", values=changed.niks)
    namesakes = card_holders_matching(
        session, as_of=day, column="birth_date", values=holders["birth_date"].combine_chunks()
    )
    linking = pa.concat_arrays(
        [
            changed.card_numbers.cast(pa.string()),
            holders["card_number"].combine_chunks().cast(pa.string()),
        ]
    )
    links = links_of_accounts_of(session, as_of=day, card_numbers=linking)
    written = registration_phones_matching(session, column="nik", values=changed.niks)
    phones = registration_phones_matching(
        session, column="phone", values=written_forms(written["phone"].combine_chunks())
    )
    cards = pa.concat_tables(
        [
            holders,
            namesakes,
            card_holders_matching(
                session,
                as_of=day,
                column="card_number",
                values=links["card_number"].combine_chunks(),
            ),
            card_holders_matching(
                session, as_of=day, column="nik", values=phones["nik"].combine_chunks()
            ),
        ]
    )
    return {
        "cards": _distinct(cards),
        "vouchers": voucher_facts(session, as_of=day, codes=changed.voucher_codes),
        "courses": course_facts(session),
        "account_links": links,
        "phones": phones,
    }
