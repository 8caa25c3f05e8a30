"""Faults of a registration the contract keeps the row for: told by line and column.

Only a NIK or family-card number that is not 16 digits rejects a
registration; every other one gets a selection outcome. What is odd about a
kept row is still said, naming its line and column, so nothing is silent:
a wave not defined (yet), a province or regency not in the region list, a
registration dated after its wave closed.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from prakerja.ingest.validate import REJECT_SCHEMA, rejects_for
from prakerja.kit.nik import region_codes
from prakerja.registry.models import Wave

#: Asia/Jakarta has kept UTC+7 since 1964, without daylight saving.
_JAKARTA = pa.scalar(7 * 3600 * 1_000_000, pa.duration("us"))


def _province_codes() -> pa.Array:
    return pa.array(sorted({code[:2] for code in region_codes()}), pa.string())


def _not_in(values: pa.ChunkedArray, allowed: pa.Array) -> pa.Array:
    present = pc.is_valid(values)
    return pc.and_(present, pc.invert(pc.is_in(values, value_set=allowed)))


def registration_warnings(session: Session, rows: pa.Table) -> pa.Table:
    """Return warnings (by `_row`, column, reason) on registrations that load all the same."""
    waves = [(int(w), day) for w, day in session.execute(select(Wave.wave, Wave.closes_on))]
    known = pa.array([wave for wave, _day in waves], pa.int64())
    faults = [REJECT_SCHEMA.empty_table()]
    for wave in pc.unique(rows["wave"].filter(_not_in(rows["wave"], known))).to_pylist():
        reason = f"wave {wave} is not defined (yet): the registration waits for waves.csv"
        faults.append(rejects_for(rows, pc.equal(rows["wave"], wave), "wave", reason))
    unknown_province = _not_in(rows["province_code"], _province_codes())
    faults.append(
        rejects_for(rows, unknown_province, "province_code", "not a province of the region list")
    )
    regencies = pa.array(sorted(region_codes()), pa.string())
    unknown_regency = _not_in(rows["regency_code"], regencies)
    faults.append(
        rejects_for(rows, unknown_regency, "regency_code", "not a regency of the region list")
    )
    faults.extend(_late(rows, waves))
    return pa.concat_tables(faults)


def _late(rows: pa.Table, waves: list[tuple[int, dt.date]]) -> list[pa.Table]:
    """Warn of registrations dated after their wave closed (they still get an outcome)."""
    if not waves or rows.num_rows == 0:
        return []
    local = pc.add(pc.cast(rows["registered_at"], pa.timestamp("us")), _JAKARTA)
    days = pc.cast(local, pa.date32())
    late = []
    for wave, closes_on in waves:
        after = pc.fill_null(
            pc.and_(pc.equal(rows["wave"], wave), pc.greater(days, pa.scalar(closes_on))), False
        )
        reason = f"after wave {wave} closed on {closes_on} (still judged with the wave)"
        late.append(rejects_for(rows, after, "registered_at", reason))
    return late
