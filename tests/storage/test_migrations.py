"""The migrations build exactly the schema the models describe, and HEAD_REVISION is current."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import tests.all_models  # noqa: F401 - registers every table on Base.metadata
from prakerja.storage.base import Base
from prakerja.storage.migrate import HEAD_REVISION, current_revision


def test_head_revision_constant_is_alembics_head():
    config = Config()
    config.set_main_option("script_location", "prakerja.storage:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrated_database_matches_the_models(engine):
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
