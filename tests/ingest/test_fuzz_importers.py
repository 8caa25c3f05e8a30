"""Random bytes, random CSV shapes and random JSON Lines fed to every importer (bounded).

Whatever comes in, an import either refuses the file as a whole with its
one-line reason or accounts for every record: loaded + duplicates + rejected
+ pending is the number of records the file holds. Never a traceback.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.cli.imports import LOADERS, loader_for
from prakerja.ingest.errors import FileUnusableError
from prakerja.ingest.pipeline import ImportSummary, import_file
from prakerja.kit.progress import SilentReporter

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()

#: Values that look like the contract's, and values that probe its edges.
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "0",
            "-13000",
            "5210000000000017",
            "3171014708900001",
            "2020-04-21",
            "2020-13-45",
            "2020-04-21T10:00:00+07:00",
            "PURCHASE",
            "ATTENDANCE",
            "SUCCESS",
            "FAILED",
            "DEBIT",
            "CREDIT",
            "OVO",
            "TOKOPEDIA",
            "PANDEMIC_2020",
            "true",
            '=HYPERLINK("x")',
            "9" * 5000,
            "99999999999999999999",
            "N" * 300,
            "\u0000",
            "\ud7ff\u2028",
            "*",
        ]
    ),
    st.text(max_size=40),
)


def _total(summary: ImportSummary) -> int:
    return summary.loaded + summary.duplicates + summary.rejected + summary.pending


def _import(engine, kind: str, path: Path) -> ImportSummary | None:
    try:
        return import_file(engine, loader_for(kind), path, SilentReporter())
    except FileUnusableError as unusable:
        message = unusable.message
    assert "\n" not in message
    return None


def _columns(kind: str) -> list[str]:
    return [spec.name for spec in loader_for(kind).fields]


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_an_importer(engine, tmp_path, kind, data):
    path = tmp_path / f"bytes-{next(_names)}.csv"
    path.write_bytes(data)
    _import(engine, kind, path)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.data())
def test_random_csv_shapes_account_for_every_record(engine, tmp_path, kind, data):
    columns = _columns(kind)
    header = data.draw(st.permutations(columns)) + data.draw(
        st.lists(st.sampled_from(["extra", "note"]), max_size=1)
    )
    rows = data.draw(
        st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=6)
    )
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / f"shape-{next(_names)}.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8", errors="surrogatepass"))
    summary = _import(engine, kind, path)
    if summary is not None:
        assert _total(summary) == len(rows)


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        CELLS,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.data())
def test_random_json_lines_account_for_every_line(engine, tmp_path, kind, data):
    columns = _columns(kind)
    records = data.draw(
        st.lists(
            st.one_of(
                st.fixed_dictionaries(dict.fromkeys(columns, JSON_VALUES)),
                JSON_VALUES,
            ),
            min_size=1,
            max_size=5,
        )
    )
    lines = [json.dumps(record) for record in records]
    path = tmp_path / f"lines-{next(_names)}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = _import(engine, kind, path)
    if summary is not None:
        assert _total(summary) == len(lines)


SAMPLES = Path(__file__).parent.parent / "fixtures" / "contract"
SAMPLE_OF = {
    "waves": "waves.csv",
    "participants": "participants.csv",
    "exclusions": "exclusions.csv",
    "courses": "courses.csv",
    "payout-accounts": "payout-accounts.csv",
    "platform-events": "platform-events.csv",
    "platform-invoices": "platform-invoices.csv",
    "survey-responses": "survey-responses.csv",
    "partner-results": "partner-results.csv",
    "bank-statement": "bank-statement.csv",
}


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.data())
def test_contract_samples_with_random_cells_account_for_every_row(engine, tmp_path, kind, data):
    with (SAMPLES / SAMPLE_OF[kind]).open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    for row in rows:
        for index in data.draw(st.sets(st.integers(0, len(header) - 1), max_size=2)):
            row[index] = data.draw(CELLS)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path = tmp_path / f"mutated-{next(_names)}.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8", errors="surrogatepass"))
    summary = _import(engine, kind, path)
    assert summary is not None
    assert _total(summary) == len(rows)
