"""The demo's payment side: accounts linked, payouts run, partners' answers, the bank, surveys.

Every function takes the engine, the demo folder, a seeded `random.Random`
and the business day, and works only from what the database holds and the
files it is given: no state is kept between days. Participants whose first
training is completed link a bank or e-wallet account (some unverified
e-wallets, some with a misspelled name); the simulated partners fail those
(`ACCOUNT_NOT_VERIFIED`, `NAME_MISMATCH`, now and then `ACCOUNT_DORMANT`)
and pay the rest; most participants fix a failed account a few days later
and are paid on the retry; the escrow bank debits each batch and credits
the partners' refunds of failures; paid participants answer their surveys
(a few too late, which the program refuses).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

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


@dataclass
class PayoutDay:
    """What one business day of the payment side did."""

    day: dt.date
    imports: dict[str, ImportSummary] = field(default_factory=dict)
    instructed: int = 0
    instructed_idr: int = 0


def _stamp(day: dt.date, hour: int) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JAKARTA).isoformat()


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _account(rng: random.Random, partner: str, *, faults: bool) -> str:
    if partner == "BNI":
        return f"{rng.randrange(10**9, 10**10)}"
    prefix = UNVERIFIED_PREFIX if faults and rng.random() < 0.12 else "0812"
    return f"{prefix}{rng.randrange(10**7, 10**8)}"


def _misspelled(rng: random.Random, name: str) -> str:
    return name[:-1] if rng.random() < 0.5 else name + name[-1]


def link_accounts(
    engine: Engine, folder: Path, rng: random.Random, day: dt.date, holders: dict[str, str]
) -> ImportSummary:
    """Participants who completed their first training by `day` link an account that day."""
    with unit_of_work(engine) as session:
        trainings = first_trainings(session, as_of=day)
        linked = payouts.linked_cards(session)
    ready = sorted(
        card
        for card, completed in zip(
            trainings["card_number"].to_pylist(), trainings["completed_on"].to_pylist(), strict=True
        )
        if completed is not None and card not in linked
    )
    rows = []
    for card in ready:
        partner = rng.choices(list(PARTNER_WEIGHTS), weights=list(PARTNER_WEIGHTS.values()))[0]
        name = holders.get(card, "PESERTA").upper()
        rows.append(
            {
                "card_number": card,
                "partner_code": partner,
                "account_id": _account(rng, partner, faults=True),
                "account_name": _misspelled(rng, name) if rng.random() < 0.04 else name,
                "linked_at": _stamp(day, rng.randrange(7, 22)),
            }
        )
    path = _write(folder / f"payout-accounts-{day}.csv", _columns(PayoutAccountsLoader), rows)
    return import_files(engine, PayoutAccountsLoader(), [path])


def fix_accounts(
    engine: Engine, folder: Path, rng: random.Random, day: dt.date, holders: dict[str, str]
) -> ImportSummary:
    """Some participants whose payment failed link a new, correct account on `day`."""
    with unit_of_work(engine) as session:
        waiting = payouts.failed_awaiting_account(session)
    rows = []
    for failed in waiting:
        if failed.failed_at is None or rng.random() > 0.3:
            continue
        if failed.failed_at.astimezone(JAKARTA).date() >= day:
            continue
        partner = failed.partner_code if rng.random() < 0.6 else rng.choice(list(PARTNER_WEIGHTS))
        rows.append(
            {
                "card_number": failed.card_number,
                "partner_code": partner,
                "account_id": _account(rng, partner, faults=False),
                "account_name": holders.get(failed.card_number, "PESERTA").upper(),
                "linked_at": _stamp(day, rng.randrange(7, 22)),
            }
        )
    path = _write(folder / f"payout-accounts-fixed-{day}.csv", _columns(PayoutAccountsLoader), rows)
    return import_files(engine, PayoutAccountsLoader(), [path])


def _partner_answer(
    rng: random.Random, row: dict[str, str], holders: dict[str, str]
) -> tuple[str, str]:
    account = row["account_id"]
    if row["partner_code"] in E_WALLETS and account.startswith(UNVERIFIED_PREFIX):
        return "FAILED", "ACCOUNT_NOT_VERIFIED"
    if row["beneficiary_name"] != holders.get(row["card_number"], "PESERTA").upper():
        return "FAILED", "NAME_MISMATCH"
    if row["partner_code"] == "BNI" and rng.random() < 0.01:
        return "FAILED", "ACCOUNT_DORMANT"
    return "SUCCESS", ""


def partner_results(
    engine: Engine, folder: Path, rng: random.Random, day: dt.date, holders: dict[str, str]
) -> ImportSummary:
    """Each partner answers the day's instruction files; one file is delivered twice."""
    paths = []
    for instructions in sorted((folder / "instructions").glob(f"instructions-*-{day}.csv")):
        rows = []
        for row in _read(instructions):
            status, code = _partner_answer(rng, row, holders)
            rows.append(
                {
                    "partner_code": row["partner_code"],
                    "instruction_id": row["instruction_id"],
                    "partner_txn_id": f"{row['partner_code']}-TX-{row['instruction_id'][4:]}",
                    "account_id": row["account_id"],
                    "amount_idr": row["amount_idr"],
                    "status": status,
                    "failure_code": code,
                    "processed_at": _stamp(day, rng.randrange(18, 23)),
                }
            )
        name = instructions.name.replace("instructions-", "partner-results-")
        paths.append(_write(folder / name, _columns(PartnerResultsLoader), rows))
    if paths:
        paths.append(paths[0])  # a partner re-delivers a file: nothing is paid twice
    return import_files(engine, PartnerResultsLoader(), paths)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def bank_statement(engine: Engine, folder: Path, day: dt.date) -> ImportSummary:
    """The escrow bank debits each batch of the day and credits the refunds of its failures."""
    batch_of: dict[str, tuple[str, str]] = {}
    debits: dict[tuple[str, str], int] = {}
    for path in sorted((folder / "instructions").glob(f"instructions-*-{day}.csv")):
        for row in _read(path):
            key = (row["partner_code"], row["batch_id"])
            batch_of[row["instruction_id"]] = key
            debits[key] = debits.get(key, 0) + int(row["amount_idr"])
    refunds: dict[tuple[str, str], int] = {}
    for path in sorted(folder.glob(f"partner-results-*-{day}.csv")):
        for row in _read(path):
            key = batch_of.get(row["instruction_id"], (row["partner_code"], ""))
            if row["status"] == "FAILED":
                refunds[key] = refunds.get(key, 0) + int(row["amount_idr"])
    rows = [
        _bank_row(
            day, f"BNI-{day:%Y%m%d}-D{n:05d}", partner, amount, direction="DEBIT", batch=batch
        )
        for n, ((partner, batch), amount) in enumerate(sorted(debits.items()), start=1)
    ] + [
        _bank_row(
            day, f"BNI-{day:%Y%m%d}-C{n:05d}", partner, amount, direction="CREDIT", batch=batch
        )
        for n, ((partner, batch), amount) in enumerate(sorted(refunds.items()), start=1)
    ]
    path = _write(folder / f"bank-statement-{day}.csv", _columns(BankStatementLoader), rows)
    return import_files(engine, BankStatementLoader(), [path])


