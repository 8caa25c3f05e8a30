"""The statement as an Excel workbook (XlsxWriter): one sheet per view, numbers as numbers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from prakerja.kit import files
from prakerja.reconciliation.taxonomy import BUCKET_NAMES
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
from prakerja.reporting.statement import Statement

_OPEN_BREAK_COLUMNS = (
    ("break_id", 22),
    ("break_type", 26),
    ("partner_code", 14),
    ("batch_id", 24),
    ("instruction_id", 32),
    ("partner_txn_id", 20),
    ("voucher_code", 14),
    ("card_number", 18),
    ("wave", 6),
    ("expected_amount_idr", 16),
    ("reported_amount_idr", 16),
    ("fact_on", 11),
    ("detected_on", 11),
    ("age_days", 8),
    ("bucket", 8),
    ("reason", 80),
)
#: Data rows a worksheet holds below its header, leaving the last row for a note.
_EXCEL_ROWS = 1_048_574


class _Sheet:
    """Writes grids one under another on a worksheet."""

    def __init__(self, book: Any, name: str, styles: dict[str, Any]) -> None:
        self.sheet = book.add_worksheet(name)
        self.styles = styles
        self.row = 0
        self.sheet.set_column(0, 0, 28)
        self.sheet.set_column(1, 16, 15)

    def line(self, text: str, style: str = "text") -> None:
        self.sheet.write_string(self.row, 0, text, self.styles[style])
        self.row += 1

    def grid(self, grid: Grid) -> None:
        self.line(grid.title, "heading")
        for column, name in enumerate(grid.header):
            self.sheet.write_string(self.row, column, name, self.styles["header"])
        self.row += 1
        for cells in grid.rows:
            for column, value in enumerate(cells):
                if isinstance(value, int):
                    style = "money" if column in grid.money_columns else "count"
                    self.sheet.write_number(self.row, column, value, self.styles[style])
                else:
                    self.sheet.write_string(self.row, column, value, self.styles["text"])
            self.row += 1
        self.row += 1


def write_workbook(statement: Statement, path: Path) -> Path:
    """Write the statement as an .xlsx workbook at `path`."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": False, "in_memory": True})
    styles = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "heading": book.add_format({"bold": True, "font_size": 11, "font_color": "#1F3864"}),
        "header": book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
        "text": book.add_format({}),
        "money": book.add_format({"num_format": "#,##0"}),
        "count": book.add_format({"num_format": "#,##0"}),
    }
    _summary_sheet(book, statement, styles)
    partners = _Sheet(book, "Payment partners", styles)
    partners.grid(totals_grid("Instructions per payment partner", statement.partners))
    partners.grid(counterparty_escrow_grid(statement))
    for section in statement.partners:
        partners.grid(
            breaks_grid(f"{section.title}: open breaks", section_lines(section, invoices=False))
        )
    waves = _Sheet(book, "Waves", styles)
    waves.grid(totals_grid("Instructions per wave", statement.waves))
    for section in statement.waves:
        waves.grid(
            breaks_grid(f"{section.title}: open breaks", section_lines(section, invoices=False))
        )
    platforms = _Sheet(book, "Training platforms", styles)
    if not statement.platforms:
        platforms.line("No invoice break is open.")
    for section in statement.platforms:
        platforms.grid(
            breaks_grid(
                f"{section.title}: open invoice breaks", section_lines(section, invoices=True)
            )
        )
    _open_breaks_sheet(book, statement, styles)
    book.close()
    return files.write_bytes(path, buffer.getvalue())


def _summary_sheet(book: Any, statement: Statement, styles: dict[str, Any]) -> None:
    summary = _Sheet(book, "Summary", styles)
    summary.line("Kartu Prakerja: daily reconciliation statement", "title")
    summary.line(f"Business day: {statement.day.isoformat()}")
    summary.line(f"Generated: {statement.generated_at:%Y-%m-%d %H:%M} UTC")
    summary.line(f"Aging buckets count days since the fact at fault: {', '.join(BUCKET_NAMES)}.")
    summary.row += 1
    summary.grid(escrow_grid(statement))
    if statement.escrow.repayments.total_idr:
        summary.grid(repayments_grid(statement))
    summary.grid(totals_grid("Instructions", (), statement.overall))
    summary.grid(breaks_grid("Open breaks by type and age", statement.breaks))
    summary.grid(gap_grid(statement))
    summary.line(statement.gap.sentence())


def _open_breaks_sheet(book: Any, statement: Statement, styles: dict[str, Any]) -> None:
    sheet = book.add_worksheet("Open breaks")
    for column, (name, width) in enumerate(_OPEN_BREAK_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, name, styles["header"])
    rows = statement.open_breaks.to_pylist()
    for offset, found in enumerate(rows[:_EXCEL_ROWS], start=1):
        for column, (name, _width) in enumerate(_OPEN_BREAK_COLUMNS):
            value = found.get(name)
            if value is None:
                continue
            if isinstance(value, int):
                style = styles["money"] if name.endswith("_idr") else styles["count"]
                sheet.write_number(offset, column, value, style)
            elif hasattr(value, "isoformat"):
                sheet.write_string(offset, column, value.isoformat(), styles["text"])
            else:
                sheet.write_string(offset, column, str(value), styles["text"])
    if len(rows) > _EXCEL_ROWS:
        sheet.write_string(
            _EXCEL_ROWS + 1,
            0,
            f"{len(rows) - _EXCEL_ROWS} more rows: see breaks.csv",
            styles["text"],
        )
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, min(len(rows), _EXCEL_ROWS), len(_OPEN_BREAK_COLUMNS) - 1)
