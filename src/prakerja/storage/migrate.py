"""Create or migrate the database to the newest schema (Alembic, programmatically)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from prakerja.kit.errors import PrakerjaError

#: The newest migration; a test checks it is Alembic's head.
HEAD_REVISION = "0018_queue_watermark"


def _sequence(revision: str) -> int | None:
    """Return a revision's number (`0005` of `0005_payouts_files_and_cancels`), if it has one."""
    number = revision.split("_", 1)[0]
    return int(number) if number.isdigit() else None


def _alembic_config() -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "prakerja.storage:migrations")
    return config


def current_revision(engine: Engine) -> str | None:
    """Return the schema revision the database is at, or None when it is empty."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks, in one transaction per migration run."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection  # type: ignore[attr-defined]
        command.upgrade(config, "head")  # type: ignore[arg-type]


def ensure_current(engine: Engine) -> None:
    """Bring an empty or older database up to date; refuse one newer than this program."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return
    if revision is not None:
        number, head = _sequence(revision), _sequence(HEAD_REVISION)
        if number is None or head is None:
            raise PrakerjaError(f"database schema {revision!r} is not one this program knows")
        if number > head:
            raise PrakerjaError(
                f"database schema {revision} is newer than this program ({HEAD_REVISION}); "
                "upgrade prakerja"
            )
    upgrade(engine)
