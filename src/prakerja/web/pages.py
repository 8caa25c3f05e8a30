"""Page rendering shared by the pages, and their installation with the static assets.

The staff pages are in `web.staff`, the participants' pages in `web.participants`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from prakerja.kit.money import format_rupiah
from prakerja.storage.db import session_factory
from prakerja.web.i18n import LOCALES, pick_locale, translations

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


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


def install(app: Any) -> None:
    """Add the pages and their static assets (vendored, so the service works offline) to an app."""
    from fastapi.staticfiles import StaticFiles

    from prakerja.web import participants

    app.mount("/static/web", StaticFiles(directory=str(STATIC)), name="web-static")
    participants.install(app)
