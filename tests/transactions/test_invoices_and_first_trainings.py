"""Platform invoices judged payable or not; the first-training query other domains use."""

import datetime as dt

from sqlalchemy import select

from prakerja.transactions.models import InvoiceLine
from prakerja.transactions.service import first_trainings
from tests.builders import INVOICE_COLUMNS, event, invoice, summary, write_csv


def _attend_all(card, voucher, sessions=3):
    return [event("ATTENDANCE", card, voucher, sequence=str(n)) for n in range(1, sessions + 1)]


def _redeem(session, voucher, provider="LP-001"):
    from prakerja.transactions.service import commit_redeem_code

    commit_redeem_code(
        session,
        provider_code=provider,
        redeem_code=voucher,
        sequence=1,
        now=dt.datetime(2020, 4, 22, 3, tzinfo=dt.UTC),
    )
    session.commit()


def test_invoice_lines_get_payable_and_reason(program, session, cli, tmp_path):
    card, other = program.cards[0], program.cards[1]
    program.events(
        [
            event("PURCHASE", card, "PAID"),
            *_attend_all(card, "PAID"),
            event("PURCHASE", other, "NOREDEEM", course_code="C-0003", amount_idr="300000"),
            event("PURCHASE", other, "REFUNDED", course_code="C-0003", amount_idr="300000"),
            event("REFUND", other, "REFUNDED", course_code="C-0003", amount_idr="300000"),
            event(
                "PURCHASE",
                card,
                "HALF",
                course_code="C-0003",
                amount_idr="200000",
                at="2020-04-22T10:00:00+07:00",
            ),
        ]
    )
    for voucher in ("PAID", "HALF"):
        _redeem(session, voucher)
    lines = [
        invoice("PAID"),
        invoice("NOREDEEM", amount_idr="300000"),
        invoice("REFUNDED", amount_idr="300000"),
        invoice("HALF", amount_idr="200000"),
        invoice("NEVER"),
        invoice("PAID", invoice_no="INV-2", invoiced_on="2020-05-07"),
        invoice("PAID", invoice_no="INV-2", invoiced_on="2020-05-07"),
    ]
    path = write_csv(tmp_path / "inv.csv", INVOICE_COLUMNS, lines)
    result = cli("import", "platform-invoices", path)
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout) == {"loaded": 6, "duplicates": 1, "rejected": 0, "pending": 0}
    session.expire_all()
    judged = {
        (line.voucher_code, line.invoice_no): (line.payable, line.reason)
        for line in session.scalars(select(InvoiceLine))
    }
    assert judged == {
        ("PAID", "INV-TKP-2020-04-W4"): (True, None),
        ("NOREDEEM", "INV-TKP-2020-04-W4"): (False, "NOT_REDEEMED"),
        ("REFUNDED", "INV-TKP-2020-04-W4"): (False, "REFUNDED"),
        ("HALF", "INV-TKP-2020-04-W4"): (False, "NOT_ATTENDED"),
        ("NEVER", "INV-TKP-2020-04-W4"): (False, "NOT_PURCHASED"),
        ("PAID", "INV-2"): (False, "DUPLICATE"),
    }
    assert summary(cli("import", "platform-invoices", path).stdout)["duplicates"] == 7
    earlier = write_csv(
        tmp_path / "old.csv",
        INVOICE_COLUMNS,
        [invoice("PAID", invoice_no="INV-0", invoiced_on="2020-04-23", amount_idr="700000")],
    )
    cli("import", "platform-invoices", earlier)
    session.expire_all()
    line = session.scalar(select(InvoiceLine).where(InvoiceLine.invoice_no == "INV-0"))
    assert (line.payable, line.reason) == (False, "AMOUNT_MISMATCH")
    first = session.scalar(
        select(InvoiceLine).where(
            InvoiceLine.invoice_no == "INV-TKP-2020-04-W4", InvoiceLine.voucher_code == "PAID"
        )
    )
    assert (first.payable, first.reason) == (False, "DUPLICATE")


def test_a_self_paced_course_needs_its_completion_and_the_seller_invoices_it(
    program, session, cli, tmp_path
):
    card, other = program.cards[0], program.cards[1]
    self_paced = {"course_code": "C-0002", "amount_idr": "500000"}
    program.events(
        [
            event("PURCHASE", card, "SP", **self_paced),
            event("PURCHASE", card, "SPDONE", platform_code="BUKALAPAK", **self_paced),
            event("COMPLETION", card, "SPDONE", platform_code="BUKALAPAK", **self_paced),
            event("PURCHASE", other, "ELSE"),
            *_attend_all(other, "ELSE"),
        ]
    )
    for voucher, provider in (("SP", "LP-002"), ("SPDONE", "LP-002"), ("ELSE", "LP-001")):
        _redeem(session, voucher, provider)
    lines = [
        invoice("SP", amount_idr="500000"),
        invoice("SPDONE", platform_code="BUKALAPAK", invoice_no="INV-BL-1", amount_idr="500000"),
        invoice("ELSE", platform_code="BUKALAPAK", invoice_no="INV-BL-1"),
    ]
    path = write_csv(tmp_path / "inv.csv", INVOICE_COLUMNS, lines)
    assert cli("import", "platform-invoices", path).exit_code == 0
    session.expire_all()
    judged = {
        line.voucher_code: (line.payable, line.reason)
        for line in session.scalars(select(InvoiceLine))
    }
    assert judged == {
        "SP": (False, "NOT_ATTENDED"),
        "SPDONE": (True, None),
        "ELSE": (False, "OTHER_PLATFORM"),
    }


def test_first_training_is_the_earliest_purchase_not_refunded(program, session):
    card = program.cards[0]
    program.events(
        [
            event(
                "PURCHASE",
                card,
                "A",
                course_code="C-0003",
                amount_idr="300000",
                at="2020-04-20T10:00:00+07:00",
            ),
            event(
                "PURCHASE",
                card,
                "B",
                course_code="C-0002",
                amount_idr="500000",
                at="2020-04-21T10:00:00+07:00",
            ),
            event("COMPLETION", card, "B", course_code="C-0002", at="2020-04-28T10:00:00+07:00"),
            event(
                "REFUND",
                card,
                "A",
                course_code="C-0003",
                amount_idr="300000",
                at="2020-04-25T10:00:00+07:00",
            ),
        ]
    )
    before_refund = first_trainings(session, as_of=dt.date(2020, 4, 24)).to_pylist()
    assert [(r["card_number"], r["voucher_code"]) for r in before_refund] == [(card, "A")]
    now = first_trainings(session).to_pylist()
    assert [(r["voucher_code"], str(r["completed_on"])) for r in now] == [("B", "2020-04-28")]
    as_of = first_trainings(session, as_of=dt.date(2020, 4, 27)).to_pylist()
    assert [(r["voucher_code"], r["completed_on"]) for r in as_of] == [("B", None)]
