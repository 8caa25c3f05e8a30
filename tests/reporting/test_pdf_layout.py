"""The statement's PDF tables: every number on one line, even at the whole program's scale."""

from fpdf import FPDF

from prakerja.reporting.layout import TOTALS_HEADER
from prakerja.reporting.pdf import _column_widths, _text

#: The 2020 program's order of magnitude: 22.4 million instructions, 13.4 trillion rupiah.
PROGRAM_IDR = 13_440_000_000_000


def _document() -> FPDF:
    document = FPDF(orientation="landscape", format="A4")
    document.add_page()
    return document


def test_numbers_of_a_whole_program_fit_their_columns_on_one_line():
    document = _document()
    header = ("partner", *TOTALS_HEADER)
    row = ["LINKAJA", *(_text(PROGRAM_IDR) for _ in TOTALS_HEADER)]
    widths = _column_widths(document, header, [row])
    assert abs(sum(widths) - document.epw) < 0.01
    for text, width in zip(row, widths, strict=True):
        assert document.get_string_width(text) < width
    assert document.font_size_pt < 8


def test_small_tables_keep_the_largest_font_and_share_the_spare_room():
    document = _document()
    widths = _column_widths(document, ("stage", "participants"), [["PAID", "1.034"]])
    assert document.font_size_pt == 8
    assert abs(sum(widths) - document.epw) < 0.01


def test_negative_amounts_read_like_the_others():
    assert (_text(-9_000_000), _text(9_000_000), _text("OVO")) == ("-9.000.000", "9.000.000", "OVO")
