"""`prakerja serve` and `prakerja providers key`: the HTTP service and its partners' keys."""

from __future__ import annotations

from typing import Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say, tell

#: The module holding `create_service`, above every front door (see `prakerja.server`).
SERVICE_MODULE = "prakerja.server"
providers_app = typer.Typer(help="Training providers: API credentials.", no_args_is_help=True)


def _warn_of_default_secret_key() -> None:
    from prakerja.config import get_settings

    if get_settings().uses_default_secret_key:
        tell(
            "warning: PRAKERJA_SECRET_KEY is not set: provider secrets are encrypted under "
            "the built-in development key; set your own key in production"
        )


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """The HTTP service: partner APIs (docs at /docs), the operator dashboard, participant pages."""
    import importlib

    import uvicorn

    _warn_of_default_secret_key()
    engine = open_database(db)
    # The front doors stay independent of each other (lint-imports): the CLI
    # starts the service by its module name, as uvicorn itself would.
    create_service = importlib.import_module(SERVICE_MODULE).create_service
    uvicorn.run(create_service(engine), host=host, port=port, log_level="info", access_log=False)


@providers_app.command("key")
def key_command(
    provider_code: Annotated[str, typer.Argument(help="The provider's code, e.g. LP-001.")],
    db: DbOption = None,
) -> None:
    """Issue (or rotate) a provider's API credentials; the old secret stops working at once."""
    from prakerja.catalog.service import issue_key
    from prakerja.storage.db import unit_of_work

    _warn_of_default_secret_key()
    engine = open_database(db)
    with unit_of_work(engine) as session:
        issued = issue_key(session, provider_code)
    if not issued.known_provider:
        tell(f"note: provider {issued.client_code} is not in the catalog yet")
    say(f"client_code={issued.client_code}")
    say(f"secret={issued.secret}")
