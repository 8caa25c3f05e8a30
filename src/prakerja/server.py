"""The HTTP service `prakerja serve` runs: the partner APIs and the pages, in one application.

The front doors stay independent of each other (`lint-imports`); this module,
above all of them, is the one place that puts them together.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from prakerja.api.app import create_app
from prakerja.config import DATABASE_URL_VARIABLE
from prakerja.web import staff
from prakerja.web.pages import install

if TYPE_CHECKING:
    import asyncio

    from fastapi import FastAPI
    from sqlalchemy import Engine

#: The most bytes a connection may send before its request's headers are complete. It counts
#: whole reads (up to 256 KiB each), so a small head read with the start of a body fits.
MAX_HEAD_BYTES = 1024 * 1024


def create_service(engine: Engine, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """Return the whole service: redeem-code API, OpenAPI docs, staff pages, participant pages."""
    app = create_app(engine, clock=clock)
    install(app)
    staff.install(app)
    return app


def log_to_stderr() -> None:
    """Send the product's log lines (a refused request's one line among them) to standard error."""
    product = logging.getLogger("prakerja")
    if not product.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        product.addHandler(handler)
        product.setLevel(logging.INFO)
        product.propagate = False


def service_from_settings() -> FastAPI:
    """Return the service on the database `PRAKERJA_DATABASE_URL` names (one per serve worker)."""
    from prakerja.storage.db import make_engine

    log_to_stderr()
    # Read afresh: the settings of this process may have been read before the URL was set.
    return create_service(make_engine(os.environ.get(DATABASE_URL_VARIABLE)))


class BoundedHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request line and headers over `MAX_HEAD_BYTES`.

    The parser keeps a header's value until it is complete, so without a bound
    one endless header would grow a worker without limit; past the bound the
    connection gets 431 and is closed.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start counting the first request's head."""
        super().connection_made(transport)
        self.head_bytes: int | None = 0

    def data_received(self, data: bytes) -> None:
        """Count what arrives before the headers are complete; refuse past the bound."""
        if self.head_bytes is not None:
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD_BYTES:
                self._refuse_head()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        """Stop counting: the head is complete."""
        self.head_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """Count the next request's head from zero."""
        super().on_message_complete()
        self.head_bytes = 0

    def _refuse_head(self) -> None:
        """Answer 431 with one log line, and close the connection."""
        from prakerja.api.errors import log_refusal

        message = f"the request line and headers are over {MAX_HEAD_BYTES} bytes"
        log_refusal("-", "-", 431, message)
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
            b"content-length: "
            + str(len(message)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + message.encode()
        )
        self.transport.close()
        self.head_bytes = None
