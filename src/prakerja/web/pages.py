"""The pages: operator dashboard (aggregates only, no personal data) and participant status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from prakerja.kit.money import format_rupiah
from prakerja.kit.nik import is_sixteen_digits
from prakerja.reconciliation import service as reconciliation
from prakerja.reconciliation.gap import gap_sentence, recorded_gap_rows
from prakerja.registry import service as registry
from prakerja.storage.db import session_factory
from prakerja.web.i18n import LOCALES, pick_locale, translations

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    environment.filters["rupiah"] = format_rupiah
    environment.filters["thousands"] = lambda number: f"{number:,}".replace(",", ".")
    return environment


_ENVIRONMENT = _environment()


def _session(request: Request) -> Iterator[Session]:
    with session_factory(request.app.state.engine)() as session:
        yield session


SessionDependency = Annotated[Session, Depends(_session)]
LangQuery = Annotated[str | None, Query(alias="lang")]


def render(request: Request, template: str, lang: str | None, **context: Any) -> HTMLResponse:
    """Render a page in the visitor's language."""
    locale = pick_locale(lang, request.headers.get("accept-language"))
    _ENVIRONMENT.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    page = _ENVIRONMENT.get_template(template).render(
        request=request, locale=locale, locales=LOCALES, **context
    )
    return HTMLResponse(page)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDependency, lang: LangQuery = None) -> HTMLResponse:
    """The operator dashboard: the gap report, open breaks, the escrow proof, the waves."""
    waves = registry.wave_overviews(session)
    position = reconciliation.latest_position(session)
    locale = pick_locale(lang, request.headers.get("accept-language"))
    sentence = (
        gap_sentence(
            position.day,
            recorded_gap_rows(position.gap),
            words=translations(locale),
            thousands="." if locale == "id" else ",",
        )
        if position
        else ""
    )
    return render(
        request, "dashboard.html", lang, waves=waves, position=position, gap_sentence=sentence
    )


@router.get("/status", response_class=HTMLResponse)
def status_form(request: Request, lang: LangQuery = None) -> HTMLResponse:
    """The participants' page: check one's own registration with NIK and birth date."""
    return render(request, "status.html", lang, asked=False, statuses=[], error=None)


@router.post("/status", response_class=HTMLResponse)
def status_answer(
    request: Request,
    session: SessionDependency,
    nik: Annotated[str, Form()],
    birth_date: Annotated[str, Form()],
    lang: LangQuery = None,
) -> HTMLResponse:
    """Answer a status check; nothing is shown unless NIK and birth date match a registration."""
    nik = nik.strip()
    try:
        born = dt.date.fromisoformat(birth_date.strip())
    except ValueError:
        born = None
    if not is_sixteen_digits(nik) or born is None:
        return render(request, "status.html", lang, asked=True, statuses=[], error="invalid")
    statuses = registry.registration_statuses(session, nik=nik, birth_date=born)
    return render(request, "status.html", lang, asked=True, statuses=statuses, error=None)


def install(app: Any) -> None:
    """Add the pages and their static assets (vendored, so the service works offline) to an app."""
    from fastapi.staticfiles import StaticFiles

    app.mount("/static/web", StaticFiles(directory=str(STATIC)), name="web-static")
    app.include_router(router)
