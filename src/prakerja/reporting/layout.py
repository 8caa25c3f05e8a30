"""The statement's tables as plain rows: what both the workbook and the PDF lay out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prakerja.reconciliation.taxonomy import BUCKET_NAMES
from prakerja.reporting.statement import INVOICE_TYPES, BreakLine, Section, Statement, Totals

Cell = str | int


@dataclass(frozen=True)
class Grid:
    """A titled table: a header row and rows of text or whole rupiah/counts."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    money_columns: frozenset[int] = frozenset()


TOTALS_HEADER = (
    "instructions",
    "instructed (Rp)",
    "paid",
    "paid (Rp)",
    "matched",
    "matched (Rp)",
    "failed",
    "failed (Rp)",
    "awaiting result",
    "awaiting (Rp)",
    "cancelled",
    "cancelled (Rp)",
)
_TOTALS_MONEY = frozenset({1, 3, 5, 7, 9, 11})


def totals_cells(totals: Totals) -> tuple[int, ...]:
    """Return a Totals as one row of TOTALS_HEADER."""
    return (
        totals.instructions,
        totals.instructed_idr,
        totals.paid,
        totals.paid_idr,
        totals.matched,
        totals.matched_idr,
        totals.failed,
        totals.failed_idr,
        totals.awaiting,
        totals.awaiting_idr,
        totals.cancelled,
        totals.cancelled_idr,
    )


def escrow_grid(statement: Statement) -> Grid:
    """The escrow balance proof: the bank's closing balance beside what the books expect."""
    proof = statement.escrow
    books = proof.books
    return Grid(
        title="Escrow account (rekening dana) balance proof",
        header=(
            "bank: opening",
            "+ credits",
            "- debits",
            "= closing",
            "books: funded",
            "+ repaid",
            "- paid",
            "- in flight",
            "- written off",
            "= expected",
            "difference",
        ),
        rows=(
            (
                proof.opening_idr,
                proof.credits_idr,
                proof.debits_idr,
                proof.closing_idr,
                books.funded_idr,
                books.repaid_idr,
                books.paid_idr,
                books.in_flight_idr,
                books.written_off_idr,
                proof.ledger_idr,
                proof.difference_idr,
            ),
        ),
        money_columns=frozenset(range(11)),
    )


def repayments_grid(statement: Statement) -> Grid:
    """The repayments in the escrow account: credited to recovery claims, and each naming none."""
    repayments = statement.escrow.repayments
    unknown = tuple(
        (
            f"naming no claim: {line.bank_ref}",
            line.statement_date.isoformat(),
            line.quoted or "",
            line.amount_idr,
        )
        for line in repayments.unknown
    )
    return Grid(
        title="Repayments of ineligible payments received in the escrow account",
        header=("repayments", "statement date", "claim id quoted", "amount (Rp)"),
        rows=(
            ("credited to recovery claims", "", "", repayments.to_claims_idr),
            *unknown,
            ("naming no claim, in all", "", "", repayments.unknown_idr),
            ("received, in all (books: repaid)", "", "", repayments.total_idr),
        ),
        money_columns=frozenset({3}),
    )


def totals_grid(title: str, sections: Sequence[Section], overall: Totals | None = None) -> Grid:
    """Instructions' totals, one row per section (and a total row when given)."""
    rows: list[tuple[Cell, ...]] = [
        (s.title, *totals_cells(s.totals)) for s in sections if s.totals and s.totals.instructions
    ]
    if overall is not None:
        rows.append(("total", *totals_cells(overall)))
    return Grid(
        title=title,
        header=("", *TOTALS_HEADER),
        rows=tuple(rows),
        money_columns=frozenset(i + 1 for i in _TOTALS_MONEY),
    )


def breaks_grid(title: str, lines: Sequence[BreakLine], *, skip_empty: bool = False) -> Grid:
    """Open breaks by type and aging bucket, with their amounts on both sides."""
    rows: list[tuple[Cell, ...]] = [
        (
            line.break_type,
            *(line.by_bucket[name] for name in BUCKET_NAMES),
            line.count,
            line.expected_idr,
            line.reported_idr,
        )
        for line in lines
        if line.count or not skip_empty
    ]
    rows.append(
        (
            "total",
            *(sum(line.by_bucket[name] for line in lines) for name in BUCKET_NAMES),
            sum(line.count for line in lines),
            sum(line.expected_idr for line in lines),
            sum(line.reported_idr for line in lines),
        )
    )
    width = len(BUCKET_NAMES)
    return Grid(
        title=title,
        header=("break type", *BUCKET_NAMES, "open", "expected (Rp)", "reported (Rp)"),
        rows=tuple(rows),
        money_columns=frozenset({width + 2, width + 3}),
    )


def gap_grid(statement: Statement) -> Grid:
    """The gap report: every completed participant in exactly one stage."""
    rows: list[tuple[Cell, ...]] = [
        (row.stage.value, row.participants, row.amount_idr) for row in statement.gap.rows
    ]
    rows.append(
        (
            "total",
            statement.gap.completed,
            sum(row.amount_idr for row in statement.gap.rows),
        )
    )
    return Grid(
        title="Gap report: participants whose first training is completed",
        header=("stage", "participants", "first tranche (Rp)"),
        rows=tuple(rows),
        money_columns=frozenset({2}),
    )


def counterparty_escrow_grid(statement: Statement) -> Grid:
    """Each counterparty's movements on the escrow account, with its open breaks."""
    open_of = {s.title: s.open_breaks for s in statement.partners}
    rows = tuple(
        (
            code,
            moved.debits_today_idr,
            moved.credits_today_idr,
            moved.debits_idr,
            moved.credits_idr,
            open_of.get(code, 0),
        )
        for code, moved in sorted(statement.counterparties.items())
    )
    return Grid(
        title="Escrow movements per counterparty",
        header=(
            "counterparty",
            "debits today",
            "credits today",
            "debits to date",
            "credits to date",
            "open breaks",
        ),
        rows=rows,
        money_columns=frozenset({1, 2, 3, 4}),
    )


def section_lines(section: Section, *, invoices: bool) -> tuple[BreakLine, ...]:
    """The break types that can occur in a section: invoice types for a platform, else payment."""
    return tuple(line for line in section.breaks if (line.break_type in INVOICE_TYPES) == invoices)
