"""The participants' own page, `/saya`: sign in with a one-time code, read one's own story.

Asking for a code answers the same page, with the same status, whether or not
the NIK is registered; the message itself leaves after the answer (a
background task), so the answer's timing does not tell either. The session
cookie holds a random id (HttpOnly, SameSite=Strict, 30 minutes); the
database holds its hash and decides everything.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from prakerja.config import get_settings
from prakerja.kit.clock import utc_now
from prakerja.kit.errors import PrakerjaError
from prakerja.kit.mask import mask_account, mask_card, mask_nik
from prakerja.kit.money import format_rupiah
from prakerja.kit.nik import is_sixteen_digits
from prakerja.participants import service as participants
from prakerja.participants.notify import Message, notifier_from
from prakerja.participants.rules import (
    GRIEVANCE_TEXT_LIMIT,
    SESSION_LIFETIME,
    form_token,
    token_hash,
)
from prakerja.reporting.story import participant_story
from prakerja.storage.db import session_factory
from prakerja.web.i18n import LOCALES, pick_locale, translations

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "saya_session"
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=len(LOCALES))
def _environment(locale: str) -> Environment:
    """Return the templates of one language (one environment each, so requests never mix)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    environment.filters["rupiah"] = format_rupiah
    environment.filters["card"] = mask_card
    environment.filters["account"] = mask_account
    environment.filters["nik"] = mask_nik
    return environment


def _session(request: Request) -> Iterator[Session]:
    with session_factory(request.app.state.engine)() as session:
        yield session


SessionDependency = Annotated[Session, Depends(_session)]
LangQuery = Annotated[str | None, Query(alias="lang", max_length=5)]


