"""A page request holding a NUL character (path, query or form) is refused with 400.

PostgreSQL's text cannot hold a NUL, so a value carrying one fails the
statement it reaches (a sign-in's username, a search, a resolve reason): a
500 for what is a malformed request. The pages refuse it here, once, before
any route reads it. The APIs under `/api/` validate their inputs by their
own models and answer in the contract's shape, so they are left to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.responses import PlainTextResponse

from prakerja.api.errors import is_api, log_refusal

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: What a NUL looks like percent-encoded in a query string or a form body.
ENCODED_NUL = b"%00"
FORM_TYPE = b"application/x-www-form-urlencoded"
REASON = "the request holds a NUL character"


def holds_nul(encoded: bytes) -> bool:
    """Return True when url-encoded bytes carry a NUL, raw or percent-encoded."""
    return ENCODED_NUL in encoded or b"\x00" in encoded


def _is_form(scope: Scope) -> bool:
    """Return True for a url-encoded form body (what every page's form sends)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media: bytes = value.split(b";")[0].strip().lower()
            return media == FORM_TYPE
    return False


class NulRefusalMiddleware:
    """Refuse page requests with a NUL in the path, the query string or a url-encoded form."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the path and query at once; read a form's body first, then hand it on."""
        if scope["type"] != "http" or is_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or holds_nul(scope.get("query_string", b"")):
            await self._refuse(scope, receive, send)
            return
        if not _is_form(scope):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away before sending it all
            return
        if holds_nul(body):
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 400 and log one line."""
        log_refusal(str(scope.get("method", "")), str(scope["path"]), 400, REASON)
        await PlainTextResponse(REASON, status_code=400)(scope, receive, send)


async def _read_body(receive: Receive) -> bytes | None:
    """Read the whole body (bounded by the body limit around this layer); None on a disconnect."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a `receive` that hands the body read once, then listens to the client again."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
