"""Staff pages of the program statistics and the integrity signals (id/en)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from prakerja.statistics import service
from prakerja.web.auth import DbSession, ViewSignals, ViewStatistics
from prakerja.web.staff.render import render

router = APIRouter(include_in_schema=False)

WaveQuery = Annotated[int | None, Query(ge=1, le=100_000)]
ProvinceQuery = Annotated[str | None, Query(pattern=r"^[0-9]{2}$")]


@router.get("/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request,
    session: DbSession,
    staff: ViewStatistics,
    wave: WaveQuery = None,
    province: ProvinceQuery = None,
) -> HTMLResponse:
    """The ranking by wave and province, survey outcomes, courses and providers."""
    places = service.ranking_by_wave_province(session)
    courses, providers = service.completions(session)
    return render(
        request,
        "staff/statistics.html",
        staff,
        ranking=service.ranking(session, wave=wave, province=province),
        waves=sorted({row.wave for row in places}),
        provinces=sorted({row.province_code for row in places if row.province_code}),
        wave=wave,
        province=province,
        outcomes=service.outcomes(session),
        courses=courses,
        providers=providers,
    )


@router.get("/signals", response_class=HTMLResponse)
def signals_page(request: Request, session: DbSession, staff: ViewSignals) -> HTMLResponse:
    """The integrity signals of the latest day evaluated, each card linking to its story."""
    day = service.latest_signal_day(session)
    signals = service.evaluate_signals(session, day=day, record=False) if day else []
    return render(request, "staff/signals.html", staff, day=day, signals=signals)
