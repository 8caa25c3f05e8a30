"""The demo's payment side: accounts linked, payouts run, partners' answers, the bank, surveys.

Every function takes the engine, the demo folder, the demo's seed and the
business day, and works only from what the database holds and the files it
is given: no state is kept between days. Every random choice is drawn from
a generator keyed by the seed and what it is about (the holder's NIK, the
entitlement, the day), never by card numbers, which the product draws at
random: the same seed plays the same program.

What happens, as it did in 2020: participants whose first training is
completed link a bank or e-wallet account (some unverified e-wallets, some
with a misspelled name, a few never link one); the simulated partners fail
those (`ACCOUNT_NOT_VERIFIED`, `NAME_MISMATCH`, now and then
`ACCOUNT_DORMANT`) and pay the rest; most participants fix a failed account
a few days later and are paid on the retry, some never do. Partners err
too: now and then an instruction is never executed, a payment is credited
twice, a transfer fee is deducted from the amount, another program's payment
slips into a results file. The escrow bank is funded by the treasury, debits each batch
(once with its own transfer fee added) and credits what partners did not
pay. Paid participants answer their surveys (a few too late, which the
program refuses).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from prakerja.demo.synth import write_csv
from prakerja.ingest.pipeline import ImportSummary, Loader, import_files
from prakerja.kit.clock import JAKARTA
from prakerja.kit.money import format_rupiah
from prakerja.operations.timeline import advance_to
from prakerja.payouts import service as payouts
from prakerja.payouts.loaders import (
    BankStatementLoader,
    PartnerResultsLoader,
    PayoutAccountsLoader,
)
from prakerja.registry.service import card_rows
from prakerja.schemes.loader import get_scheme
from prakerja.storage.db import unit_of_work
from prakerja.surveys import service as surveys
from prakerja.surveys.loaders import ANSWER_COLUMNS, SurveyResponsesLoader
from prakerja.transactions.service import first_trainings

PARTNER_WEIGHTS = {"BNI": 20, "OVO": 25, "GOPAY": 25, "LINKAJA": 10, "DANA": 20}
E_WALLETS = ("OVO", "GOPAY", "LINKAJA", "DANA")
#: E-wallet numbers the simulated partners hold as not verified (KYC not done).
UNVERIFIED_PREFIX = "0899"
BUSINESSES = ("warung kopi", "warung makan", "desain grafis", "toko daring", "jahit", "kue basah")
#: Who funds the program's escrow account (the Ministry of Finance's treasury).
TREASURY = "KEMENKEU"
#: The fee a partner deducts from a transfer now and then, and the bank's own transfer fee.
PARTNER_FEE_IDR = 2_500
BANK_FEE_IDR = 6_500
#: The treasury funds the escrow account in round amounts.
FUNDING_UNIT_IDR = 10_000_000


@dataclass(frozen=True)
class Holder:
    """A card's holder, as the partners know their account holders."""

    nik: str
    name: str


@dataclass
class PayoutDay:
    """What one business day of the payment side did."""

    day: dt.date
    imports: dict[str, ImportSummary] = field(default_factory=dict)
    instructed: int = 0
    instructed_idr: int = 0


def draw(seed: int, *about: object) -> random.Random:
    """Return a generator for one decision, keyed by the seed and what it is about."""
    return random.Random(":".join(str(part) for part in (seed, *about)))


def _stamp(day: dt.date, hour: int) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JAKARTA).isoformat()


def _columns(loader: type[Loader]) -> tuple[str, ...]:
    return tuple(spec.name for spec in loader.fields)


#: The columns of payout-accounts.csv.
ACCOUNT_COLUMNS = _columns(PayoutAccountsLoader)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _account(rng: random.Random, partner: str, *, faults: bool) -> str:
    if partner == "BNI":
        return f"{rng.randrange(10**9, 10**10)}"
    prefix = UNVERIFIED_PREFIX if faults and rng.random() < 0.12 else "0812"
    return f"{prefix}{rng.randrange(10**7, 10**8)}"


def _misspelled(rng: random.Random, name: str) -> str:
    return name[:-1] if rng.random() < 0.5 else name + name[-1]


