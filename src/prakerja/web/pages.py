"""The pages' installation with their static assets.

The staff pages are in `web.staff`, the participants' pages in `web.participants`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def install(app: Any) -> None:
    """Add the pages and their static assets (vendored, so the service works offline) to an app."""
    from fastapi.staticfiles import StaticFiles

    from prakerja.web import participants

    app.mount("/static/web", StaticFiles(directory=str(STATIC)), name="web-static")
    participants.install(app)
