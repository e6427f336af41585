"""The test databases built once and copied (helpdesk.testing_snapshots).

Each case builds apps one after another, as tests do: on PostgreSQL every app
of a process uses the same database.
"""

from contextlib import contextmanager

from sqlalchemy import func
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose
from helpdesk.testing import reuse_database

NAME = "tests.helpdesk.test_testing_snapshots.tenants"


def write_tenants(app, calls, slugs=("uno", "dos")):
    def build():
        calls.append(1)
        with app.app_context():
            for slug in slugs:
                db.session.add(Tenant(slug=slug, name=slug.title()))
            db.session.commit()
            ids = db.session.scalars(select(Tenant.id).where(Tenant.slug.in_(slugs))).all()
            return {"ids": sorted(ids)}

    return build


def names(app):
    with app.app_context():
        return dict(db.session.execute(select(Tenant.slug, Tenant.name)).all())


@contextmanager
def fresh_app(tmp_path, name):
    app = build_test_app(tmp_path / name)
    try:
        yield app
    finally:
        dispose(app)


def test_a_later_app_gets_a_copy_with_the_same_rows_and_result(tmp_path):
    calls = []
    with fresh_app(tmp_path, "first") as app:
        built = reuse_database(app, NAME, write_tenants(app, calls))
        built_names = names(app)
    calls.clear()
    with fresh_app(tmp_path, "second") as app:
        copied = reuse_database(app, NAME, write_tenants(app, calls))
        assert calls == []
        assert copied == built
        assert names(app) == built_names == {"uno": "Uno", "dos": "Dos"}
        with app.app_context():
            assert sorted(db.session.scalars(select(Tenant.id))) == copied["ids"]


def test_the_result_is_each_tests_own(tmp_path):
    with fresh_app(tmp_path, "first") as app:
        reuse_database(app, NAME, write_tenants(app, []))["ids"].append(99)
    with fresh_app(tmp_path, "second") as app:
        assert 99 not in reuse_database(app, NAME, write_tenants(app, []))["ids"]


def test_a_database_changed_before_gets_the_real_build(tmp_path):
    with fresh_app(tmp_path, "warm") as app:
        reuse_database(app, NAME, write_tenants(app, []))
    calls = []
    with fresh_app(tmp_path, "changed") as app:
        with app.app_context():
            db.session.add(Tenant(slug="antes", name="Antes"))
            db.session.commit()
        reuse_database(app, NAME, write_tenants(app, calls))
        assert calls == [1]
        assert names(app) == {"antes": "Antes", "uno": "Uno", "dos": "Dos"}


def test_a_row_changed_before_is_not_undone_by_a_copy(tmp_path):
    first, second = "tests.snapshots.first-step", "tests.snapshots.second-step"
    with fresh_app(tmp_path, "warm") as app:
        reuse_database(app, first, write_tenants(app, [], slugs=("tres",)))
        reuse_database(app, second, write_tenants(app, [], slugs=("cuatro",)))
    calls = []
    with fresh_app(tmp_path, "changed") as app:
        # Both steps are saved; between them a row changes and the counts do not.
        reuse_database(app, first, write_tenants(app, [], slugs=("tres",)))
        with app.app_context():
            db.session.scalar(select(Tenant).where(Tenant.slug == "tres")).name = "Cambiado"
            db.session.commit()
        reuse_database(app, second, write_tenants(app, calls, slugs=("cuatro",)))
        assert calls == [1]
        assert names(app) == {"tres": "Cambiado", "cuatro": "Cuatro"}


def test_two_builds_under_one_name_do_not_share(tmp_path):
    with fresh_app(tmp_path, "first") as app:
        reuse_database(app, "tests.snapshots.same-name", write_tenants(app, [], slugs=("a",)))
    with fresh_app(tmp_path, "second") as app:

        def other_build():
            with app.app_context():
                db.session.add(Tenant(slug="b", name="B"))
                db.session.commit()

        reuse_database(app, "tests.snapshots.same-name", other_build)
        assert names(app) == {"b": "B"}


def test_each_app_starts_empty_with_ids_from_one(tmp_path):
    with fresh_app(tmp_path, "first") as app:
        with app.app_context():
            db.session.add_all([Tenant(slug="x", name="X"), Tenant(slug="z", name="Z")])
            db.session.commit()
    with fresh_app(tmp_path, "second") as app:
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0
            db.session.add(Tenant(slug="y", name="Y"))
            db.session.commit()
            assert db.session.scalar(select(Tenant.id)) == 1
