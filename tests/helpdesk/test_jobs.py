"""Background jobs (helpdesk/jobs.py): the in-process sweep, rq and `helpdesk worker`.

The rq tests need a real Redis and run only with HELPDESK_TEST_REDIS_URL set;
every test app has its own queue name, and its keys are removed afterwards.
"""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk import jobs
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.testing import redis_url

needs_redis = pytest.mark.skipif(not redis_url(), reason="needs HELPDESK_TEST_REDIS_URL")
# The web tier's own settings, whatever the test run provides.
NO_REDIS = {"HELPDESK_REDIS_URL": None}
IN_PROCESS = {"HELPDESK_REDIS_URL": None, "HELPDESK_SLA_SWEEP_SECONDS": 60}


# --- helpers ------------------------------------------------------------------------------


def overdue_ticket(app, make_ticket):
    """A SAMPLE-01 ticket whose respond clock fell due an hour ago; returns (id, folio)."""
    ticket_id = make_ticket("SAMPLE-01")
    moment = datetime.now(UTC)
    with app.app_context():
        clock = db.session.scalar(select(SlaClock).where(SlaClock.ticket_id == ticket_id))
        clock.risk_at = moment - timedelta(hours=2)
        clock.due_at = moment - timedelta(hours=1)
        db.session.commit()
        return ticket_id, db.session.get(Ticket, ticket_id).folio


def alerted(app, ticket_id):
    with app.app_context():
        return db.session.scalar(select(SlaClock.alerted).where(SlaClock.ticket_id == ticket_id))


def sla_transitions(app, ticket_id):
    with app.app_context():
        return list(
            db.session.scalars(
                select(TicketEvent.transition)
                .where(TicketEvent.ticket_id == ticket_id, TicketEvent.transition.like("sla_%"))
                .order_by(TicketEvent.seq)
            )
        )


def get(client, url="/login"):
    """One request, its response closed as a server closes it once sent."""
    response = client.get(url)
    assert response.status_code == 200
    response.close()
    return response


# --- without Redis ------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_worker_without_redis_explains_and_fails(runner) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "HELPDESK_REDIS_URL no está configurada" in result.output
    assert "no hace falta un worker" in result.output


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_run_sla_sweep_sweeps_in_the_callers_app(demo, make_ticket) -> None:
    ticket_id, folio = overdue_ticket(demo, make_ticket)
    with demo.app_context():
        assert jobs.run_sla_sweep() == {"at_risk": [], "breached": [f"{folio}:respond"]}
        assert jobs.run_sla_sweep() == {"at_risk": [], "breached": []}
    assert alerted(demo, ticket_id) == "breached"
    assert sla_transitions(demo, ticket_id) == ["sla_breached"]


@pytest.mark.parametrize("app_config", [IN_PROCESS])
def test_in_process_sweep_runs_after_a_response_at_most_once_per_interval(
    demo, make_ticket, client, monkeypatch
) -> None:
    first, _ = overdue_ticket(demo, make_ticket)
    get(client)
    assert alerted(demo, first) == "breached"
    assert sla_transitions(demo, first) == ["sla_breached"]

    # Within the interval another request sweeps nothing.
    second, _ = overdue_ticket(demo, make_ticket)
    get(client)
    get(client, "/chalco/")
    assert alerted(demo, second) == ""
    assert sla_transitions(demo, second) == []

    # Once the interval has passed, the next request sweeps again.
    later = time.monotonic() + 61
    monkeypatch.setattr(jobs.time, "monotonic", lambda: later)
    get(client)
    assert alerted(demo, second) == "breached"
    assert sla_transitions(demo, second) == ["sla_breached"]
    assert sla_transitions(demo, first) == ["sla_breached"]


@pytest.mark.parametrize(
    "app_config",
    [
        {"HELPDESK_REDIS_URL": None, "HELPDESK_SLA_SWEEP_SECONDS": 0},
        # With Redis the worker sweeps; the web tier never does (never connected here).
        {"HELPDESK_REDIS_URL": "redis://127.0.0.1:1/0", "HELPDESK_SLA_SWEEP_SECONDS": 60},
    ],
    ids=["interval-0", "redis"],
)
def test_no_in_process_sweep_when_disabled_or_with_redis(demo, make_ticket, client) -> None:
    ticket_id, _ = overdue_ticket(demo, make_ticket)
    get(client)
    get(client, "/chalco/")
    assert alerted(demo, ticket_id) == ""
    assert sla_transitions(demo, ticket_id) == []


