"""Shared fixtures: one migrated database per test worker, emptied before every test.

The suite runs on the embedded SQLite default, or on PostgreSQL when
PRAKERJA_TEST_DATABASE_URL is set; there each worker gets a fresh schema of
its own, dropped at the end, so that runs never see each other's rows.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.orm import Session

from prakerja.storage.db import make_engine, session_factory
from prakerja.storage.migrate import upgrade

POSTGRES_URL = os.environ.get("PRAKERJA_TEST_DATABASE_URL")


def _postgres_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def empty_database(folder: Path, name: str) -> Iterator[str]:
    """The URL of an empty database of its own: a SQLite file in `folder`, or a new
    PostgreSQL schema named after `name` (dropped on leaving)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    schema = f"{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(POSTGRES_URL).url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A migrated database for this worker: a SQLite file, or a fresh PostgreSQL schema."""
    with empty_database(tmp_path_factory.mktemp("db"), f"prakerja_test_{worker_id}") as url:
        upgrade(make_engine(url))
        yield url


@pytest.fixture(scope="session")
def _shared_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every table (the schema stays)."""
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in names)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for name in names:
                connection.execute(text(f'DELETE FROM "{name}"'))
            connection.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture
def engine(_shared_engine: Engine) -> Engine:
    """The worker's database, emptied for this test."""
    empty_all_tables(_shared_engine)
    return _shared_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the emptied database; the test commits (or not) as a command would."""
    with session_factory(engine)() as current:
        yield current


@dataclass(frozen=True)
class CliResult:
    """What a `prakerja` command printed and how it exited."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(database_url: str, engine: Engine) -> object:
    """Run `prakerja ...` in-process against the test database, as an operator would."""
    from prakerja.cli.main import run

    def invoke(*args: str | Path, db: bool = True) -> CliResult:
        argv = ["prakerja", *(str(arg) for arg in args)]
        if db:
            argv += ["--db", database_url]
        out, err = io.StringIO(), io.StringIO()
        code = 0
        old_argv = sys.argv
        sys.argv = argv
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                run()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            sys.argv = old_argv
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke


@pytest.fixture
def live_server(engine: Engine) -> Iterator[str]:
    """The whole HTTP service on a free loopback port over the test database; yields its URL."""
    import socket
    import threading
    import time

    import uvicorn

    from prakerja.server import create_service

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_service(engine), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the HTTP service did not start within 30 s")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    listener.close()


#: Chromium flags for a closed network: no background connections, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Laptop and phone widths every page is looked at in.
VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(
    os.environ.get("PRAKERJA_SCREENSHOTS", Path(__file__).parent.parent / "screenshots")
)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the whole run (per test worker), driven by Playwright."""
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot() -> object:
    """Save a page's full screenshot at laptop and phone widths as screenshots/NAME-WIDTH.png."""

    def take(page: object, name: str) -> list[Path]:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        saved = []
        for width_name, size in VIEWPORTS.items():
            page.set_viewport_size(size)  # type: ignore[attr-defined]
            path = SCREENSHOTS / f"{name}-{width_name}.png"
            page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
            saved.append(path)
        page.set_viewport_size(VIEWPORTS["laptop"])  # type: ignore[attr-defined]
        return saved

    return take


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The participants' notification file, set through PRAKERJA_NOTIFY_FILE."""
    from prakerja.config import get_settings

    path = tmp_path / "notifications.jsonl"
    monkeypatch.setenv("PRAKERJA_NOTIFY_FILE", str(path))
    monkeypatch.delenv("PRAKERJA_NOTIFY_URL", raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()
