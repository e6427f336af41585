"""Test databases built once per process and copied into each test (issue 16).

Every test gets an app of its own on a database of its own; building that
database is what the suite spent its time on. So the schema, the demo and a
module's book of tickets are each built the first time they are asked for,
saved, and afterwards copied in: a file copy on SQLite, rows copied from a
saved schema on PostgreSQL. A copy is used only when the database is exactly
as the saved steps left it (every table's row count is compared), so a test
that wrote something first gets the real build, never a wrong copy.
"""

from __future__ import annotations

import atexit
import copy
import itertools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy import text

from helpdesk import tallies
from helpdesk.extensions import db

SNAPSHOT_SCHEMA_PREFIX = "helpdesk_snapshot_"

# PostgreSQL: whether the public schema of this process's database matches the
# models (built once per process, then only emptied).
schema_ready = False


@dataclass
class _Saved:
    """One saved state: where its copy lives and what building it returned."""

    copy: str  # a file (SQLite) or a schema (PostgreSQL)
    instance: Path  # the app's instance folder as the build left it (mail, uploads)
    result: Any
    # PostgreSQL: (table, column, sequence) of each serial key, set past the copied rows.
    sequences: tuple[tuple[str, str, str], ...] = ()


_saved: dict[tuple[Any, ...], _Saved] = {}
_folder: list[Path] = []
# Copies are numbered for good: after a migration test the saved ones are dropped.
_numbers = itertools.count()


def _store() -> Path:
    if not _folder:
        folder = Path(tempfile.mkdtemp(prefix="helpdesk-test-databases-"))
        atexit.register(shutil.rmtree, folder, True)
        _folder.append(folder)
    return _folder[0]


def _plugins_of(app: Flask) -> tuple[tuple[str, int], ...]:
    # The schema's counted measures and the demo's services follow the plugins;
    # a module is the same object in every app, a plugin made by a test is not.
    pm = app.extensions["helpdesk"].pm
    return tuple(
        sorted((str(pm.get_canonical_name(plugin)), id(plugin)) for plugin in pm.get_plugins())
    )


def _state(app: Flask) -> dict[str, Any]:
    return app.extensions["helpdesk_testing"]


def _unsynced_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # A test database is thrown away: nothing needs to survive a power cut, so
    # no commit waits for the disk.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA journal_mode=MEMORY")
    cursor.close()


def _sqlite_path() -> Path | None:
    name = db.engine.url.database
    return Path(name) if name and name != ":memory:" else None


def _fingerprint() -> tuple[Any, ...]:
    """What the database holds, cheaply: a copy is used only when this is unchanged.

    SQLite counts every committed write in the file's header (the change
    counter at offset 24, kept in rollback-journal modes such as MEMORY);
    PostgreSQL gets a digest of every row of every table.
    """
    if db.engine.dialect.name == "sqlite":
        path = _sqlite_path()
        if path is not None:
            with path.open("rb") as database:
                database.seek(24)
                return (database.read(4),)
    digests = ", ".join(
        f"(SELECT md5(coalesce(string_agg(md5(row::text), '' ORDER BY md5(row::text)), '')) "
        f'FROM "{table.name}" AS row)'
        for table in _tables()
    )
    return tuple(db.session.execute(text(f"SELECT {digests}")).one())


def _tables() -> list[Any]:
    return list(db.metadata.sorted_tables)


def _release() -> None:
    db.session.remove()
    db.engine.dispose()
    if db.engine.pool.checkedout():
        # The file is about to be replaced under a connection still in use.
        raise RuntimeError(
            "reuse_database() and the app fixture's copies need every session closed: "
            "call it outside an app context that has used the database"
        )