# --- with Redis ---------------------------------------------------------------------------


@pytest.fixture
def rq_queue(app):
    """The test app's queue; its keys (and its sweep job) are removed afterwards."""
    queue = jobs.queue(app)
    connection = queue.connection
    before = set(connection.keys("*"))
    yield queue
    job_ids = set(connection.lrange(queue.key, 0, -1))
    for key in connection.keys(f"rq:*{queue.name}*"):
        if connection.type(key) == b"zset":
            job_ids.update(connection.zrange(key, 0, -1))
    job_ids = {job_id.decode() for job_id in job_ids}
    job_ids.add(sweep_id(queue))
    doomed = set(connection.keys(f"rq:*{queue.name}*"))
    for key in connection.keys("rq:worker:*"):  # workers that served only this queue
        if (
            connection.type(key) == b"hash"
            and connection.hget(key, "queues") == queue.name.encode()
        ):
            doomed.add(key)
    for job_id in job_ids:
        doomed.update(connection.keys(f"rq:*{job_id}*"))
    if doomed:
        connection.delete(*doomed)
    connection.srem("rq:queues", queue.key)
    left = {key for key in set(connection.keys("*")) - before if queue.name.encode() in key}
    assert left == set()


def scheduled(queue):
    registry = queue.scheduled_job_registry
    return {job_id: registry.get_scheduled_time(job_id) for job_id in registry.get_job_ids()}


def sweep_id(queue):
    return f"{jobs.SWEEP_JOB_ID}-{queue.name}"


def near(moment, expected):
    return abs((moment - expected).total_seconds()) <= 2


@needs_redis
@pytest.mark.parametrize("app_config", [{"HELPDESK_SLA_SWEEP_SECONDS": 300}])
def test_scheduling_twice_keeps_one_pending_sweep(app, rq_queue) -> None:
    first = jobs.schedule_sla_sweep(app, delay=300)
    second = jobs.schedule_sla_sweep(app, delay=600)
    assert first.id == second.id == sweep_id(rq_queue)
    pending = scheduled(rq_queue)
    assert list(pending) == [sweep_id(rq_queue)]
    assert near(pending[sweep_id(rq_queue)], datetime.now(UTC) + timedelta(seconds=600))
    assert rq_queue.count == 0  # nothing runnable yet
    job = rq_queue.fetch_job(sweep_id(rq_queue))
    assert job.func_name == "helpdesk.jobs.run_sla_sweep"
    assert job.origin == rq_queue.name


@needs_redis
@pytest.mark.parametrize("app_config", [{"HELPDESK_SLA_SWEEP_SECONDS": 300}])
def test_a_worker_runs_the_sweep_and_schedules_the_next(demo, make_ticket, rq_queue) -> None:
    ticket_id, folio = overdue_ticket(demo, make_ticket)
    job = rq_queue.enqueue(jobs.run_sla_sweep)
    with demo.app_context():
        # The help desk's SimpleWorker: rq's could hang 60 s on its way out.
        worker = jobs.worker_class(simple=True)(
            [rq_queue], connection=rq_queue.connection, name=f"{rq_queue.name}-worker"
        )
        assert worker.work(burst=True) is True
    assert job.get_status() == "finished"
    assert job.return_value() == {"at_risk": [], "breached": [f"{folio}:respond"]}
    assert alerted(demo, ticket_id) == "breached"
    assert sla_transitions(demo, ticket_id) == ["sla_breached"]
    pending = scheduled(rq_queue)
    assert list(pending) == [sweep_id(rq_queue)]
    assert near(pending[sweep_id(rq_queue)], datetime.now(UTC) + timedelta(seconds=300))
    assert rq_queue.count == 0


@needs_redis
@pytest.mark.parametrize("app_config", [{"HELPDESK_SLA_SWEEP_SECONDS": 300}])
def test_worker_command_schedules_the_sweep(app, runner, rq_queue) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert list(scheduled(rq_queue)) == [sweep_id(rq_queue)]


@needs_redis
def test_no_periodic_sweep_when_the_interval_is_zero(app, rq_queue) -> None:
    assert app.config["HELPDESK_SLA_SWEEP_SECONDS"] == 0
    assert jobs.schedule_sla_sweep(app) is None
    assert scheduled(rq_queue) == {}
