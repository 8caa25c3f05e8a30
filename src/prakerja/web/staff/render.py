"""Render the staff pages: one Jinja2 environment, the visitor's language, masking filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from prakerja.accounts.permissions import Permission
from prakerja.kit.clock import parse_date
from prakerja.kit.errors import InputError
from prakerja.kit.mask import mask_account, mask_card, mask_nik, mask_phone
from prakerja.kit.money import format_rupiah
from prakerja.web.auth import Staff
from prakerja.web.i18n import LOCALES, pick_locale, translations
from prakerja.web.staff import names

TEMPLATES = Path(__file__).parent.parent / "templates"
LANG_COOKIE = "prakerja_lang"


def mask_name(value: str | None) -> str:
    """Keep each word's first letter of a name."""
    return " ".join(word[:1] + "•••" for word in (value or "").split())


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    environment.filters["rupiah"] = format_rupiah
    environment.filters["mask_card"] = mask_card
    environment.filters["mask_account"] = mask_account
    environment.filters["mask_nik"] = mask_nik
    environment.filters["mask_phone"] = mask_phone
    environment.filters["mask_name"] = mask_name
    environment.globals.update(
        {name: value for name, value in vars(names).items() if name.isupper()},
        Permission=Permission,
    )
    return environment


_ENVIRONMENT = _environment()


def page_locale(request: Request) -> str:
    """The page's language: ?lang=, else the language cookie, else the browser's, else id."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return pick_locale(asked, request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    staff: Staff | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a staff page in the visitor's language; remember a language chosen by ?lang=."""
    locale = page_locale(request)
    catalog = translations(locale)
    _ENVIRONMENT.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]

    def number(value: int | None) -> str:
        written = f"{int(value or 0):,}"
        return written.replace(",", ".") if locale == "id" else written

    page = _ENVIRONMENT.get_template(template).render(
        request=request,
        locale=locale,
        locales=LOCALES,
        staff=staff,
        thousands=number,
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    asked = request.query_params.get("lang")
    if asked in LOCALES:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax")
    return response


def chosen_day(text: str | None, default: dt.date | None) -> dt.date:
    """The business day a page is asked for (?date=), else `default`, else today (UTC)."""
    if text:
        try:
            return parse_date(text[:10])
        except InputError:
            pass
    return default or dt.datetime.now(dt.UTC).date()
