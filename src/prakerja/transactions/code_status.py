"""The status read of a redeem code: the provider's stored secret and the code's facts at once.

One statement, outside any transaction (one statement sees one snapshot),
reads the asking provider's secret ciphertext beside the code's facts, so a
status request costs one round trip; the caller verifies the signature with
the secret before it uses the facts. On PostgreSQL the read may run on the
event loop itself (`storage.async_reads`), with the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, bindparam

from prakerja.catalog.service import secret_ciphertext_of
from prakerja.storage.async_reads import AsyncReads, CompiledRead
from prakerja.transactions.service import CodeFacts, code_facts_of, code_statement

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Engine, Select

#: The name the status statement is prepared under on event-loop connections.
_PREPARED_NAME = "redeem_code_status"


@dataclass(frozen=True)
class CodeStatus:
    """What one status read gives: the provider's secret ciphertext and the code's facts."""

    ciphertext: str | None
    facts: CodeFacts | None


@cache
def _statement() -> Select[Any]:
    """The status read: the provider's ciphertext first, then the code's facts for a session."""
    return code_statement(secret_ciphertext_of(bindparam("client_code", type_=String)))


def _status_of(row: Sequence[Any]) -> CodeStatus:
    facts, ciphertext = code_facts_of(row)
    return CodeStatus(ciphertext=ciphertext, facts=facts)


def read_code_status(
    engine: Engine, *, client_code: str, redeem_code: str, sequence: int
) -> CodeStatus:
    """Read a code's status for a provider in one statement (`engine` in autocommit)."""
    values = {"client_code": client_code, "redeem_code": redeem_code, "sequence": sequence}
    with engine.connect() as connection:
        return _status_of(connection.execute(_statement(), values).one())


async def read_code_status_on_loop(
    reads: AsyncReads, *, client_code: str, redeem_code: str, sequence: int
) -> CodeStatus:
    """Read a code's status for a provider on the event loop (PostgreSQL): the same statement."""
    compiled = reads.prepared.get(_PREPARED_NAME)
    if compiled is None:
        compiled = reads.prepared[_PREPARED_NAME] = CompiledRead(_statement(), reads.engine)
    values = {"client_code": client_code, "redeem_code": redeem_code, "sequence": sequence}
    row = await reads.fetch_one(compiled, values)
    if row is None:
        raise RuntimeError("the status statement gives one row, always")
    return _status_of(row)
