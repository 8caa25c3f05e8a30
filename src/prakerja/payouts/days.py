"""Calendar days of whole columns of instants: the program's day is Asia/Jakarta."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from prakerja.kit.clock import JAKARTA


def jakarta_days(instants: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return the Asia/Jakarta calendar day of each UTC instant (null stays null)."""
    local = pc.cast(instants, pa.timestamp("us", tz=str(JAKARTA)))
    return pc.cast(local, pa.date32())
