"""One way to refuse a request: domain errors carry their HTTP status, and each refusal logs a line.

Under `/api/` every refusal has the contract's shape `{"success": false,
"message": ...}`; elsewhere (the pages) FastAPI's own answers stand. A refusal
logs one line (method, path, status, reason: never a body, never a
traceback); an unexpected exception logs its traceback once and is answered
500 without the server's internals. A database that could not answer (busy
past its patience, or out of reach) is answered 503 with `Retry-After`: the
request's transaction was rolled back, so asking again is safe, and a page
that polls (htmx) simply asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from prakerja.kit.errors import PrakerjaError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("prakerja.http")

#: Paths whose refusals take the contract's JSON shape.
API_PREFIX = "/api/"
#: How much of a path or reason a log line keeps.
LOGGED_CHARACTERS = 200
#: Seconds a client is asked to wait before asking again when the database could not answer.
RETRY_AFTER_SECONDS = 1


class BodyTooLargeError(Exception):
    """A streamed body went over its limit (raised into the app, answered 413 by `limits`)."""


class Refusal(BaseModel):
    """A refused request: `{"success": false, "message": ...}`."""

    success: Literal[False] = False
    message: str


def is_api(path: str) -> bool:
    """Return True for the paths whose answers are the contract's JSON."""
    return path.startswith(API_PREFIX)


def printable(text: str) -> str:
    """Return `text` cut short with control characters escaped, safe for one log line."""
    cut = text[:LOGGED_CHARACTERS]
    shown = cut if cut.isprintable() else cut.encode("unicode_escape").decode("ascii")
    return shown + ("..." if len(text) > LOGGED_CHARACTERS else "")


def log_refusal(method: str, path: str, status: int, reason: str) -> None:
    """Log one line for a refused request: method, path, status and reason (no body)."""
    level = logging.ERROR if status >= 500 else logging.INFO
    logger.log(level, "refused %s %s: %d %s", method, printable(path), status, printable(reason))


def refusal(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Return the contract's refusal body with its status."""
    return JSONResponse({"success": False, "message": message}, status_code=status, headers=headers)


async def _domain_refusal(request: Request, exc: Exception) -> Response:
    """Answer a domain error (`PrakerjaError`) with the status it carries."""
    assert isinstance(exc, PrakerjaError)
    log_refusal(request.method, request.url.path, exc.status_code, exc.message)
    if is_api(request.url.path):
        return refusal(exc.status_code, exc.message)
    return PlainTextResponse(exc.message, status_code=exc.status_code)


async def _http_refusal(request: Request, exc: Exception) -> Response:
    """Answer a routing refusal (404, 405, ...): the contract's shape under /api/."""
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, BodyTooLargeError):  # FastAPI's "error parsing the body"
        raise exc.__cause__
    log_refusal(request.method, request.url.path, exc.status_code, str(exc.detail))
    if is_api(request.url.path):
        return refusal(exc.status_code, str(exc.detail), exc.headers)
    return await http_exception_handler(request, exc)


def validation_message(exc: RequestValidationError) -> str:
    """Return the first problem of a request FastAPI could not validate (never its input)."""
    errors = exc.errors()
    if not errors:
        return "malformed request"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"malformed request: {where}: {first.get('msg', 'invalid')}"


async def _validation_refusal(request: Request, exc: Exception) -> Response:
    """Answer a request FastAPI could not validate with 422."""
    assert isinstance(exc, RequestValidationError)
    message = validation_message(exc)
    log_refusal(request.method, request.url.path, 422, message)
    if is_api(request.url.path):
        return refusal(422, message)
    return await request_validation_exception_handler(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every domain error, routing refusal and invalid request in one way."""
    app.add_exception_handler(PrakerjaError, _domain_refusal)
    app.add_exception_handler(StarletteHTTPException, _http_refusal)
    app.add_exception_handler(RequestValidationError, _validation_refusal)


class UnexpectedErrorMiddleware:
    """Log an unexpected exception with its traceback once; answer 500 or 503 (never re-raised)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; turn an exception escaping it into a logged 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as failure:
            path = str(scope.get("path", ""))
            logger.exception("failed %s %s", scope.get("method", ""), printable(path))
            if started:
                return
            await _unexpected_answer(path, failure)(scope, receive, send)


def _unexpected_answer(path: str, exc: Exception) -> Response:
    """Answer an unexpected exception: 503 when the database could not answer, else 500."""
    status, message, headers = 500, "internal error; it was logged for the operator", None
    if isinstance(exc, OperationalError):
        status, message = 503, "the database is busy or out of reach; try again shortly"
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api(path):
        return refusal(status, message, headers)
    return PlainTextResponse(message, status_code=status, headers=headers)
