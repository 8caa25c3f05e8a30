"""The HTTP service `prakerja serve` runs: the partner APIs and the pages, in one application.

The front doors stay independent of each other (`lint-imports`); this module,
above all of them, is the one place that puts them together.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from prakerja.api.app import create_app
from prakerja.config import DATABASE_URL_VARIABLE
from prakerja.web import staff
from prakerja.web.pages import install

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine


def create_service(engine: Engine, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """Return the whole service: redeem-code API, OpenAPI docs, staff pages, participant pages."""
    app = create_app(engine, clock=clock)
    install(app)
    staff.install(app)
    return app


def service_from_settings() -> FastAPI:
    """Return the service on the database `PRAKERJA_DATABASE_URL` names (one per serve worker)."""
    from prakerja.storage.db import make_engine

    # Read afresh: the settings of this process may have been read before the URL was set.
    return create_service(make_engine(os.environ.get(DATABASE_URL_VARIABLE)))
