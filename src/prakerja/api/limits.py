"""Request size limits: a body over its path's limit is refused with 413 before it is read.

A declared `Content-Length` over the limit is refused at once, without
reading a byte; a body sent without one (chunked) is counted while the app
reads it, and refused as soon as it goes over. The limit is the one of the
longest matching path prefix in the settings' table, else the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi.responses import PlainTextResponse

from prakerja.api.errors import BodyTooLargeError, is_api, log_refusal, refusal

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


def limit_for(path: str, default: int, by_prefix: Mapping[str, int]) -> int:
    """Return the body limit of a path: its longest matching prefix's, else the default."""
    matches = [prefix for prefix in by_prefix if path.startswith(prefix)]
    return by_prefix[max(matches, key=len)] if matches else default


def declared_length(scope: Scope) -> int | None:
    """Return the request's Content-Length, or None when it sends none (or none readable)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return None


class BodyLimitMiddleware:
    """Refuse request bodies over the limit of their path with 413, before reading them."""

    def __init__(self, app: ASGIApp, *, default: int, by_prefix: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.by_prefix = dict(by_prefix)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the body while the app reads it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"], self.default, self.by_prefix)
        declared = declared_length(scope)
        if declared is not None:
            # The server holds a body to its declared length: nothing more to count.
            if declared > limit:
                await self._refuse(scope, receive, send, limit)
            else:
                await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app on a body of unknown length, refusing it once it goes over the limit."""
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Answer 413 (the contract's JSON under /api/) and log one line."""
        path = str(scope["path"])
        message = f"the request body is over the limit of {limit} bytes"
        log_refusal(str(scope.get("method", "")), path, 413, message)
        response: Response = (
            refusal(413, message) if is_api(path) else PlainTextResponse(message, status_code=413)
        )
        response.headers["connection"] = "close"
        await response(scope, receive, send)
