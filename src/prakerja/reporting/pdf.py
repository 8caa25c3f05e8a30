"""The statement as a PDF (fpdf2) for auditors: a summary page, then each partner and wave.

Only the PDF's standard Helvetica is used, which every reader carries, so
the statement is written offline without shipping a font file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prakerja.kit import files
from prakerja.kit.money import format_rupiah, thousands
from prakerja.reporting.layout import (
    Grid,
    breaks_grid,
    counterparty_escrow_grid,
    escrow_grid,
    gap_grid,
    repayments_grid,
    section_lines,
    totals_grid,
)
from prakerja.reporting.statement import Section, Statement

if TYPE_CHECKING:
    from fpdf import FPDF

_NAVY = (31, 56, 100)
_HEADER_FILL = (217, 225, 242)
_LINE = 5.0
#: Font sizes a table may use, largest first: the first at which every number fits is taken.
_TABLE_FONT_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)
#: Room left and right of a cell's text, in millimetres (fpdf2's default cell padding).
_CELL_PADDING = 2.2


def write_pdf(statement: Statement, path: Path) -> Path:
    """Write the statement as a PDF at `path`."""
    document = _document(statement)
    document.add_page()
    _summary(document, statement)
    _sections(document, "Payment partners", statement.partners, invoices=False)
    _grid(document, counterparty_escrow_grid(statement))
    _sections(document, "Waves", statement.waves, invoices=False)
    _sections(document, "Training platforms (invoices)", statement.platforms, invoices=True)
    return files.write_bytes(path, bytes(document.output()))


def _document(statement: Statement) -> FPDF:
    from fpdf import FPDF

    day = statement.day.isoformat()
    generated = f"{statement.generated_at:%Y-%m-%d %H:%M} UTC"

    class StatementPDF(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "B", 9)
            self.set_text_color(*_NAVY)
            self.cell(0, _LINE, f"Kartu Prakerja - daily reconciliation statement - {day}")
            self.ln(_LINE + 2)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "", 8)
            self.cell(0, _LINE, f"Generated {generated}", align="L")
            self.cell(0, _LINE, f"Page {self.page_no()} of {{nb}}", align="R")

    document = StatementPDF(orientation="landscape", format="A4")
    document.set_auto_page_break(auto=True, margin=15)
    document.set_title(f"Daily reconciliation statement {day}")
    document.set_author("prakerja")
    return document


def _title(document: FPDF, text: str, size: int = 13) -> None:
    document.set_font("Helvetica", "B", size)
    document.set_text_color(*_NAVY)
    document.multi_cell(0, _LINE + 2, text)
    document.set_text_color(0, 0, 0)
    document.ln(1)


def _paragraph(document: FPDF, text: str) -> None:
    document.set_font("Helvetica", "", 9)
    document.multi_cell(0, _LINE, text)
    document.ln(2)


def _summary(document: FPDF, statement: Statement) -> None:
    _title(document, f"Daily reconciliation statement for {statement.day.isoformat()}", 16)
    _paragraph(
        document,
        "Instructions, partner results, the escrow bank statement and platform invoices as known "
        "up to this day. Breaks are aged in days since the fact at fault (T+1, T+3, T+7, T+30, "
        "older). Amounts are whole rupiah.",
    )
    _grid(document, escrow_grid(statement))
    if statement.escrow.repayments.total_idr:
        _grid(document, repayments_grid(statement))
    proof = statement.escrow
    difference = format_rupiah(abs(proof.difference_idr))
    verdict = (
        "The escrow balance is proven against the ledger."
        if proof.difference_idr == 0
        else f"The bank holds {difference} more than the ledger says."
        if proof.difference_idr > 0
        else f"The bank holds {difference} less than the ledger says."
    )
    _paragraph(document, verdict)
    _grid(document, totals_grid("Instructions", (), statement.overall))
    _grid(document, breaks_grid("Open breaks by type and age", statement.breaks))
    _grid(document, gap_grid(statement))
    _paragraph(document, statement.gap.sentence())


def _sections(document: FPDF, title: str, sections: Sequence[Section], *, invoices: bool) -> None:
    if not sections:
        return
    document.add_page()
    _title(document, title, 15)
    if not invoices:
        _grid(document, totals_grid(f"Instructions per {title.lower()[:-1]}", sections))
    for section in sections:
        lines = section_lines(section, invoices=invoices)
        grid = breaks_grid(f"{section.title}: open breaks", lines, skip_empty=True)
        if sum(line.count for line in lines) == 0:
            _title(document, f"{section.title}: no open break", 11)
            continue
        _grid(document, grid)


def _text(value: str | int) -> str:
    """Return a cell's text: numbers (rupiah or counts) with dots between thousands."""
    if isinstance(value, int):
        digits = thousands(abs(value))
        return f"-{digits}" if value < 0 else digits
    return value


def _column_widths(
    document: FPDF, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> list[float]:
    """Return column widths that fit every number on one line, at the largest font that can.

    A heading may wrap between words, so only its longest word must fit. The
    room left over is shared in proportion to what each column needs. When
    not even the smallest font fits, the widths are proportional and the
    longest texts wrap.
    """
    for size in _TABLE_FONT_SIZES:
        document.set_font("Helvetica", "", size)
        needed = [
            max(
                [document.get_string_width(word) for word in name.split()]
                + [document.get_string_width(row[column]) for row in rows],
                default=0.0,
            )
            + _CELL_PADDING * 2
            for column, name in enumerate(header)
        ]
        if sum(needed) <= document.epw:
            spare = document.epw - sum(needed)
            return [width + spare * width / sum(needed) for width in needed]
    return [document.epw * width / sum(needed) for width in needed]


def _grid(document: FPDF, grid: Grid) -> None:
    """Lay out a grid as a table: a bold title, a shaded header, numbers right-aligned."""
    from fpdf.fonts import FontFace

    needed = (len(grid.rows) + 3) * _LINE + 8
    if document.get_y() + needed > document.h - 15 and len(grid.rows) < 25:
        document.add_page()
    _title(document, grid.title, 11)
    texts = [[_text(value) for value in cells] for cells in grid.rows]
    widths = _column_widths(document, grid.header, texts)
    count = len(grid.header)
    with document.table(
        col_widths=widths,
        text_align=("RIGHT" if 0 in grid.money_columns else "LEFT", *(["RIGHT"] * (count - 1))),
        line_height=_LINE,
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEADER_FILL),
        first_row_as_headings=True,
    ) as table:
        header = table.row()
        for name in grid.header:
            header.cell(name)
        for cells in texts:
            row = table.row()
            for text in cells:
                row.cell(text)
    document.ln(4)
