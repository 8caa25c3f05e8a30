"""The FastAPI application: routers of every front-door API, and offline OpenAPI docs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from prakerja import __version__
from prakerja.api import partner, redeem
from prakerja.storage.async_reads import AsyncReads

SWAGGER_ASSETS = "/static/swagger-ui"


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


def partner_upload_root() -> Path:
    """Return the folder partners' uploads are kept in: DATA_DIR/partner-uploads, absolute."""
    from prakerja.config import get_settings

    return (get_settings().data_dir / "partner-uploads").resolve()


def create_app(engine: Engine, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """Build the application on a database engine; `clock` gives Unix seconds (tests fix it)."""
    from swagger_ui_bundle import swagger_ui_path

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
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    app.include_router(redeem.router)
    app.state.partner_uploads = partner_upload_root()
    app.include_router(partner.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The OpenAPI docs, every asset served from this service (works offline)."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
        )

    return app
