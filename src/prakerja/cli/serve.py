"""`prakerja serve` and `prakerja providers key`: the HTTP service and its partners' keys."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from prakerja.cli.common import DbOption, chosen_database, open_database, say, tell

#: The factory each worker calls for its application, above every front door (`prakerja.server`).
SERVICE_FACTORY = "prakerja.server:service_from_settings"
#: uvicorn's httptools protocol with a bound on a request's head (`prakerja.server`).
HTTP_PROTOCOL = "prakerja.server:BoundedHeadProtocol"
providers_app = typer.Typer(help="Training providers: API credentials.", no_args_is_help=True)


def is_loopback(host: str) -> bool:
    """Return True when `host` is reachable from this machine only (localhost, 127/8, ::1)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refuse_default_key_off_loopback(host: str) -> None:
    """Refuse to serve other machines while secrets are encrypted under the published key."""
    from prakerja.config import get_settings
    from prakerja.kit.errors import ConfigurationError

    if get_settings().uses_default_secret_key and not is_loopback(host):
        raise ConfigurationError(
            f"refusing to listen on {host} with the built-in development key: set "
            "PRAKERJA_SECRET_KEY to a key of your own (or listen on 127.0.0.1)"
        )


def _warn_of_default_secret_key() -> None:
    from prakerja.config import get_settings

    if get_settings().uses_default_secret_key:
        tell(
            "warning: PRAKERJA_SECRET_KEY is not set: provider secrets are encrypted under "
            "the built-in development key; set your own key in production"
        )


def default_workers() -> int:
    """Return how many worker processes `prakerja serve` starts by default: one per usable CPU."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes serving requests (default: one per CPU this process may "
            f"use, {default_workers()} here).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The HTTP service: partner APIs (docs at /docs), the operator dashboard, participant pages."""
    import uvicorn

    from prakerja.config import DATABASE_URL_VARIABLE
    from prakerja.storage.db import make_engine

    _refuse_default_key_off_loopback(host)
    _warn_of_default_secret_key()
    url = make_engine(chosen_database(db)).url.render_as_string(hide_password=False)
    open_database(url)
    # Every worker process builds its own application (and engine) on the same database:
    # the URL goes to them in the environment, never on a command line or in a log.
    # The front doors stay independent of each other (lint-imports): the service is
    # named by its module, as uvicorn itself would.
    previous = os.environ.get(DATABASE_URL_VARIABLE)
    os.environ[DATABASE_URL_VARIABLE] = url
    try:
        uvicorn.run(
            SERVICE_FACTORY,
            factory=True,
            workers=workers or default_workers(),
            host=host,
            port=port,
            log_level="info",
            access_log=False,
            http=HTTP_PROTOCOL,
        )
    finally:
        if previous is None:
            os.environ.pop(DATABASE_URL_VARIABLE, None)
        else:
            os.environ[DATABASE_URL_VARIABLE] = previous


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
        issued = issue_key(session, provider_code=provider_code)
    if not issued.known_provider:
        tell(f"note: provider {issued.client_code} is not in the catalog yet")
    say(f"client_code={issued.client_code}")
    say(f"secret={issued.secret}")
