"""`prakerja users ...` (staff accounts) and `prakerja audit verify` (the trail's hash chain)."""

from __future__ import annotations

from typing import Annotated

import typer

from prakerja.cli.common import DbOption, open_database, say

users_app = typer.Typer(help="Staff accounts of the pages: add, disable.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: verify its hash chain.", no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="The account's username.")]


@users_app.command("add")
def add_user(
    username: Username,
    role: Annotated[
        str, typer.Option("--role", help="ADMIN, OPERATOR, FINANCE, AUDITOR or PARTNER.")
    ],
    partner: Annotated[
        str | None, typer.Option("--partner", help="The partner's code (PARTNER only).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an account; print its username and its random password (shown only this once)."""
    from prakerja.accounts.service import add_account
    from prakerja.storage.db import unit_of_work

    engine = open_database(db)
    with unit_of_work(engine) as session:
        added = add_account(session, username=username, role=role, partner_code=partner)
    say(f"username={added.username}")
    say(f"password={added.password}")


@users_app.command("disable")
def disable_user(username: Username, db: DbOption = None) -> None:
    """Stop an account from signing in and end its open sessions."""
    from prakerja.accounts.service import disable_account
    from prakerja.storage.db import unit_of_work

    engine = open_database(db)
    with unit_of_work(engine) as session:
        ended = disable_account(session, username=username)
    say(f"disabled {username.strip().lower()}; {ended} open session(s) ended")


@audit_app.command("verify")
def verify_command(db: DbOption = None) -> None:
    """Walk the audit trail's hash chain; name the first record that does not fit."""
    from prakerja.audit.service import verify
    from prakerja.storage.db import unit_of_work

    engine = open_database(db)
    with unit_of_work(engine) as session:
        fitting, mismatch = verify(session)
    if mismatch is None:
        say(f"audit trail verified: {fitting} records, chain intact")
        return
    from prakerja.kit.errors import PrakerjaError

    say(f"audit trail broken at record {mismatch.event_id} ({fitting} records before it fit)")
    raise PrakerjaError(f"audit record {mismatch.event_id} does not fit: {mismatch.why}")
