"""A partner's upload gives what `prakerja import KIND` gives on the same file, row for row."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from sqlalchemy import inspect, select

import tests.all_models  # noqa: F401 - every table on Base.metadata
from prakerja.storage.base import Base
from tests.api.partner_world import served, token, upload
from tests.builders import EVENT_COLUMNS, INVOICE_COLUMNS, event, read_csv, summary, write_csv
from tests.conftest import empty_all_tables
from tests.reconciliation.factories import World

D = dt.date
#: Tables whose rows say who sent what and when (they differ between the two doors by design).
_BOOKKEEPING = {"import_runs", "audit_events", "partner_uploads", "partner_tokens"}
#: Columns that are row ids or wall-clock stamps of the import itself (not business facts).
_STAMPS = {"id", "import_run_id", "recorded_at", "created_at"}

RESULT_COLUMNS = (
    "partner_code",
    "instruction_id",
    "partner_txn_id",
    "account_id",
    "amount_idr",
    "status",
    "failure_code",
    "processed_at",
)
STATEMENT_COLUMNS = (
    "statement_date",
    "bank_ref",
    "counterparty_code",
    "amount_idr",
    "direction",
    "batch_id",
)
ACCOUNT_COLUMNS = ("card_number", "partner_code", "account_id", "account_name", "linked_at")
CARD = "52" + "1".zfill(14)


def _world(session) -> None:
    """Cards, a webinar voucher, an OVO batch with one instruction: the same ids every time."""
    world = World(session)
    card = world.card()
    world.card()
    world.course("C-WEB", course_type="WEBINAR", sessions=2)
    world.voucher(card)
    batch = world.batch(day=D(2020, 5, 4))
    world.instruction(card, batch=batch, day=D(2020, 5, 4))
    session.commit()


def _events(folder):
    rows = [
        event("ATTENDANCE", CARD, "VCR0000003", course_code="C-WEB", sequence="1"),
        event("COMPLETION", CARD, "VCR0000003", course_code="C-WEB"),
        event("PURCHASE", CARD, "VCR-NEW", course_code="C-NONE"),
        event("PURCHASE", "123", "VCR-BAD"),
    ]
    return write_csv(folder / "events.csv", EVENT_COLUMNS, rows)


def _invoices(folder):
    rows = [
        {
            "platform_code": "TOKOPEDIA",
            "invoice_no": "INV-1",
            "voucher_code": "VCR0000003",
            "amount_idr": "750000",
            "invoiced_on": "2020-05-01",
        },
        {
            "platform_code": "TOKOPEDIA",
            "invoice_no": "INV-1",
            "voucher_code": "VCR-NONE",
            "amount_idr": "750000",
            "invoiced_on": "2020-05-01",
        },
        {
            "platform_code": "TOKOPEDIA",
            "invoice_no": "INV-2",
            "voucher_code": "VCR0000003",
            "amount_idr": "750000",
            "invoiced_on": "2020-05-32",
        },
    ]
    return write_csv(folder / "invoices.csv", INVOICE_COLUMNS, rows)


def _results(folder):
    instruction = f"INS-{CARD}-PT-01-01"
    rows = [
        {
            "partner_code": "OVO",
            "instruction_id": instruction,
            "partner_txn_id": "TX-1",
            "account_id": f"08{CARD[-10:]}",
            "amount_idr": "600000",
            "status": "SUCCESS",
            "failure_code": "",
            "processed_at": "2020-05-05T10:00:00+07:00",
        },
        {
            "partner_code": "OVO",
            "instruction_id": "INS-NEVER",
            "partner_txn_id": "TX-2",
            "account_id": "0811",
            "amount_idr": "600000",
            "status": "SUCCESS",
            "failure_code": "",
            "processed_at": "2020-05-05T10:00:00+07:00",
        },
        {
            "partner_code": "OVO",
            "instruction_id": instruction,
            "partner_txn_id": "TX-3",
            "account_id": "",
            "amount_idr": "600000",
            "status": "FAILED",
            "failure_code": "",
            "processed_at": "2020-05-05T10:00:00+07:00",
        },
    ]
    return write_csv(folder / "results.csv", RESULT_COLUMNS, rows)


def _statement(folder):
    rows = [
        {
            "statement_date": "2020-05-04",
            "bank_ref": "REF-1",
            "counterparty_code": "OVO",
            "amount_idr": "600000",
            "direction": "DEBIT",
            "batch_id": "B-OVO-2020-05-04-01",
        },
        {
            "statement_date": "2020-05-05",
            "bank_ref": "REF-2",
            "counterparty_code": "APBN",
            "amount_idr": "9000000",
            "direction": "CREDIT",
            "batch_id": "",
        },
        {
            "statement_date": "2020-05-05",
            "bank_ref": "REF-3",
            "counterparty_code": "OVO",
            "amount_idr": "-5",
            "direction": "CREDIT",
            "batch_id": "",
        },
    ]
    return write_csv(folder / "statement.csv", STATEMENT_COLUMNS, rows)


def _accounts(folder):
    rows = [
        {
            "card_number": CARD,
            "partner_code": "OVO",
            "account_id": "0812000001",
            "account_name": "PESERTA",
            "linked_at": "2020-05-06T08:00:00+07:00",
        },
        {
            "card_number": "5299999999999999",
            "partner_code": "OVO",
            "account_id": "0812000002",
            "account_name": "PESERTA",
            "linked_at": "2020-05-06T08:00:00+07:00",
        },
    ]
    return write_csv(folder / "accounts.csv", ACCOUNT_COLUMNS, rows)


#: Each kind a partner may send, the partner that sends it, and a small file of it.
KINDS = [
    ("platform-events", "TOKOPEDIA", _events),
    ("platform-invoices", "TOKOPEDIA", _invoices),
    ("partner-results", "OVO", _results),
    ("bank-statement", "BANK-ESCROW", _statement),
    ("payout-accounts", "OVO", _accounts),
]


def _state(engine) -> dict[str, list[tuple]]:
    """Every business row of the database, without row ids and the import's own stamps."""
    state = {}
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in _BOOKKEEPING or table.name not in present:
                continue
            columns = [c for c in table.columns if c.name not in _STAMPS]
            rows = connection.execute(select(*columns)).all()
            state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return state


