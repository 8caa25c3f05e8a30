"""Importing platform events: each rule, each refusal, out-of-order arrival, the balance ledger."""

from sqlalchemy import select

from prakerja.ledger.accounts import AccountKind, account
from prakerja.ledger.service import balance, balances_by_kind
from prakerja.registry.models import Card
from prakerja.transactions.models import Attendance, PlatformEvent, Voucher
from tests.builders import event


def _card(session, number):
    session.expire_all()
    return session.get(Card, number)


def _voucher(session, code):
    session.expire_all()
    return session.get(Voucher, code)


def _full_course(card, voucher, **kwargs):
    return [
        event("PURCHASE", card, voucher, **kwargs),
        *(
            event("ATTENDANCE", card, voucher, sequence=str(n), at=f"2020-04-2{n}T19:00:00+07:00")
            for n in (1, 2, 3)
        ),
        event("COMPLETION", card, voucher, at="2020-04-24T21:00:00+07:00"),
        event("REVIEW", card, voucher, at="2020-04-25T07:30:00+07:00"),
    ]


def test_a_whole_course_applies_and_spends_the_balance(program, session):
    card = program.cards[0]
    assert program.events(_full_course(card, "V1")) == {
        "loaded": 6,
        "duplicates": 0,
        "rejected": 0,
        "pending": 0,
    }
    voucher = _voucher(session, "V1")
    assert voucher.amount_idr == 750_000 and voucher.platform_code == "TOKOPEDIA"
    assert str(voucher.completed_on) == "2020-04-24" and voucher.rating == 5
    assert str(voucher.reviewed_on) == "2020-04-25"
    assert _card(session, card).balance_idr == 250_000
    assert str(_card(session, card).first_purchase_on) == "2020-04-21"
    assert (
        balance(session, account_name=f"{account(AccountKind.TRAINING_BALANCE)}:{card}") == 250_000
    )
    assert (
        balance(session, account_name=f"{account(AccountKind.PLATFORM_PAYABLE)}:TOKOPEDIA")
        == 750_000
    )
    assert sum(balances_by_kind(session).values()) == 0
    sources = session.scalars(select(Attendance.source).where(Attendance.voucher_code == "V1"))
    assert set(sources) == {"PLATFORM"}


def test_reimport_changes_nothing(program, session):
    card = program.cards[0]
    rows = [*_full_course(card, "V1"), event("PURCHASE", card, "V9", amount_idr="900000")]
    first = program.events(rows)
    assert first == {"loaded": 6, "duplicates": 0, "rejected": 1, "pending": 0}
    again = program.events(rows)
    assert again == {"loaded": 0, "duplicates": 6, "rejected": 1, "pending": 0}
    assert program.rejects()[0]["reason"].startswith("not enough training balance")
    assert _card(session, card).balance_idr == 250_000


def test_purchase_refusals_name_column_and_reason(program, session):
    card, other = program.cards[0], program.cards[1]
    rows = [
        event("PURCHASE", "5200000000000000", "V1"),
        event("PURCHASE", card, "V2", course_code="C-9999"),
        event("PURCHASE", card, "V3", platform_code="BUKALAPAK"),
        event("PURCHASE", card, "V4", at="2020-04-10T10:00:00+07:00"),
        event("PURCHASE", card, "V5", at="2020-05-18T08:00:00+07:00"),
        event("PURCHASE", other, "V6", course_code="C-0002", amount_idr="500000"),
        event("PURCHASE", card, "V6", course_code="C-0002", amount_idr="500000"),
        event("PURCHASE", card, "V7", amount_idr=""),
    ]
    assert program.events(rows) == {"loaded": 1, "duplicates": 0, "rejected": 7, "pending": 0}
    rejects = {r["voucher_code"]: (r["column"], r["reason"]) for r in program.rejects()}
    assert rejects["V1"] == ("card_number", "unknown card")
    assert rejects["V2"] == ("course_code", "unknown course")
    assert rejects["V3"] == ("course_code", "the course is not sold by BUKALAPAK")
    assert rejects["V4"] == ("occurred_at", "before the card was issued on 2020-04-17")
    assert rejects["V5"] == ("occurred_at", "first purchase after the card's deadline 2020-05-17")
    assert rejects["V6"] == ("voucher_code", "the voucher code is already used")
    assert rejects["V7"] == ("amount_idr", "missing (needed by PURCHASE)")
    assert _voucher(session, "V6").card_number == other


