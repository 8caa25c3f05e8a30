"""Downloads of every export for a chosen day, as recorded (reading never changes anything)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import astuple, fields
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from prakerja.kit.errors import PrakerjaError
from prakerja.kit.files import people_cell
from prakerja.registry.service import CardRow, card_rows, selection_rows, wave_overviews
from prakerja.reporting.breaks import BREAKS_COLUMNS, breaks_as_of
from prakerja.reporting.staff import latest_day
from prakerja.web.auth import DbSession, DownloadExports
from prakerja.web.staff.render import chosen_day, render

router = APIRouter(include_in_schema=False)


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(people_cell(v.isoformat() if isinstance(v, dt.date) else v) for v in row)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/downloads", response_class=HTMLResponse)
def downloads(
    request: Request, session: DbSession, staff: DownloadExports, date: str | None = None
) -> HTMLResponse:
    """The exports of a day and of each wave."""
    day = chosen_day(date, latest_day(session))
    return render(request, "staff/downloads.html", staff, day=day, waves=wave_overviews(session))


@router.get("/downloads/breaks.csv")
def breaks_csv(session: DbSession, staff: DownloadExports, date: str | None = None) -> Response:
    """breaks.csv as of a day."""
    day = chosen_day(date, latest_day(session))
    return _csv(f"breaks-{day}.csv", BREAKS_COLUMNS, breaks_as_of(session, day=day))


@router.get("/downloads/gap.csv")
def gap_csv(session: DbSession, staff: DownloadExports, date: str | None = None) -> Response:
    """The gap report as of a day."""
    from prakerja.reconciliation.service import day_position

    day = chosen_day(date, latest_day(session))
    gap, _ = day_position(session, day=day)
    rows = ((row.stage.value, row.participants, row.amount_idr) for row in gap.rows)
    return _csv(f"gap-{day}.csv", ("stage", "participants", "amount_idr"), rows)


def _refused(refusal: PrakerjaError) -> Response:
    """A download that cannot be made (an unknown or unselected wave): its reason, as text."""
    return PlainTextResponse(refusal.message, status_code=refusal.status_code)


@router.get("/downloads/selection-{wave}.csv")
def selection_csv(session: DbSession, wave: int, staff: DownloadExports) -> Response:
    """A wave's selection."""
    try:
        selected = selection_rows(session, wave=wave)
    except PrakerjaError as refusal:
        return _refused(refusal)
    rows = ((r.nik, r.wave, r.outcome, r.reason, r.card_number) for r in selected)
    header = ("nik", "wave", "outcome", "reason", "card_number")
    return _csv(f"selection-{wave}.csv", header, rows)


@router.get("/downloads/cards-{wave}.csv")
def cards_csv(session: DbSession, wave: int, staff: DownloadExports) -> Response:
    """A wave's cards."""
    try:
        cards = card_rows(session, wave=wave)
    except PrakerjaError as refusal:
        return _refused(refusal)
    header = tuple(field.name for field in fields(CardRow))
    return _csv(f"cards-{wave}.csv", header, (astuple(r) for r in cards))


@router.get("/downloads/statement.{kind}")
def statement(
    session: DbSession, kind: str, staff: DownloadExports, date: str | None = None
) -> Response:
    """The auditors' statement of a day as xlsx or pdf."""
    from prakerja.reporting.pdf import write_pdf
    from prakerja.reporting.statement import build_statement
    from prakerja.reporting.workbook import write_workbook

    if kind not in ("xlsx", "pdf"):
        return Response("unknown format", status_code=404)
    day = chosen_day(date, latest_day(session))
    built = build_statement(session, day=day)
    folder = Path(tempfile.mkdtemp(prefix="prakerja-statement-"))
    name = f"reconciliation-statement-{day.isoformat()}.{kind}"
    path = (write_workbook if kind == "xlsx" else write_pdf)(built, folder / name)
    return FileResponse(path, filename=name, background=BackgroundTask(_remove, folder))


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