def _lines(rejects: list[dict]) -> list[tuple]:
    return [(int(r["line"]), r["column"], r["reason"]) for r in rejects]


@pytest.mark.parametrize(("kind", "partner", "make_file"), KINDS, ids=[k[0] for k in KINDS])
def test_an_upload_is_the_command_lines_import(
    engine, session, cli, tmp_path, kind, partner, make_file
):
    source = make_file(tmp_path)
    _world(session)
    client = served(engine, tmp_path / "uploads")
    headers = token(engine, partner, kind)
    first = upload(client, headers, kind, source)
    again = upload(client, headers, kind, source)
    assert first.status_code == 200, first.text
    over_http = [first.json(), again.json()]
    state_over_http = _state(engine)

    empty_all_tables(engine)
    _world(session)
    by_hand = tmp_path / "by-hand" / source.name
    by_hand.parent.mkdir()
    shutil.copy(source, by_hand)
    runs = [cli("import", kind, by_hand) for _ in range(2)]
    assert [run.exit_code for run in runs] == [0, 0]
    rejects = _lines(read_csv(by_hand.with_name(by_hand.name + ".rejects.csv")))
    assert [
        {k: v for k, v in answer.items() if k not in ("rejects", "success")} for answer in over_http
    ] == [summary(run.stdout) for run in runs]
    assert [(r["line"], r["column"], r["reason"]) for r in over_http[1]["rejects"]] == rejects
    assert _state(engine) == state_over_http
    assert over_http[0]["rejected"] >= 1
    assert over_http[0]["loaded"] >= 1


def test_a_json_lines_upload_is_read_as_json_lines(engine, session, tmp_path):
    _world(session)
    client = served(engine, tmp_path / "uploads")
    headers = token(engine, "OVO", "payout-accounts")
    path = tmp_path / "accounts.jsonl"
    row = {
        "card_number": CARD,
        "partner_code": "OVO",
        "account_id": "0812",
        "account_name": "PESERTA",
        "linked_at": "2020-05-06T08:00:00+07:00",
    }
    path.write_text(json.dumps(row) + "\n")
    answer = upload(client, headers, "payout-accounts", path)
    assert answer.status_code == 200, answer.text
    assert answer.json()["loaded"] == 1