def _columns(loader: type[Loader]) -> tuple[str, ...]:
    return tuple(spec.name for spec in loader.fields)


def _bank_row(
    day: dt.date, ref: str, partner: str, amount: int, *, direction: str, batch: str
) -> dict[str, str]:
    return {
        "statement_date": day.isoformat(),
        "bank_ref": ref,
        "counterparty_code": partner,
        "amount_idr": str(amount),
        "direction": direction,
        "batch_id": batch,
    }


def answer_surveys(engine: Engine, folder: Path, rng: random.Random, day: dt.date) -> ImportSummary:
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
            opens = paid_on + dt.timedelta(days=rules.opens_every_days * survey)
            when = opens + dt.timedelta(days=(int(card[-3:]) * survey) % (rules.open_for_days + 4))
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
    path = _write(folder / f"survey-responses-{day}.csv", ANSWER_COLUMNS, rows)
    return import_files(engine, SurveyResponsesLoader(), [path])


def payout_day(
    engine: Engine, folder: Path, rng: random.Random, day: dt.date, holders: dict[str, str]
) -> PayoutDay:
    """Play one business day of the payment side, in the order a real day runs."""
    report = PayoutDay(day)
    report.imports["payout-accounts"] = link_accounts(engine, folder, rng, day, holders)
    report.imports["payout-accounts (fixed)"] = fix_accounts(engine, folder, rng, day, holders)
    report.imports["survey-responses"] = answer_surveys(engine, folder, rng, day)
    with unit_of_work(engine) as session:
        advance_to(session, day)
        batches = payouts.run_payouts(session, day=day)
    with unit_of_work(engine) as session:
        payouts.instruction_files(session, day=day, out=folder / "instructions")
    report.instructed = sum(batch.instructions for batch in batches)
    report.instructed_idr = sum(batch.amount_idr for batch in batches)
    report.imports["partner-results"] = partner_results(engine, folder, rng, day, holders)
    report.imports["bank-statement"] = bank_statement(engine, folder, day)
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


def card_holders(engine: Engine, waves: list[int]) -> dict[str, str]:
    """Return each card's holder name, as the partners know their account holders."""
    with unit_of_work(engine) as session:
        return {
            row.card_number: row.full_name for wave in waves for row in card_rows(session, wave)
        }


def play_payouts(
    engine: Engine,
    folder: Path,
    rng: random.Random,
    *,
    days: list[dt.date],
    waves: list[int],
) -> list[PayoutDay]:
    """Play the payment side on each of `days` for the cards of `waves`."""
    holders = card_holders(engine, waves)
    (folder / "instructions").mkdir(parents=True, exist_ok=True)
    return [payout_day(engine, folder, rng, day, holders) for day in days]
