"""The plugins' periodic jobs: declared by a hook, run per tenant, scheduled three ways."""

from __future__ import annotations

import json
import time
import types

import pytest
from flask import g
from sqlalchemy import select

from helpdesk import hookimpl
from helpdesk import jobs
from helpdesk import periodic
from helpdesk.catalog import CatalogError
from helpdesk.catalog import PeriodicJob
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import Unit
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose
from helpdesk.testing import redis_url

needs_redis = pytest.mark.skipif(not redis_url(), reason="needs HELPDESK_TEST_REDIS_URL")
SEEN: list[tuple[str, int]] = []


def count_units(tenant):
    """Records the tenant and how many units its scoped query sees."""
    if tenant.slug == "broken":
        raise RuntimeError("sin conexión")
    SEEN.append((g.tenant.slug, len(db.session.scalars(select(Unit)).all())))


COUNT_UNITS = PeriodicJob(
    name="count-units", title="Cuenta unidades", every_seconds=600, run=count_units
)


def plugin(*found):
    module = types.ModuleType("periodic_plugin")

    @hookimpl
    def helpdesk_periodic_jobs():
        return list(found)

    module.helpdesk_periodic_jobs = helpdesk_periodic_jobs
    return module


def with_job(**config):
    # Without the service plugins: only this test's job is declared.
    return {
        "HELPDESK_LOAD_PLUGINS": [],
        "HELPDESK_PLUGIN_OBJECTS": [("periodic", plugin(COUNT_UNITS))],
        **config,
    }


@pytest.fixture(autouse=True)
def forget():
    SEEN.clear()


@pytest.mark.parametrize("app_config", [with_job()])
def test_hook_helpdesk_periodic_jobs(app):
    found = app.extensions["helpdesk"].periodic_jobs
    assert list(found) == ["count-units"]
    assert found["count-units"].plugin == "periodic"


@pytest.mark.parametrize("app_config", [with_job()])
def test_each_active_tenant_runs_in_its_own_scope(demo):
    with demo.app_context():
        units = {
            tenant.slug: len(
                db.session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)).all()
            )
            for tenant in db.session.scalars(select(Tenant))
        }
        result = periodic.run_named("count-units")
    assert sorted(SEEN) == sorted(units.items())
    assert sorted(result.done) == sorted(units) and result.failed == {}


@pytest.mark.parametrize("app_config", [with_job()])
def test_a_failing_tenant_does_not_stop_the_others(demo):
    with demo.app_context():
        db.session.add(Tenant(slug="broken", name="Gobierno roto"))
        db.session.commit()
        result = periodic.run_named("count-units")
    assert result.failed == {"broken": "RuntimeError: sin conexión"}
    assert len(result.done) == 3 and len(SEEN) == 3


def test_wrong_declarations_stop_start_up(tmp_path):
    other = PeriodicJob(name="count-units", title="Otra", every_seconds=600, run=count_units)
    with pytest.raises(CatalogError, match="'first' and 'second'"):
        build_test_app(
            tmp_path / "a",
            HELPDESK_PLUGIN_OBJECTS=[("first", plugin(COUNT_UNITS)), ("second", plugin(other))],
        )
    with pytest.raises(CatalogError, match="returned"):
        build_test_app(tmp_path / "b", HELPDESK_PLUGIN_OBJECTS=[("bad", plugin("nope"))])
    with pytest.raises(CatalogError, match="once a minute"):
        PeriodicJob(name="fast", title="x", every_seconds=5, run=count_units)
    with pytest.raises(CatalogError, match="invalid periodic job name"):
        PeriodicJob(name="no spaces", title="x", every_seconds=60, run=count_units)


@pytest.mark.parametrize("app_config", [with_job()])
def test_cli_lists_and_runs(demo):
    runner = demo.test_cli_runner()
    listing = runner.invoke(args=["periodic", "list"])
    assert "count-units" in listing.output and "cada    600 s" in listing.output
    result = runner.invoke(args=["periodic", "run", "count-units", "--tenant", "chalco", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"count-units": {"done": ["chalco"], "failed": {}}}
    assert [slug for slug, _ in SEEN] == ["chalco"]
    unknown = runner.invoke(args=["periodic", "run", "nada"])
    assert unknown.exit_code == 2 and "no existe el trabajo «nada» (hay: count-units)" in (
        unknown.output
    )
    with demo.app_context():
        db.session.add(Tenant(slug="broken", name="Gobierno roto"))
        db.session.commit()
    failing = runner.invoke(args=["periodic", "run"])
    assert failing.exit_code == 1 and "broken: RuntimeError: sin conexión" in failing.output


def test_in_process_runs_after_a_response_at_most_once_per_interval(tmp_path, monkeypatch):
    app = build_test_app(tmp_path, **with_job(HELPDESK_REDIS_URL=None, HELPDESK_PERIODIC_JOBS=True))
    try:
        client = app.test_client()
        client.get("/login").close()
        assert len(SEEN) == 0  # no tenant yet: nothing to run for
        from helpdesk import demo as demo_data
        from helpdesk import plugins

        with app.app_context():
            demo_data.load(plugins.host().catalog)
        later = time.monotonic() + 601
        monkeypatch.setattr(jobs.time, "monotonic", lambda: later)
        client.get("/login").close()
        assert len(SEEN) == 3
        client.get("/login").close()
        assert len(SEEN) == 3  # within the interval
    finally:
        dispose(app)


def test_nothing_runs_in_process_when_switched_off(tmp_path):
    app = build_test_app(
        tmp_path, **with_job(HELPDESK_REDIS_URL=None, HELPDESK_PERIODIC_JOBS=False)
    )
    try:
        from helpdesk import demo as demo_data
        from helpdesk import plugins

        with app.app_context():
            demo_data.load(plugins.host().catalog)
        app.test_client().get("/login").close()
        assert SEEN == []
    finally:
        dispose(app)


@needs_redis
@pytest.mark.parametrize("app_config", [with_job(HELPDESK_PERIODIC_JOBS=True)])
def test_a_worker_runs_the_job_and_schedules_the_next(demo):
    queue = jobs.queue(demo)
    job_id = jobs.periodic_job_id(demo, "count-units")
    try:
        scheduled = jobs.schedule_periodic_job(demo, COUNT_UNITS, delay=600)
        assert scheduled.id == job_id
        assert queue.scheduled_job_registry.get_job_ids() == [job_id]
        run = queue.enqueue(jobs.run_periodic_job, "count-units")
        with demo.app_context():
            # The help desk's SimpleWorker: rq's could hang 60 s on its way out.
            worker = jobs.worker_class(simple=True)([queue], connection=queue.connection)
            assert worker.work(burst=True) is True
        assert run.get_status() == "finished"
        assert run.return_value()["failed"] == {} and len(run.return_value()["done"]) == 3
        assert queue.scheduled_job_registry.get_job_ids() == [job_id]
    finally:
        connection = queue.connection
        doomed = set(connection.keys(f"rq:*{queue.name}*")) | set(connection.keys(f"rq:*{job_id}*"))
        if doomed:
            connection.delete(*doomed)
        connection.srem("rq:queues", queue.key)
