"""The columns of the registry's fact tables, which other domains read by name."""

from __future__ import annotations

import pyarrow as pa

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
CARD_SCHEME_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("scheme", pa.string()), ("status", pa.string())]
)
BARRED_CARD_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("held_from", pa.date32()), ("list_code", pa.string())]
)
#: A card and its holder's NIK.
CARD_NIK_SCHEMA = pa.schema([("card_number", pa.string()), ("nik", pa.string())])
CARD_HOLDER_SCHEMA = pa.schema(
    [
        ("card_number", pa.string()),
        ("nik", pa.string()),
        ("wave", pa.int32()),
        ("scheme", pa.string()),
        ("revoked_on", pa.date32()),
    ]
)
EXCLUSION_SCHEMA = pa.schema(
    [("nik", pa.string()), ("list_code", pa.string()), ("effective_from", pa.date32())]
)