def link_accounts(
    engine: Engine, folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> ImportSummary:
    """Participants who completed their first training by `day` link an account that day.

    About one in fifty never links one.
    """
    with unit_of_work(engine) as session:
        trainings = first_trainings(session, as_of=day)
        linked = payouts.linked_cards(session)
    rows = []
    for card, completed in zip(
        trainings["card_number"].to_pylist(), trainings["completed_on"].to_pylist(), strict=True
    ):
        if completed is None or card in linked:
            continue
        row = account_row(seed, card, holders[card], day)
        if row is not None:
            rows.append(row)
    path = folder / f"payout-accounts-{day}.csv"
    write_csv(path, ACCOUNT_COLUMNS, sorted(rows, key=lambda row: row["linked_at"]))
    return import_files(engine, PayoutAccountsLoader(), [path])


def account_row(seed: int, card: str, holder: Holder, day: dt.date) -> dict[str, str] | None:
    """Return the account a holder links on `day` (None for the one in fifty who never does)."""
    rng = draw(seed, "account", holder.nik)
    if rng.random() < 0.02:
        return None
    partner = rng.choices(list(PARTNER_WEIGHTS), weights=list(PARTNER_WEIGHTS.values()))[0]
    name = holder.name.upper()
    return {
        "card_number": card,
        "partner_code": partner,
        "account_id": _account(rng, partner, faults=True),
        "account_name": _misspelled(rng, name) if rng.random() < 0.04 else name,
        "linked_at": _stamp(day, rng.randrange(7, 22)),
    }


def fix_accounts(
    engine: Engine, folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> ImportSummary:
    """Participants whose payment failed link a new, correct account, sooner or later.

    About one in six never does; the rest each fix it in a given week with
    a chance of one in three.
    """
    with unit_of_work(engine) as session:
        waiting = payouts.failed_awaiting_account(session)
    rows = []
    for failed in waiting:
        if failed.failed_at is None or failed.failed_at.astimezone(JAKARTA).date() >= day:
            continue
        holder = holders[failed.card_number]
        if draw(seed, "never fixes", holder.nik).random() < 0.16:
            continue
        rng = draw(seed, "fix", holder.nik, failed.instruction_id[-8:], day)
        if rng.random() > 0.35:
            continue
        partner = failed.partner_code if rng.random() < 0.6 else rng.choice(list(PARTNER_WEIGHTS))
        rows.append(
            {
                "card_number": failed.card_number,
                "partner_code": partner,
                "account_id": _account(rng, partner, faults=False),
                "account_name": holder.name.upper(),
                "linked_at": _stamp(day, rng.randrange(7, 22)),
            }
        )
    path = folder / f"payout-accounts-fixed-{day}.csv"
    write_csv(path, ACCOUNT_COLUMNS, sorted(rows, key=lambda row: row["linked_at"]))
    return import_files(engine, PayoutAccountsLoader(), [path])


def _partner_answer(rng: random.Random, row: dict[str, str], holder: Holder) -> tuple[str, str]:
    account = row["account_id"]
    if row["partner_code"] in E_WALLETS and account.startswith(UNVERIFIED_PREFIX):
        return "FAILED", "ACCOUNT_NOT_VERIFIED"
    if row["beneficiary_name"] != holder.name.upper():
        return "FAILED", "NAME_MISMATCH"
    if row["partner_code"] == "BNI" and rng.random() < 0.01:
        return "FAILED", "ACCOUNT_DORMANT"
    return "SUCCESS", ""


def _results_for(
    seed: int, row: dict[str, str], holder: Holder, day: dt.date
) -> list[dict[str, str]]:
    """Return a partner's answers to one instruction: usually one, sometimes none or two."""
    rng = draw(seed, "answer", holder.nik, row["incentive_kind"], row["tranche"], row["attempt"])
    if rng.random() < 0.008:
        return []  # never executed: the partner will confirm it when asked
    status, code = _partner_answer(rng, row, holder)
    amount = int(row["amount_idr"])
    if status == "SUCCESS" and row["partner_code"] == "BNI" and rng.random() < 0.01:
        amount -= PARTNER_FEE_IDR
    answer = {
        "partner_code": row["partner_code"],
        "instruction_id": row["instruction_id"],
        "partner_txn_id": f"{row['partner_code']}-TX-{row['instruction_id'][4:]}",
        "account_id": row["account_id"],
        "amount_idr": str(amount),
        "status": status,
        "failure_code": code,
        "processed_at": _stamp(day, rng.randrange(18, 23)),
    }
    answers = [answer]
    if status == "SUCCESS" and rng.random() < 0.003:
        twice = answer | {"partner_txn_id": answer["partner_txn_id"] + "-R"}
        answers.append(twice)
    return answers


def _misrouted(answer: dict[str, str], day: dt.date) -> dict[str, str]:
    """Return a payment of another program (the wage subsidy) that slipped into the file."""
    return answer | {
        "instruction_id": f"BSU-{day:%Y%m%d}-000417",
        "partner_txn_id": f"{answer['partner_code']}-BSU-{day:%Y%m%d}-000417",
        "account_id": "0812" + answer["account_id"][-8:][::-1],
        "amount_idr": "600000",
        "status": "SUCCESS",
        "failure_code": "",
    }


def partner_results(
    engine: Engine, folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> ImportSummary:
    """Each partner answers the day's instruction files; one file is delivered twice."""
    paths = write_partner_results(folder, seed, day, holders)
    return import_files(engine, PartnerResultsLoader(), paths)


def write_partner_results(
    folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> list[Path]:
    """Write each partner's answers to the day's instruction files; return the files to load.

    The busiest partner's file is listed twice: partners re-deliver, nothing is paid twice.
    """
    paths: list[Path] = []
    sizes: list[int] = []
    for instructions in sorted((folder / "instructions").glob(f"instructions-*-{day}.csv")):
        rows = [
            answer
            for row in _read(instructions)
            for answer in _results_for(seed, row, holders[row["card_number"]], day)
        ]
        if rows and draw(seed, "misrouted", instructions.name).random() < 0.03:
            rows.append(_misrouted(rows[0], day))
        path = folder / instructions.name.replace("instructions-", "partner-results-")
        sizes.append(write_csv(path, _columns(PartnerResultsLoader), rows))
        paths.append(path)
    if paths:  # the busiest partner re-delivers its file: nothing is paid twice
        paths.append(paths[sizes.index(max(sizes))])
    return paths


def bank_statement(engine: Engine, folder: Path, seed: int, day: dt.date) -> ImportSummary:
    """The escrow bank's day, written by `write_bank_statement`, imported."""
    return import_files(engine, BankStatementLoader(), [write_bank_statement(folder, seed, day)])


def write_bank_statement(folder: Path, seed: int, day: dt.date) -> Path:
    """Write the escrow bank's day: treasury funding, one debit per batch, partners' refunds.

    Each partner refunds what it did not pay of a batch (failures and
    instructions it never executed). Once in a while the bank adds its own
    transfer fee to a batch's debit.
    """
    debits: dict[tuple[str, str], int] = {}
    for path in sorted((folder / "instructions").glob(f"instructions-*-{day}.csv")):
        for row in _read(path):
            key = (row["partner_code"], row["batch_id"])
            debits[key] = debits.get(key, 0) + int(row["amount_idr"])
    paid = {
        row["instruction_id"]
        for path in sorted(folder.glob(f"partner-results-*-{day}.csv"))
        for row in _read(path)
        if row["status"] == "SUCCESS"
    }
    refunds: dict[tuple[str, str], int] = {}
    for path in sorted((folder / "instructions").glob(f"instructions-*-{day}.csv")):
        for row in _read(path):
            if row["instruction_id"] not in paid:
                key = (row["partner_code"], row["batch_id"])
                refunds[key] = refunds.get(key, 0) + int(row["amount_idr"])
    fee_on = min(debits) if debits and draw(seed, "bank fee", day).random() < 0.05 else None
    rows = []
    if debits:
        funding = -(-(sum(debits.values()) + BANK_FEE_IDR) // FUNDING_UNIT_IDR) * FUNDING_UNIT_IDR
        rows.append(_bank_row(day, "F00001", TREASURY, funding, ""))
    for n, ((partner, batch), amount) in enumerate(sorted(debits.items()), start=1):
        fee = BANK_FEE_IDR if (partner, batch) == fee_on else 0
        rows.append(_bank_row(day, f"D{n:05d}", partner, amount + fee, batch, debit=True))
    for n, ((partner, batch), amount) in enumerate(sorted(refunds.items()), start=1):
        rows.append(_bank_row(day, f"C{n:05d}", partner, amount, batch))
    path = folder / f"bank-statement-{day}.csv"
    write_csv(path, _columns(BankStatementLoader), rows)
    return path


def _bank_row(
    day: dt.date, ref: str, counterparty: str, amount: int, batch: str, *, debit: bool = False
) -> dict[str, str]:
    return {
        "statement_date": day.isoformat(),
        "bank_ref": f"BNI-{day:%Y%m%d}-{ref}",
        "counterparty_code": counterparty,
        "amount_idr": str(amount),
        "direction": "DEBIT" if debit else "CREDIT",
        "batch_id": batch,
    }


def answer_surveys(
    engine: Engine, folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> ImportSummary:
    """Paid participants answer the survey whose day to answer came in the week to `day`.

    Most answer within the window; a few answer too late, which the program refuses.
    """
    with unit_of_work(engine) as session:
        paid = payouts.first_tranche_paid(session)
        answered = surveys.answered_surveys(session)
    rules = get_scheme("PANDEMIC_2020").survey_incentive
    rows = []
    for card, paid_on in zip(
        paid["card_number"].to_pylist(), paid["paid_on"].to_pylist(), strict=True
    ):
        for survey in range(1, rules.surveys + 1):
            if (card, survey) in answered:
                continue
            rng = draw(seed, "survey", holders[card].nik, survey)
            opens = paid_on + dt.timedelta(days=rules.opens_every_days * survey)
            when = opens + dt.timedelta(days=rng.randrange(rules.open_for_days + 4))
            if not when <= day < when + dt.timedelta(days=7) or rng.random() > 0.85:
                continue
            business = rng.random() < 0.35
            rows.append(
                {
                    "card_number": card,
                    "survey_no": str(survey),
                    "submitted_at": _stamp(when, rng.randrange(7, 23)),
                    "employment_status": rng.choice(
                        ("EMPLOYED", "UNEMPLOYED", "INFORMAL", "MICRO_BUSINESS")
                    ),
                    "started_business": "true" if business else "false",
                    "business_type": rng.choice(BUSINESSES) if business else "",
                    "monthly_income_idr": str(rng.randrange(0, 60) * 100_000),
                    "skills_improved": "true" if rng.random() < 0.8 else "false",
                }
            )
    path = folder / f"survey-responses-{day}.csv"
    write_csv(path, ANSWER_COLUMNS, sorted(rows, key=lambda row: row["submitted_at"]))
    return import_files(engine, SurveyResponsesLoader(), [path])


def payout_day(
    engine: Engine, folder: Path, seed: int, day: dt.date, holders: Mapping[str, Holder]
) -> PayoutDay:
    """Play one business day of the payment side, in the order a real day runs."""
    report = PayoutDay(day)
    report.imports["payout-accounts"] = link_accounts(engine, folder, seed, day, holders)
    report.imports["payout-accounts (fixed)"] = fix_accounts(engine, folder, seed, day, holders)
    report.imports["survey-responses"] = answer_surveys(engine, folder, seed, day, holders)
    with unit_of_work(engine) as session:
        advance_to(session, day=day)
        batches = payouts.run_payouts(session, day=day)
    with unit_of_work(engine) as session:
        payouts.instruction_files(session, day=day, out=folder / "instructions")
    report.instructed = sum(batch.instructions for batch in batches)
    report.instructed_idr = sum(batch.amount_idr for batch in batches)
    report.imports["partner-results"] = partner_results(engine, folder, seed, day, holders)
    report.imports["bank-statement"] = bank_statement(engine, folder, seed, day)
    return report


def print_payouts(console: Console, engine: Engine) -> None:
    """Print paid totals per partner and per tranche, the books' proof and survey outcomes."""
    with unit_of_work(engine) as session:
        totals = payouts.paid_totals(session)
        proof = payouts.prove_books(session)
        outcomes = surveys.outcome_statistics(session)
    by_partner = Table(title="Incentives paid, per partner", title_justify="left")
    for column in ("partner", "payments", "amount"):
        by_partner.add_column(column, justify="left" if column == "partner" else "right")
    partners: dict[str, tuple[int, int]] = {}
    tranches: dict[tuple[str, int], tuple[int, int]] = {}
    for total in totals:
        count, amount = partners.get(total.partner_code, (0, 0))
        partners[total.partner_code] = (count + total.payments, amount + total.amount_idr)
        count, amount = tranches.get((total.kind, total.tranche), (0, 0))
        tranches[(total.kind, total.tranche)] = (count + total.payments, amount + total.amount_idr)
    for partner, (count, amount) in sorted(partners.items()):
        by_partner.add_row(partner, str(count), format_rupiah(amount))
    console.print(by_partner)
    by_tranche = Table(title="Incentives paid, per kind and tranche", title_justify="left")
    for column in ("kind", "tranche", "payments", "amount"):
        by_tranche.add_column(column, justify="left" if column == "kind" else "right")
    for (kind, tranche), (count, amount) in sorted(tranches.items()):
        by_tranche.add_row(kind, str(tranche), str(count), format_rupiah(amount))
    console.print(by_tranche)
    books = proof.ledger
    console.print(
        f"Incentive books: funded {format_rupiah(books.funded)} = paid {format_rupiah(books.paid)}"
        f" + in flight {format_rupiah(books.in_flight)} + failed and returned "
        f"{format_rupiah(books.returned)} + unpaid {format_rupiah(books.unpaid)}: "
        + ("balanced" if proof.balanced else "[bold red]NOT BALANCED[/bold red]")
    )
    for outcome in outcomes:
        console.print(
            f"Survey {outcome.survey_no}: {outcome.respondents} answers, "
            f"{outcome.started_business} started a business "
            f"({', '.join(list(outcome.business_types)[:3]) or 'none'}), median income "
            f"{format_rupiah(outcome.median_income_idr or 0)}, employment {outcome.employment}"
        )


def card_holders(engine: Engine, waves: list[int]) -> dict[str, Holder]:
    """Return each card's holder (NIK and name) for the cards of `waves`."""
    with unit_of_work(engine) as session:
        return {
            row.card_number: Holder(row.nik, row.full_name)
            for wave in waves
            for row in card_rows(session, wave=wave)
        }
