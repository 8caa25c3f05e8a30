"""`prakerja partners ...`: partners' access to the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say

app = typer.Typer(help="Partners: API tokens.", no_args_is_help=True)


@app.command("token")
def token_command(
    partner_code: Annotated[str, typer.Argument(help="The partner's code, e.g. OVO or TOKOPEDIA.")],
    kinds: Annotated[
        str,
        typer.Option("--kinds", help="Import kinds it may send, comma-separated."),
    ],
    db: DbOption = None,
) -> None:
    """Issue (or rotate) a partner's API token; the old token stops working at once."""
    from prakerja.partners.service import issue_token
    from prakerja.storage.db import unit_of_work

    engine = open_database(db)
    with unit_of_work(engine) as session:
        token = issue_token(session, partner_code=partner_code, kinds=kinds.split(","))
    say(f"partner_code={partner_code}")
    say(f"token={token}")
