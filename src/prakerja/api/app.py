"""The FastAPI application: routers of every front-door API, offline docs, the shared plumbing.

Every request goes through the same layers, outermost first: security headers
on every response (`headers`), a logged 500 for an unexpected exception
(`errors`), the body size limit of its path (`limits`), and a page request's
NUL characters refused (`nul`); refusals are
answered by one set of exception handlers (`errors.install_error_handlers`).
A router added with `app.include_router` gets all of them without more ado.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from prakerja import __version__
from prakerja.api import partner, redeem
from prakerja.api.docs import install_docs
from prakerja.api.errors import UnexpectedErrorMiddleware, install_error_handlers
from prakerja.api.headers import SecurityHeadersMiddleware
from prakerja.api.limits import BodyLimitMiddleware
from prakerja.api.nul import NulRefusalMiddleware
from prakerja.config import get_settings
from prakerja.storage.async_reads import AsyncReads

#: PostgreSQL connections each worker keeps for the status endpoint's reads on its event loop.
ASYNC_READ_CONNECTIONS = 8


@asynccontextmanager
async def _async_reads_while_serving(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves (on PostgreSQL), read status answers on the event loop itself."""
    engine: Engine = app.state.engine
    if engine.dialect.name != "postgresql":
        yield
        return
    reads = AsyncReads(engine, ASYNC_READ_CONNECTIONS)
    app.state.async_reads = reads
    try:
        yield
    finally:
        app.state.async_reads = None
        await reads.close()


def install_plumbing(app: FastAPI) -> None:
    """Add the layers every request goes through: limits, error handling, security headers."""
    settings = get_settings()
    install_error_handlers(app)
    # Starlette runs the middleware added last outermost: a form is read within its limit.
    app.add_middleware(NulRefusalMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        default=settings.request_body_limit,
        by_prefix=settings.request_body_limits,
    )
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)


def partner_upload_root() -> Path:
    """Return the folder partners' uploads are kept in: DATA_DIR/partner-uploads, absolute."""
    return (get_settings().data_dir / "partner-uploads").resolve()


def create_app(engine: Engine, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """Build the application on a database engine; `clock` gives Unix seconds (tests fix it)."""
    app = FastAPI(
        lifespan=_async_reads_while_serving,
        title="Prakerja partner API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description="Redeem codes for providers; files, breaks and instructions for partners.",
    )
    app.state.engine = engine
    app.state.async_reads = None  # set while serving on PostgreSQL (see the lifespan above)
    # Reads of one statement need no transaction: no BEGIN and COMMIT round trips.
    app.state.read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    app.state.clock = clock
    install_plumbing(app)
    install_docs(app)
    app.include_router(redeem.router)
    publish_security_schemes(app, redeem.SECURITY_SCHEMES)
    app.state.partner_uploads = partner_upload_root()
    app.include_router(partner.router)
    return app


def publish_security_schemes(app: FastAPI, schemes: dict[str, dict[str, str]]) -> None:
    """Add security schemes that routes check themselves (not by dependency) to the OpenAPI."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {}).update(schemes)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
