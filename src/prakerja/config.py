"""The one place that reads the environment: every setting of the product."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "prakerja.db"
#: The environment variable naming the database (`Settings.database_url` reads it too).
DATABASE_URL_VARIABLE = "PRAKERJA_DATABASE_URL"
#: The development key used when PRAKERJA_SECRET_KEY is not set (demo and tests only).
DEFAULT_SECRET_KEY = "dev-only-change-me-0123456789abcdef"  # noqa: S105 - public by design
#: Largest request body by default (the redeem API's bodies and the pages' forms are tiny).
DEFAULT_BODY_LIMIT = 64 * 1024
#: Largest request body under a path prefix: partner uploads (100 MB) and their multipart framing.
DEFAULT_BODY_LIMITS = {"/api/v1/partner/files/": 100 * 1024 * 1024 + 1024 * 1024}


class Settings(BaseSettings):
    """Settings from `PRAKERJA_*` environment variables (or a `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="PRAKERJA_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the system of record; default: a SQLite file here.",
    )
    selection_seed: str = Field(
        default="prakerja-lottery-v1",
        description="Seed of the selection lottery; part of every wave's published draw.",
    )
    secret_key: str = Field(
        default=DEFAULT_SECRET_KEY,
        description="Key that encrypts provider secrets at rest; set it in production.",
    )
    scheme_dir: Path | None = Field(
        default=None,
        description="Folder of extra or overriding scheme YAML files.",
    )
    data_dir: Path = Field(
        default=Path("prakerja-data"),
        description=(
            "Folder of files the service receives (partners' uploads and their rejects, "
            "one folder per upload); a relative path is taken from where the service starts."
        ),
    )
    actor: str | None = Field(
        default=None,
        description="Name recorded in the audit trail; default: the operating-system user.",
    )
    fault_point: str | None = Field(
        default=None,
        description="Tests only: the fault point at which the process kills itself (SIGKILL).",
    )
    bulk_chunk_rows: int = Field(
        default=100_000,
        ge=1_000,
        description="Rows moved per chunk by bulk loads.",
    )

    request_body_limit: int = Field(
        default=DEFAULT_BODY_LIMIT,
        ge=1024,
        description="Largest request body (bytes) the HTTP service reads; larger ones get 413.",
    )
    request_body_limits: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_BODY_LIMITS),
        description="Largest request body (bytes) by path prefix, as JSON; longest prefix wins.",
    )
    escrow_account: str = Field(
        default="Rekening Dana Program Kartu Prakerja",
        max_length=200,
        description="The escrow account participants repay into, as shown to them.",
    )

    reconciliation_memory_limit: str = Field(
        default="1.5GB",
        description="Memory DuckDB may hold while reconciling before it spills to disk.",
    )
    notify_url: str | None = Field(
        default=None,
        description="URL each message to a participant is POSTed to as JSON; else the file.",
    )
    notify_file: Path = Field(
        default=Path("notifications.jsonl"),
        description="File each message to a participant is appended to (one JSON per line).",
    )
    notify_timeout_seconds: float = Field(
        default=3.0,
        gt=0,
        le=30,
        description="How long a POST to PRAKERJA_NOTIFY_URL may take before it counts as failed.",
    )

    spark_master: str = Field(
        default="local[*]",
        description="Spark master URL for `reconcile --engine spark` (local mode by default).",
    )
    spark_remote: str | None = Field(
        default=None,
        description="Spark Connect URL (sc://host:15002); when set, used instead of the master.",
    )
    spark_driver_memory: str = Field(
        default="2g",
        description="Memory of the Spark driver in local mode (the whole engine runs there).",
    )
    spark_facts_dir: Path | None = Field(
        default=None,
        description="Folder for the Parquet facts Spark reads; on a cluster, shared storage.",
    )
    duckdb_spill_dir: Path | None = Field(
        default=None,
        description="Folder under which DuckDB spills what exceeds its memory (default: the "
        "system's temporary folder); each process spills into a folder of its own there.",
    )

    @property
    def uses_default_secret_key(self) -> bool:
        """Return True when no secret key is set and the development key is in use."""
        return self.secret_key == DEFAULT_SECRET_KEY

    def resolved_database_url(self, override: str | None = None) -> str:
        """Return the database URL: the override, else the setting, else the local file."""
        if override:
            return override
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
