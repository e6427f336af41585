"""The migrations build exactly the schema the models declare, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.testing import dispose
from helpdesk.testing import make_test_config
from helpdesk.testing import mark_postgresql_schema_dirty
from helpdesk.testing import reset_postgresql_schema
from helpdesk.testing import uses_postgresql


@pytest.fixture
def empty_app(tmp_path):
    app = create_app(make_test_config(tmp_path))
    if uses_postgresql():
        with app.app_context(), db.engine.begin() as connection:
            reset_postgresql_schema(connection)
    yield app
    if uses_postgresql():
        with app.app_context(), db.engine.begin() as connection:
            reset_postgresql_schema(connection)
        mark_postgresql_schema_dirty()
    dispose(app)


def _differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(empty_app):
    with empty_app.app_context():
        upgrade()
    assert _differences(empty_app) == []


def test_migrations_downgrade_to_nothing_and_back(empty_app):
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
    assert _differences(empty_app) == []


def test_init_db_command_creates_the_schema(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"tenant", "unit", "department", "user", "role_membership", "tenant_service"} <= tables


def test_upgrade_keeps_the_step_measures_already_counted(empty_app):
    # Revision 8e4f1c2b7a93 renames tallied_step to tallied_measure: a database
    # upgraded past the step counts must not count its step measures again.
    with empty_app.app_context():
        upgrade(revision="5d7e2a91c4b0")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO tallied_step (measure) VALUES ('returned/needs_completion')"
            )
        upgrade()
        with db.engine.connect() as connection:
            kept = connection.exec_driver_sql("SELECT measure FROM tallied_measure").all()
        assert kept == [("returned/needs_completion",)]
        assert "tallied_step" not in inspect(db.engine).get_table_names()
        downgrade(revision="5d7e2a91c4b0")
        with db.engine.connect() as connection:
            back = connection.exec_driver_sql("SELECT measure FROM tallied_step").all()
        assert back == [("returned/needs_completion",)]