def test_the_deadline_day_is_in_time_and_later_purchases_are_not_first(program, session):
    card = program.cards[0]
    rows = [
        event(
            "PURCHASE",
            card,
            "V1",
            course_code="C-0003",
            amount_idr="300000",
            at="2020-05-17T23:59:00+07:00",
        ),
        event(
            "PURCHASE",
            card,
            "V2",
            course_code="C-0003",
            amount_idr="300000",
            at="2020-06-01T10:00:00+07:00",
        ),
    ]
    assert program.events(rows)["loaded"] == 2
    late = [
        event(
            "PURCHASE",
            card,
            "V3",
            course_code="C-0003",
            amount_idr="300000",
            at="2020-07-01T10:00:00+07:00",
        )
    ]
    assert program.events(late)["loaded"] == 1
    assert _card(session, card).balance_idr == 100_000


def test_the_deadline_is_a_jakarta_day(program, session):
    late, in_time = program.cards[0], program.cards[1]
    rows = [
        # 2020-05-18 01:30 in Jakarta: the day after the deadline.
        event("PURCHASE", late, "V1", at="2020-05-17T18:30:00Z"),
        # 2020-05-17 23:59 in Jakarta: the deadline day itself.
        event("PURCHASE", in_time, "V2", at="2020-05-17T16:59:00+00:00"),
    ]
    assert program.events(rows) == {"loaded": 1, "duplicates": 0, "rejected": 1, "pending": 0}
    [reject] = program.rejects()
    assert (reject["voucher_code"], reject["reason"]) == (
        "V1",
        "first purchase after the card's deadline 2020-05-17",
    )
    assert str(_voucher(session, "V2").purchased_on) == "2020-05-17"


def test_an_overrun_card_still_needs_its_first_purchase_by_the_deadline(program, session):
    card = program.cards[0]
    rows = [
        event("PURCHASE", card, "V1", amount_idr="2000000", at="2020-05-10T10:00:00+07:00"),
        event("PURCHASE", card, "V2", at="2020-05-18T10:00:00+07:00"),
    ]
    assert program.events(rows)["rejected"] == 2
    assert [(r["voucher_code"], r["reason"]) for r in program.rejects()] == [
        ("V1", "not enough training balance (remaining 1000000)"),
        ("V2", "first purchase after the card's deadline 2020-05-17"),
    ]
    assert _card(session, card).balance_idr == 1_000_000


def test_a_voucher_code_bought_in_an_earlier_file_is_not_bought_again(program, session):
    card, other = program.cards[0], program.cards[1]
    program.events([event("PURCHASE", card, "V1")])
    again = [event("PURCHASE", other, "V1", at="2020-04-22T10:00:00+07:00")]
    assert program.events(again) == {"loaded": 0, "duplicates": 0, "rejected": 1, "pending": 0}
    assert program.rejects()[0]["reason"] == "the voucher code is already used"
    assert _voucher(session, "V1").card_number == card
    assert _card(session, other).balance_idr == 1_000_000


def test_balance_is_checked_in_time_order_and_never_negative(program, session):
    card = program.cards[0]
    rows = [
        event(
            "PURCHASE",
            card,
            "V3",
            course_code="C-0003",
            amount_idr="300000",
            at="2020-04-23T10:00:00+07:00",
        ),
        event("PURCHASE", card, "V1", at="2020-04-21T10:00:00+07:00"),
        event(
            "PURCHASE",
            card,
            "V2",
            course_code="C-0002",
            amount_idr="500000",
            at="2020-04-22T10:00:00+07:00",
        ),
    ]
    assert program.events(rows) == {"loaded": 1, "duplicates": 0, "rejected": 2, "pending": 0}
    assert {r["voucher_code"] for r in program.rejects()} == {"V2", "V3"}
    assert _card(session, card).balance_idr == 250_000


