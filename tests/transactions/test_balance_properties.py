"""Property tests of the purchase rules: the balance is a sequential ledger in `occurred_at` order.

The rules are driven directly (`rules.decide` over Arrow tables) on one card, with purchases
and refunds at few distinct instants (so ties happen) and event ids in random arrival order.
"""

import datetime as dt

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from prakerja.catalog.service import COURSE_PLATFORM_SCHEMA, COURSE_SCHEMA
from prakerja.registry.service import CARD_STATE_SCHEMA
from prakerja.transactions import repository
from prakerja.transactions.rules import Facts, decide

CARD = "5200000000000001"
BALANCE = 1_000_000
PRICES = {"C-3": 300_000, "C-5": 500_000, "C-7": 750_000}
T0 = dt.datetime(2020, 4, 20, 3, tzinfo=dt.UTC)

moves = st.lists(
    st.one_of(
        st.tuples(st.just("PURCHASE"), st.sampled_from(sorted(PRICES)), st.integers(0, 5)),
        st.tuples(st.just("REFUND"), st.integers(0, 7), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=12,
)


def _events(plan, arrival):
    """Turn a plan into event rows: purchase k buys voucher Vk; a refund names a voucher index."""
    rows, bought = [], 0
    for (kind, what, hour), eid in zip(plan, arrival, strict=True):
        if kind == "PURCHASE":
            voucher, course, amount = f"V{bought}", what, PRICES[what]
            bought += 1
        else:
            voucher, course, amount = f"V{what}", None, None
        rows.append(
            {
                "eid": eid,
                "event_type": kind,
                "occurred_at": T0 + dt.timedelta(hours=hour),
                "voucher_code": voucher,
                "course_code": course,
                "amount_idr": amount,
            }
        )
    return rows


def _with_refund_amounts(rows):
    price = {r["voucher_code"]: r["amount_idr"] for r in rows if r["event_type"] == "PURCHASE"}
    return [
        {**r, "amount_idr": price.get(r["voucher_code"], 1)} if r["event_type"] == "REFUND" else r
        for r in rows
    ]


def _event_table(rows):
    return pa.Table.from_pylist(
        [
            {
                "platform_code": "TOKOPEDIA",
                "event_id": f"E{r['eid']}",
                "occurred_on": r["occurred_at"].date(),
                "card_number": CARD,
                "sequence": None,
                "certificate_no": None,
                "rating": None,
                **r,
            }
            for r in rows
        ],
        schema=repository.EVENT_SCHEMA,
    )


def _facts(*, balance=BALANCE, first_purchase_on=None, vouchers=(), refused=()):
    courses = pa.Table.from_pylist(
        [
            {
                "course_code": c,
                "provider_code": "LP",
                "price_idr": p,
                "course_type": "SELF_PACED",
                "sessions": 1,
            }
            for c, p in PRICES.items()
        ],
        schema=COURSE_SCHEMA,
    )
    card = {
        "card_number": CARD,
        "status": "ACTIVE",
        "issued_on": dt.date(2020, 4, 17),
        "purchase_deadline": dt.date(2020, 5, 17),
        "balance_expires_on": dt.date(2020, 12, 15),
        "balance_expired_on": None,
        "balance_idr": balance,
        "first_purchase_on": first_purchase_on,
    }
    stored = pa.Table.from_pylist(list(vouchers), schema=repository.VOUCHER_FACT_SCHEMA)
    return Facts(
        cards=pa.Table.from_pylist([card], schema=CARD_STATE_SCHEMA),
        courses=courses,
        platforms=pa.Table.from_pylist(
            [{"course_code": c, "platform_code": "TOKOPEDIA"} for c in PRICES],
            schema=COURSE_PLATFORM_SCHEMA,
        ),
        vouchers=stored,
        attended=repository.ATTENDED_SCHEMA.empty_table(),
        refused=pa.Table.from_pylist(
            [{"voucher_code": v} for v in refused], schema=repository.REFUSED_SCHEMA
        ),
        applied_moves=pa.Table.from_pylist(
            [
                {
                    "card_number": CARD,
                    "voucher_code": v["voucher_code"],
                    "purchase_event_id": v["eid"],
                    "purchased_at": v["purchased_at"],
                    "amount_idr": v["amount_idr"],
                    "refunded_at": v["refunded_at"],
                }
                for v in vouchers
            ],
            schema=repository.APPLIED_MOVE_SCHEMA,
        ),
    )


def _sequential_ledger(rows):
    """The model: walk purchases and refunds in time order with one running balance."""
    purchases = {r["voucher_code"]: r for r in rows if r["event_type"] == "PURCHASE"}
    first_refunds = {}
    for r in sorted(rows, key=lambda r: (r["occurred_at"], r["eid"])):
        if r["event_type"] == "REFUND" and r["voucher_code"] in purchases:
            first_refunds.setdefault(r["voucher_code"], r)
    timeline = [(r["occurred_at"], 0, r["eid"], r) for r in purchases.values()] + [
        (max(r["occurred_at"], purchases[v]["occurred_at"]), 1, r["eid"], r)
        for v, r in first_refunds.items()
    ]
    balance, accepted, verdicts = BALANCE, set(), {}
    for _at, _rank, eid, r in sorted(timeline, key=lambda move: move[:3]):
        voucher = r["voucher_code"]
        if r["event_type"] == "PURCHASE":
            if r["amount_idr"] <= balance:
                balance -= r["amount_idr"]
                accepted.add(voucher)
            verdicts[eid] = "APPLIED" if voucher in accepted else "REJECTED"
        else:
            verdicts[eid] = "APPLIED" if voucher in accepted else "REJECTED"
            balance += r["amount_idr"] if voucher in accepted else 0
    return verdicts, balance


def _moved(decisions):
    moves = decisions.balance_moves.to_pylist()
    return sum(m["amount_idr"] * (1 if m["direction"] == "RESTORE" else -1) for m in moves)


@settings(max_examples=75, deadline=None)
@given(plan=moves, data=st.data())
def test_one_batch_is_judged_as_a_sequential_ledger(plan, data):
    arrival = data.draw(st.permutations(range(1, len(plan) + 1)))
    rows = _with_refund_amounts(_events(plan, arrival))
    decisions = decide(_event_table(rows), _facts())
    states = {v["eid"]: v["state"] for v in decisions.verdicts.to_pylist()}
    expected, balance = _sequential_ledger(rows)
    assert {eid: states[eid] for eid in expected} == expected
    assert BALANCE + _moved(decisions) == balance


def _applied(decisions, events):
    """The vouchers a batch created, as the next batch's facts see them."""
    at = {r["eid"]: r["occurred_at"] for r in events}
    return [
        {
            "voucher_code": v["voucher_code"],
            "card_number": CARD,
            "course_code": v["course_code"],
            "platform_code": "TOKOPEDIA",
            "amount_idr": v["amount_idr"],
            "purchased_at": at[v["purchase_event_id"]],
            "completed": False,
            "refunded_at": v["refunded_at"],
            "eid": v["purchase_event_id"],
        }
        for v in decisions.new_vouchers.to_pylist()
    ]


@settings(max_examples=75, deadline=None)
@given(plan=moves, data=st.data())
def test_a_later_batch_never_overdraws_the_ledger_at_any_instant(plan, data):
    arrival = data.draw(st.permutations(range(1, len(plan) + 1)))
    rows = _with_refund_amounts(_events(plan, arrival))
    split = data.draw(st.sets(st.sampled_from([r["eid"] for r in rows])))
    early = [r for r in rows if r["eid"] in split]
    first = decide(_event_table(early), _facts())
    states = {v["eid"]: v["state"] for v in first.verdicts.to_pylist()}
    vouchers = _applied(first, early)
    refused = {
        r["voucher_code"]
        for r in early
        if r["event_type"] == "PURCHASE" and states[r["eid"]] == "REJECTED"
    }
    waiting = [r for r in early if states[r["eid"]] == "PENDING"]
    later = [r for r in rows if r["eid"] not in split] + waiting
    balance = BALANCE + _moved(first)
    second = decide(
        _event_table(later),
        _facts(
            balance=balance,
            first_purchase_on=dt.date(2020, 4, 20) if vouchers else None,
            vouchers=vouchers,
            refused=refused - {v["voucher_code"] for v in vouchers},
        ),
    )
    vouchers += _applied(second, later)
    refunds = {
        v["voucher_code"]: v["refunded_at"]
        for v in second.voucher_updates.to_pylist()
        if v["refunded_at"] is not None
    }
    timeline = []
    for v in vouchers:
        refunded_at = refunds.get(v["voucher_code"], v["refunded_at"])
        timeline.append((v["purchased_at"], 0, v["eid"], -v["amount_idr"]))
        if refunded_at is not None:
            timeline.append((max(refunded_at, v["purchased_at"]), 1, v["eid"], v["amount_idr"]))
    running = BALANCE
    for *_order, delta in sorted(timeline):
        running += delta
        assert running >= 0
    assert running == balance + _moved(second)
