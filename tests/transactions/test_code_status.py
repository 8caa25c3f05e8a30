"""The status read of a redeem code: the provider's ciphertext and the code's facts, one statement."""

import pytest

from prakerja.transactions.code_status import read_code_status, read_code_status_on_loop
from tests.builders import event
from tests.event_loop import run_coroutine


@pytest.fixture
def purchased(program, cli):
    program.events(
        [
            event("PURCHASE", program.cards[0], "VCR8K2M4Q7", event_id="TKP-7"),
            event("ATTENDANCE", program.cards[0], "VCR8K2M4Q7", sequence="2"),
        ]
    )
    assert cli("providers", "key", "LP-001").exit_code == 0


def _read(engine, **values):
    if engine.dialect.name != "postgresql":
        return read_code_status(engine, **values)
    from prakerja.storage.async_reads import AsyncReads

    async def on_loop():
        reads = AsyncReads(engine, 1)
        try:
            return await read_code_status_on_loop(reads, **values)
        finally:
            await reads.close()

    on_loop_status = run_coroutine(on_loop())
    assert on_loop_status == read_code_status(engine, **values)
    return on_loop_status


def test_a_known_code_and_client_give_facts_and_ciphertext(engine, purchased):
    status = _read(engine, client_code="LP-001", redeem_code="VCR8K2M4Q7", sequence=2)
    assert status.ciphertext and "LP-001" not in status.ciphertext
    facts = status.facts
    assert (facts.voucher_code, facts.course_code, facts.invoice_code) == (
        "VCR8K2M4Q7",
        "C-0001",
        "TKP-7",
    )
    assert facts.provider_code == "LP-001" and facts.attended and not facts.refunded
    first = _read(engine, client_code="LP-001", redeem_code="VCR8K2M4Q7", sequence=1)
    assert not first.facts.attended


def test_an_unknown_code_or_client_still_gives_one_row(engine, purchased):
    unknown_code = _read(engine, client_code="LP-001", redeem_code="NOPE", sequence=1)
    assert unknown_code.facts is None and unknown_code.ciphertext
    unknown_client = _read(engine, client_code="LP-404", redeem_code="VCR8K2M4Q7", sequence=1)
    assert unknown_client.ciphertext is None and unknown_client.facts is not None
