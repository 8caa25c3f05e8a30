"""A partner's own pages: its uploads with their rejects, and its instruction files by day.

Every read is narrowed to the signed-in account's partner code; nothing here
takes a partner code from the address, so no partner can ask for another's.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathPart
from fastapi.responses import HTMLResponse, Response

from prakerja.kit.clock import parse_date
from prakerja.kit.errors import InputError
from prakerja.partners.service import read_rejects, recent_uploads
from prakerja.payouts.service import instruction_days, instructions_of_partner
from prakerja.web.auth import DbSession, DownloadOwnInstructions, ViewOwnUploads
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)

#: Uploads shown, and rejects shown per upload (the whole file stays with the partner).
UPLOADS_SHOWN = 30
REJECTS_SHOWN = 50


@router.get("/partner/uploads", response_class=HTMLResponse)
def own_uploads(request: Request, session: DbSession, staff: ViewOwnUploads) -> HTMLResponse:
    """The partner's latest uploads, each with what its import answered and its rejects."""
    uploads = recent_uploads(session, partner_code=staff.partner_code or "-", limit=UPLOADS_SHOWN)
    rejects = {
        upload.id: read_rejects(Path(upload.stored_path))[:REJECTS_SHOWN]
        for upload in uploads
        if upload.rejected
    }
    return render(
        request,
        "staff/partner_uploads.html",
        staff,
        uploads=uploads,
        rejects=rejects,
        shown=REJECTS_SHOWN,
    )


@router.get("/partner/instructions", response_class=HTMLResponse)
def own_instruction_days(
    request: Request, session: DbSession, staff: DownloadOwnInstructions
) -> HTMLResponse:
    """The days the partner was sent payment instructions, each a file to download."""
    days = instruction_days(session, partner_code=staff.partner_code or "-")
    return render(request, "staff/partner_instructions.html", staff, days=days)


@router.get("/partner/instructions/{day}.csv", response_class=Response)
def own_instruction_file(
    request: Request,
    *,
    session: DbSession,
    day: Annotated[str, PathPart(max_length=10)],
    staff: DownloadOwnInstructions,
) -> Response:
    """instructions-PARTNER-DATE.csv of one day, with the partner API's columns."""
    code = staff.partner_code or "-"
    try:
        chosen = parse_date(day)
    except InputError:
        return render(request, "staff/missing.html", staff, status_code=404)
    rows = instructions_of_partner(session, partner_code=code, day=chosen)
    if rows.num_rows == 0:
        return render(request, "staff/missing.html", staff, status_code=404)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(rows.column_names)
    writer.writerows(zip(*(rows[name].to_pylist() for name in rows.column_names), strict=True))
    name = f"instructions-{code}-{chosen.isoformat()}.csv"
    return Response(
        text.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