def prepare(app: Flask) -> None:
    """Give a fresh test app its empty schema, as ``helpdesk init-db`` leaves it."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _unsynced_sqlite)
            _prepare_sqlite(app)
        else:
            _prepare_postgresql()
            _count_measures()
        app.extensions["helpdesk_testing"] = {"steps": (), "fingerprint": _fingerprint()}
        db.session.remove()


def _build_schema() -> None:
    db.create_all()
    _count_measures()


def _count_measures() -> None:
    # As `helpdesk init-db` does after creating the schema: the step measures
    # of the installed plugins are counted from the first ticket.
    tallies.count_missing()
    db.session.commit()


def _prepare_sqlite(app: Flask) -> None:
    path = _sqlite_path()
    key = ("schema", _plugins_of(app))
    saved = _saved.get(key)
    if path is None:
        _build_schema()
    elif saved is not None:
        _release()
        shutil.copyfile(saved.copy, path)
    else:
        _build_schema()
        _release()
        copy = _store() / f"{next(_numbers)}.sqlite3"
        shutil.copyfile(path, copy)
        _saved[key] = _Saved(copy=str(copy), instance=_store() / "none", result=None)


def _prepare_postgresql() -> None:
    global schema_ready
    with db.engine.begin() as connection:
        if not schema_ready:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            # Copies saved by an earlier run (or before a migration test) no
            # longer match the models.
            stale = connection.scalars(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :prefix"),
                {"prefix": f"{SNAPSHOT_SCHEMA_PREFIX}%"},
            ).all()
            for schema in stale:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            for key in [key for key in _saved if key[0] != "schema"]:
                del _saved[key]
        else:
            connection.exec_driver_sql(_emptying(connection))
    if not schema_ready:
        db.create_all()
        schema_ready = True


def _emptying(connection: Any) -> str:
    """The statements that empty the tables, as a fresh schema has them.

    TRUNCATE of every table cost 70-100 ms a test (new files for each table);
    a test fills a few small tables, so those are deleted, children first, and
    every sequence starts again at 1 as after ``TRUNCATE … RESTART IDENTITY``.
    """
    tables = _tables()
    counts = ", ".join(f'(SELECT count(*) FROM public."{table.name}")' for table in tables)
    filled = connection.execute(text(f"SELECT {counts}")).one()
    statements = [
        f'DELETE FROM public."{table.name}"'
        for table, rows in reversed(list(zip(tables, filled, strict=True)))
        if rows
    ]
    sequences = connection.scalars(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    ).all()
    statements += [f"SELECT setval('public.\"{name}\"', 1, false)" for name in sequences]
    return ";\n".join(statements) or "SELECT 1"


def reuse(app: Flask, name: str, build: Callable[[], Any]) -> Any:
    """Run ``build()`` on the app's database, or copy in what it left the last time.

    :param name: what the build makes ("demo", a support module's book); with
        the plugins and the steps taken before, it names the saved copy.
    :param build: writes the data (and commits) and returns plain values (ids,
        never ORM objects); they are returned again, copied, with each copy.
        What it leaves outside the database and the instance folder (jobs
        queued in Redis, objects in memory) is not copied.
    :return: what ``build()`` returned.
    """
    state = _state(app)
    with app.app_context():
        current = _fingerprint()
        db.session.remove()
        if state["steps"] is None or current != state["fingerprint"]:
            # Something else wrote since the last saved step: build for real.
            state["steps"] = None
            return build()
        key = (*state["steps"], name, _builder(build), _plugins_of(app), _settings_of(app))
        saved = _saved.get(key)
        if saved is not None:
            _restore(app, saved)
        else:
            saved = _save(app, build())
            _saved[key] = saved
        state["steps"] = (*state["steps"], name)
        state["fingerprint"] = _fingerprint()
        db.session.remove()
        # Each test gets its own copy: one that changes the ids it got cannot
        # change another's.
        return copy.deepcopy(saved.result)


def _builder(build: Callable[[], Any]) -> str:
    # Two builds given the same name by mistake never share a copy.
    return f"{getattr(build, '__module__', '')}.{getattr(build, '__qualname__', repr(build))}"


def _settings_of(app: Flask) -> tuple[Any, ...]:
    # What a build's rows depend on besides the plugins: how passwords are
    # hashed, the zone and language, and the day (a test may travel in time).
    return (
        app.config.get("HELPDESK_PASSWORD_METHOD"),
        app.config.get("HELPDESK_TIMEZONE"),
        app.config.get("BABEL_DEFAULT_LOCALE"),
        datetime.now(UTC).date(),
    )


def _save(app: Flask, result: Any) -> _Saved:
    number = next(_numbers)
    instance = _store() / f"{number}.instance"
    if Path(app.instance_path).is_dir():
        shutil.copytree(app.instance_path, instance)
    if db.engine.dialect.name == "sqlite":
        _release()
        copy = _store() / f"{number}.sqlite3"
        shutil.copyfile(_sqlite_path(), copy)
        return _Saved(copy=str(copy), instance=instance, result=result)
    schema = f"{SNAPSHOT_SCHEMA_PREFIX}{number}"
    sequences = []
    with db.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        for table in _tables():
            connection.execute(
                text(f'CREATE TABLE "{schema}"."{table.name}" AS TABLE public."{table.name}"')
            )
            for column in table.primary_key.columns:
                sequence = connection.scalar(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": f'public."{table.name}"', "column": column.name},
                )
                if sequence:
                    sequences.append((table.name, column.name, sequence))
    db.session.remove()
    return _Saved(copy=schema, instance=instance, result=result, sequences=tuple(sequences))


def _restore(app: Flask, saved: _Saved) -> None:
    if saved.instance.is_dir():
        shutil.copytree(saved.instance, app.instance_path, dirs_exist_ok=True)
    if db.engine.dialect.name == "sqlite":
        _release()
        shutil.copyfile(saved.copy, _sqlite_path())
        return
    statements = [
        f'INSERT INTO public."{table.name}" SELECT * FROM "{saved.copy}"."{table.name}"'
        for table in _tables()
    ]
    statements += [
        f"SELECT setval('{sequence}', "
        f'coalesce((SELECT max("{column}") FROM public."{table}"), 0) + 1, false)'
        for table, column, sequence in saved.sequences
    ]
    with db.engine.begin() as connection:
        # Two round trips for the whole copy: what is there, then empty and fill.
        connection.exec_driver_sql(";\n".join([_emptying(connection), *statements]))
    db.session.remove()