def _render(
    request: Request, template: str, lang: str | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page of /saya in the visitor's language; never cached (personal data)."""
    locale = pick_locale(lang, request.headers.get("accept-language"))
    page = (
        _environment(locale)
        .get_template(template)
        .render(
            request=request,
            locale=locale,
            locales=LOCALES,
            day=lambda value: format_date(value, format="long", locale=locale) if value else "",
            number=lambda value: format_decimal(value, locale=locale),
            **context,
        )
    )
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _key() -> str:
    return get_settings().secret_key


def _signed_in(request: Request, session: Session) -> tuple[str, str] | None:
    """Return (NIK, cookie token) of the visitor's live session, or None."""
    token = request.cookies.get(COOKIE, "")
    nik = participants.signed_in_nik(session, token=token, now=utc_now())
    return (nik, token) if nik else None


@router.get("/saya", response_class=HTMLResponse)
def my_page(
    request: Request,
    session: SessionDependency,
    lang: LangQuery = None,
    filed: Annotated[str | None, Query(alias="diajukan", max_length=1)] = None,
) -> Response:
    """Signed in: the participant's own story; otherwise the form that asks for a NIK."""
    signed = _signed_in(request, session)
    if signed is None:
        return _render(request, "saya/signin.html", lang, error=None)
    return _story_page(request, session, signed, lang, filed=filed == "1")


def _story_page(
    request: Request,
    session: Session,
    signed: tuple[str, str],
    lang: str | None,
    *,
    status: int = 200,
    error: str | None = None,
    filed: bool = False,
) -> HTMLResponse:
    nik, token = signed
    story = participant_story(session, nik=nik)
    return _render(
        request,
        "saya/story.html",
        lang,
        status=status,
        story=story,
        categories=participants.CATEGORIES,
        text_limit=GRIEVANCE_TEXT_LIMIT,
        form_token=form_token(_key(), token_hash(token)),
        error=error,
        filed=filed,
    )


@router.post("/saya/kode", response_class=HTMLResponse)
def ask_for_code(
    request: Request,
    session: SessionDependency,
    background: BackgroundTasks,
    nik: Annotated[str, Form(max_length=40)],
    lang: LangQuery = None,
) -> Response:
    """Send a code to the phone of a NIK's latest registration, if it is registered."""
    nik = nik.strip().replace(" ", "")
    if not is_sixteen_digits(nik):
        return _render(request, "saya/signin.html", lang, status=422, error="nik")
    message = participants.request_code(session, nik=nik, key=_key(), now=utc_now())
    session.commit()
    if message is not None:
        background.add_task(_deliver, message)
    return _render(request, "saya/code.html", lang, nik=nik, error=None)


def _deliver(message: Message) -> None:
    """Send a message through the configured channel (after the answer has left)."""
    notifier_from(get_settings()).send(message)


@router.post("/saya/masuk", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDependency,
    nik: Annotated[str, Form(max_length=40)],
    code: Annotated[str, Form(max_length=20)],
    lang: LangQuery = None,
) -> Response:
    """Sign in with the code; a wrong, used, expired or exhausted code is one answer."""
    nik, code = nik.strip(), code.strip().replace(" ", "")
    token = None
    if is_sixteen_digits(nik):
        token = participants.sign_in(session, nik=nik, code=code, key=_key(), now=utc_now())
        session.commit()
    if token is None:
        log.info("a sign-in code was refused")
        return _render(request, "saya/code.html", lang, status=401, nik=nik, error="code")
    answer = RedirectResponse(_here(lang), status_code=303)
    answer.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/saya",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


def _here(lang: str | None, *, filed: bool = False) -> str:
    """Return the URL of /saya in the visitor's language (after a filing: at the grievances)."""
    params = (["diajukan=1"] if filed else []) + ([f"lang={lang}"] if lang in LOCALES else [])
    query = "?" + "&".join(params) if params else ""
    return f"/saya{query}" + ("#pengaduan" if filed else "")


def _checked(request: Request, session: Session, token_field: str) -> tuple[str, str] | None:
    """Return the live session when the form's anti-forgery token belongs to it."""
    signed = _signed_in(request, session)
    if signed is None:
        return None
    expected = form_token(_key(), token_hash(signed[1]))
    return signed if hmac.compare_digest(expected, token_field) else None


@router.post("/saya/keluar")
def sign_out(
    request: Request,
    session: SessionDependency,
    form_token_field: Annotated[str, Form(alias="form_token", max_length=100)] = "",
    lang: LangQuery = None,
) -> Response:
    """End the session and forget the cookie."""
    signed = _checked(request, session, form_token_field)
    if signed is not None:
        participants.sign_out(session, token=signed[1], now=utc_now())
        session.commit()
    answer = RedirectResponse(_here(lang), status_code=303)
    answer.delete_cookie(COOKIE, path="/saya", httponly=True, samesite="strict")
    return answer


@router.post("/saya/pengaduan", response_class=HTMLResponse)
def file_grievance(
    request: Request,
    *,
    session: SessionDependency,
    category: Annotated[str, Form(max_length=20)],
    text: Annotated[str, Form(max_length=2 * GRIEVANCE_TEXT_LIMIT)] = "",
    instruction_id: Annotated[str, Form(max_length=60)] = "",
    form_token_field: Annotated[str, Form(alias="form_token", max_length=100)] = "",
    lang: LangQuery = None,
) -> Response:
    """File a grievance about one's own payment (or anything else)."""
    signed = _checked(request, session, form_token_field)
    if signed is None:
        return RedirectResponse(_here(lang), status_code=303)
    try:
        filed = participants.file_grievance(
            session,
            nik=signed[0],
            category=category,
            instruction_id=instruction_id or None,
            text=text,
            now=utc_now(),
        )
    except PrakerjaError as refused:
        session.rollback()
        log.info("a grievance was refused: %s", refused.message)
        return _story_page(
            request, session, signed, lang, status=refused.status_code, error=refused.message
        )
    session.commit()
    log.info("grievance %s filed (new: %s)", filed.grievance_id, filed.created)
    return RedirectResponse(_here(lang, filed=True), status_code=303)


def install(app: Any) -> None:
    """Add the participants' pages to an app."""
    app.include_router(router)
