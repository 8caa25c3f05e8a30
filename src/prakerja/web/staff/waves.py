"""Waves: quotas and selection per province, reasons for non-selection, revocations, refills."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from prakerja.registry.service import wave_overviews
from prakerja.reporting.staff import province_rows
from prakerja.web.auth import DbSession, ViewWaves
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)


@router.get("/waves", response_class=HTMLResponse)
def waves(
    request: Request,
    *,
    session: DbSession,
    staff: ViewWaves,
) -> HTMLResponse:
    """Every wave with its outcomes, and per province its places, selection and refills."""
    provinces: dict[int, list[object]] = {}
    for row in province_rows(session):
        provinces.setdefault(row.wave, []).append(row)
    return render(
        request, "staff/waves.html", staff, waves=wave_overviews(session), provinces=provinces
    )