def test_revoked_and_expired_cards_cannot_buy(program, session, cli):
    card, spender = program.cards[0], program.cards[1]
    program.events([event("PURCHASE", spender, "V1", course_code="C-0003", amount_idr="300000")])
    assert cli("waves", "select", "1", "--date", "2020-05-18").exit_code == 0
    session.expire_all()
    assert session.get(Card, card).status == "REVOKED"
    assert session.get(Card, spender).status == "ACTIVE"
    program.events([event("PURCHASE", card, "V2", at="2020-05-10T10:00:00+07:00")])
    assert program.rejects()[0]["reason"] == "the card is revoked"
    program.events(
        [
            event(
                "PURCHASE",
                spender,
                "V3",
                course_code="C-0003",
                amount_idr="300000",
                at="2020-12-16T10:00:00+07:00",
            )
        ]
    )
    assert "could be spent until 2020-12-15" in program.rejects()[0]["reason"]


def test_balance_expiry_returns_the_rest_to_the_fund(program, session, cli):
    card = program.cards[0]
    program.events([event("PURCHASE", card, "V1")])
    fund_before = balance(session, account_name=account(AccountKind.PROGRAM_FUND))
    assert cli("waves", "select", "1", "--date", "2020-12-16").exit_code == 0
    session.expire_all()
    spent = session.get(Card, card)
    assert spent.balance_idr == 0 and str(spent.balance_expired_on) == "2020-12-16"
    revoked = 3 * 1_000_000
    assert (
        balance(session, account_name=account(AccountKind.PROGRAM_FUND))
        == fund_before + revoked + 250_000
    )
    assert balance(session, account_name=f"{account(AccountKind.TRAINING_BALANCE)}:{card}") == 0
    program.events([event("REFUND", card, "V1", at="2020-12-17T10:00:00+07:00")])
    assert (
        balance(session, account_name=account(AccountKind.PROGRAM_FUND))
        == fund_before + revoked + 1_000_000
    )
    assert _card(session, card).balance_idr == 0
    assert sum(balances_by_kind(session).values()) == 0


def test_refund_restores_the_balance_once(program, session):
    card, other = program.cards[0], program.cards[1]
    program.events([event("PURCHASE", card, "V1")])
    rows = [
        event("REFUND", other, "V1"),
        event("REFUND", card, "V1", platform_code="PINTARIA"),
        event("REFUND", card, "V1", amount_idr="700000"),
        event("REFUND", card, "V1", at="2020-04-22T10:00:00+07:00"),
        event("REFUND", card, "V1", at="2020-04-23T10:00:00+07:00"),
        event("ATTENDANCE", card, "V1", sequence="1", at="2020-04-24T10:00:00+07:00"),
    ]
    assert program.events(rows) == {"loaded": 1, "duplicates": 0, "rejected": 5, "pending": 0}
    reasons = [r["reason"] for r in program.rejects()]
    assert reasons == [
        "the voucher belongs to another card",
        "the voucher was sold by TOKOPEDIA",
        "differs from the purchase amount 750000",
        "the voucher is already refunded",
        "the voucher is refunded",
    ]
    assert _card(session, card).balance_idr == 1_000_000
    assert str(_voucher(session, "V1").refunded_on) == "2020-04-22"
    assert balance(session, account_name=f"{account(AccountKind.PLATFORM_PAYABLE)}:TOKOPEDIA") == 0


def test_a_voucher_refunded_in_an_earlier_file_is_not_refunded_again(program, session):
    card = program.cards[0]
    program.events([event("PURCHASE", card, "V1"), event("REFUND", card, "V1")])
    again = [event("REFUND", card, "V1", at="2020-04-23T10:00:00+07:00")]
    assert program.events(again) == {"loaded": 0, "duplicates": 0, "rejected": 1, "pending": 0}
    assert program.rejects()[0]["reason"] == "the voucher is already refunded"
    assert _card(session, card).balance_idr == 1_000_000


def test_completion_of_a_webinar_waits_for_every_session(program, session):
    card = program.cards[0]
    first = program.events(
        [
            event("PURCHASE", card, "V1"),
            event("ATTENDANCE", card, "V1", sequence="1"),
            event("COMPLETION", card, "V1"),
            event("REVIEW", card, "V1"),
            event("ATTENDANCE", card, "V1", sequence="4"),
        ]
    )
    assert first == {"loaded": 2, "duplicates": 0, "rejected": 1, "pending": 2}
    assert program.rejects()[0]["reason"] == "beyond the course's 3 session(s)"
    assert _voucher(session, "V1").completed_at is None
    second = program.events(
        [
            event("ATTENDANCE", card, "V1", sequence="2"),
            event("ATTENDANCE", card, "V1", sequence="3"),
        ]
    )
    assert second == {"loaded": 2, "duplicates": 0, "rejected": 0, "pending": 0}
    voucher = _voucher(session, "V1")
    assert voucher.completed_at is not None and voucher.rating == 5
    states = session.scalars(select(PlatformEvent.state).where(PlatformEvent.voucher_code == "V1"))
    assert "PENDING" not in set(states)


