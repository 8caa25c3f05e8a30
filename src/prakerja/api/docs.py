"""The OpenAPI docs page: a vendored Swagger UI, every asset served by this service (offline)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

if TYPE_CHECKING:
    from fastapi import FastAPI

#: Where the API's own static files (the vendored Swagger UI, the page's script) are served.
STATIC_URL = "/static/api"
STATIC = Path(__file__).parent / "static"

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" type="image/png" href="{static}/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="{static}/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="{static}/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="{static}/docs.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` and its assets on an app whose own docs are switched off."""
    app.mount(STATIC_URL, StaticFiles(directory=str(STATIC)), name="api-static")
    page = _PAGE.format(
        title=escape(f"{app.title} - docs"),
        static=STATIC_URL,
        openapi_url=escape(app.openapi_url or "/openapi.json"),
    )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The OpenAPI docs page."""
        return HTMLResponse(page)
