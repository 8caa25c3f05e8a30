"""The `prakerja` command: assembles the sub-commands and turns failures into one line."""

from __future__ import annotations

import os
import sys

import typer

from prakerja import __version__
from prakerja.cli import (
    accounts,
    exports,
    grievances,
    partners,
    payouts,
    reconciliation,
    recovery,
    serve,
    statistics,
    waves,
)
from prakerja.cli.common import DbOption, chosen_database, open_database, say, use_database
from prakerja.cli.imports import import_command, import_help

app = typer.Typer(
    name="prakerja",
    help="Run a training-voucher and cash-incentive program, and reconcile it every day.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("import", help=import_help())(import_command)
app.add_typer(waves.app, name="waves")
app.add_typer(exports.app, name="export")
app.add_typer(payouts.app, name="payouts")
app.command("reconcile")(reconciliation.reconcile_command)
app.add_typer(reconciliation.breaks_app, name="breaks")
reconciliation.register_exports(exports.app)
statistics.register_exports(exports.app)
recovery.register_exports(exports.app)
app.command("serve")(serve.serve_command)
app.add_typer(serve.providers_app, name="providers")
app.add_typer(grievances.app, name="grievances")
grievances.register_exports(exports.app)
app.add_typer(partners.app, name="partners")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.audit_app, name="audit")


@app.callback()
def choose_database(db: DbOption = None) -> None:
    """Run a training-voucher and cash-incentive program, and reconcile it every day."""
    use_database(db)


@app.command("version")
def version() -> None:
    """Print the program's version."""
    say(f"prakerja {__version__}")


@app.command("init")
def init(db: DbOption = None) -> None:
    """Create or migrate the database."""
    from prakerja.storage.migrate import HEAD_REVISION

    engine = open_database(db)
    where = engine.url.render_as_string(hide_password=True)
    say(f"database ready at schema {HEAD_REVISION}: {where}")


@app.command("demo")
def demo(
    participants: int = typer.Option(
        3000, "--participants", min=10, help="Applicants to simulate."
    ),
    seed: int = typer.Option(2020, "--seed", help="Seed of the simulation."),
    db: DbOption = None,
) -> None:
    """Simulate a whole program on synthetic data and print its summary."""
    from prakerja.demo.run import run_demo

    run_demo(db_url=chosen_database(db), participants=participants, seed=seed)


def run() -> None:
    """Entry point: run the command; on failure print one line (no traceback) and exit non-zero."""
    import click

    try:
        app(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        sys.stderr.write("error: aborted\n")
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as shown:
        sys.stdout.write(shown.format_message() + "\n")
        sys.exit(0)
    except click.ClickException as exc:
        sys.stderr.write(f"error: {exc.format_message()}\n")
        sys.exit(exc.exit_code)
    except Exception as exc:
        from prakerja.kit.errors import PrakerjaError

        if os.environ.get("PRAKERJA_DEBUG"):
            raise
        if isinstance(exc, PrakerjaError):
            sys.stderr.write(f"error: {exc.message}\n")
            sys.exit(2)
        # One line: drivers' messages run over several (SQLAlchemy adds a "Background" line).
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        sys.stderr.write(
            f"error: {type(exc).__name__}: {first} (set PRAKERJA_DEBUG=1 for details)\n"
        )
        sys.exit(1)