def test_self_paced_and_offline_complete_without_attendance(program, session):
    card = program.cards[0]
    rows = [
        event("PURCHASE", card, "S1", course_code="C-0002", amount_idr="500000"),
        event("COMPLETION", card, "S1", course_code="C-0002"),
        event("PURCHASE", card, "O1", course_code="C-0003", amount_idr="300000"),
        event("COMPLETION", card, "O1", course_code="C-0003"),
    ]
    assert program.events(rows)["loaded"] == 4
    assert _voucher(session, "S1").completed_at and _voucher(session, "O1").completed_at


def test_out_of_order_events_wait_for_a_later_file(program, session):
    card = program.cards[0]
    course = _full_course(card, "V1")
    early = program.events(course[4:])
    assert early == {"loaded": 0, "duplicates": 0, "rejected": 0, "pending": 2}
    assert program.events(course[4:])["pending"] == 2
    assert program.events(course[:4]) == {"loaded": 4, "duplicates": 0, "rejected": 0, "pending": 0}
    voucher = _voucher(session, "V1")
    assert str(voucher.completed_on) == "2020-04-24" and voucher.rating == 5
    assert program.events(course[4:])["duplicates"] == 2


def test_pending_events_refused_later_go_to_their_own_files_rejects(program, session):
    card = program.cards[0]
    waiting = [event("ATTENDANCE", card, "V1", sequence="1"), event("REVIEW", card, "V1")]
    assert program.events(waiting)["pending"] == 2
    assert program.rejects(1) == []
    refused = program.events([event("PURCHASE", card, "V1", amount_idr="2000000")])
    assert refused == {"loaded": 0, "duplicates": 0, "rejected": 1, "pending": 0}
    late = program.rejects(1)
    assert [(r["line"], r["column"], r["reason"]) for r in late] == [
        ("2", "voucher_code", "the voucher's purchase was refused"),
        ("3", "voucher_code", "the voucher's purchase was refused"),
    ]
    assert late[0]["event_id"] == waiting[0]["event_id"] and late[0]["sequence"] == "1"
    from prakerja.audit.models import ImportRun

    runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    first_events_run = next(r for r in runs if r.kind == "platform-events")
    assert (first_events_run.pending, first_events_run.rejected) == (0, 2)
    assert program.events([event("ATTENDANCE", card, "V1", sequence="2")])["rejected"] == 1


def test_events_for_another_card_or_platform_are_refused(program):
    card, other = program.cards[0], program.cards[1]
    program.events([event("PURCHASE", card, "V1")])
    rows = [
        event("ATTENDANCE", other, "V1", sequence="1"),
        event("COMPLETION", card, "V1", platform_code="PINTARIA"),
        event("REVIEW", card, "V1", course_code="C-0002", rating="4"),
        event("REVIEW", card, "V1", rating="6"),
    ]
    assert program.events(rows)["rejected"] == 4
    assert [(r["column"], r["reason"]) for r in program.rejects()] == [
        ("card_number", "the voucher belongs to another card"),
        ("platform_code", "the voucher was sold by TOKOPEDIA"),
        ("course_code", "the voucher is for course C-0001"),
        ("rating", "must be a whole number from 1 to 5"),
    ]


def test_json_lines_with_only_some_columns(program, tmp_path, cli):
    from tests.builders import summary, write_jsonl

    card = program.cards[0]
    rows = [
        {k: v for k, v in event("PURCHASE", card, "V1").items() if v != ""},
        {k: v for k, v in event("REVIEW", card, "V1").items() if v != ""},
    ]
    path = write_jsonl(tmp_path / "events.jsonl", rows)
    result = cli("import", "platform-events", path)
    assert summary(result.stdout) == {"loaded": 1, "duplicates": 0, "rejected": 0, "pending": 1}
