"""A provider's commits, made over the API at today's clock, count for the program's own days.

The program's business days may be years behind the wall clock (a simulated
or replayed program, a backlog); a commit is real time, so it counts from
the first reconciliation after it arrived, whatever day that run reconciles.
"""

import csv
import hashlib
import hmac
import json
import time

from fastapi.testclient import TestClient

from tests.builders import INVOICE_COLUMNS, event, write_csv

COMMIT = "/api/v1/integration/payment/redeem-code/commit"


def _commit(client, secret, code, sequence):
    body = {"redeem_code": code, "sequence": sequence}
    timestamp = str(int(time.time()))
    compact = json.dumps(body, separators=(",", ":"))
    signature = hmac.new(
        secret.encode(), f"LP-001{timestamp}POST{COMMIT}{compact}".encode(), hashlib.sha1
    ).hexdigest()
    headers = {"client_code": "LP-001", "timestamp": timestamp, "signature": signature}
    answer = client.post(COMMIT, content=compact, headers=headers)
    assert answer.status_code == 200, answer.text


def test_an_invoice_for_sessions_committed_over_the_api_is_payable(program, cli, engine, tmp_path):
    from prakerja.api.app import create_app

    card = program.cards[0]
    offline = {"course_code": "C-0003", "amount_idr": "300000"}
    program.events(
        [
            event("PURCHASE", card, "VDELIVERED", **offline),
            event("PURCHASE", card, "VNEVERCAME", at="2020-04-22T10:00:00+07:00", **offline),
        ]
    )
    key = cli("providers", "key", "LP-001").stdout.strip().splitlines()[1].removeprefix("secret=")
    client = TestClient(create_app(engine))
    for sequence in (1, 2):
        _commit(client, key, "VDELIVERED", sequence)
    lines = [
        {
            "platform_code": "TOKOPEDIA",
            "invoice_no": "INV-2020-05",
            "voucher_code": code,
            "amount_idr": "300000",
            "invoiced_on": "2020-05-01",
        }
        for code in ("VDELIVERED", "VNEVERCAME")
    ]
    invoices = write_csv(tmp_path / "invoices.csv", INVOICE_COLUMNS, lines)
    assert cli("import", "platform-invoices", invoices).exit_code == 0
    assert cli("reconcile", "--date", "2020-05-02").exit_code == 0
    out = tmp_path / "breaks.csv"
    assert cli("export", "breaks", "--date", "2020-05-02", "--out", out).exit_code == 0
    with out.open(encoding="utf-8") as handle:
        breaks = [(row["break_type"], row["voucher_code"]) for row in csv.DictReader(handle)]
    assert breaks == [("INVOICE_NOT_PAYABLE", "VNEVERCAME")]
