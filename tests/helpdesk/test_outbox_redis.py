"""The transactional outbox (helpdesk/outbox.py) with Redis: down, then back.

A message is written in the transaction of its change and dispatched once
that commits: sent in-process on the embedded default (after the response,
in a request), or handed to rq with Redis. Redis being down never fails the
request: the rows wait and leave once Redis is back, each exactly once.

The rq tests need a real Redis and run only with HELPDESK_TEST_REDIS_URL set;
every test app has its own queue name, and its keys are removed afterwards.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import jobs
from helpdesk import outbox
from helpdesk.extensions import db
from helpdesk.mail_transport import FolderTransport
from helpdesk.models import OutboxMessage
from helpdesk.models import Ticket
from helpdesk.sla import as_utc
from helpdesk.testing import redis_url
from tests.helpdesk.outbox_support import P10
from tests.helpdesk.outbox_support import REDIS_DOWN
from tests.helpdesk.outbox_support import Recorder
from tests.helpdesk.outbox_support import add_message
from tests.helpdesk.outbox_support import add_notify_route
from tests.helpdesk.outbox_support import eml
from tests.helpdesk.outbox_support import file_message_id
from tests.helpdesk.outbox_support import mail_files
from tests.helpdesk.outbox_support import p10_form
from tests.helpdesk.outbox_support import row_of
from tests.helpdesk.outbox_support import rows

needs_redis = pytest.mark.skipif(not redis_url(), reason="needs HELPDESK_TEST_REDIS_URL")


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def counted_folder(monkeypatch):
    """The real folder transport, counting how often each message is written."""
    calls: Counter[int] = Counter()
    original = FolderTransport.send

    def send(self, message):
        calls[message.id] += 1
        original(self, message)

    monkeypatch.setattr(FolderTransport, "send", send)
    return calls


# --- Redis down ---------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [REDIS_DOWN])
def test_redis_down_a_request_still_succeeds_and_the_mail_waits(demo) -> None:
    add_notify_route(demo)
    response = demo.test_client().post("/_test/notify")
    assert response.status_code == 200
    response.close()
    message_id = int(response.get_data(as_text=True))
    assert rows(demo) == {message_id: ("pending", 0)}
    assert mail_files(demo) == []


def file_with_redis_down(demo, make_ticket, login_as):
    """One request filed by make_ticket, one through the portal; both saved, mail waiting."""
    make_ticket(
        "GCH-CCS-P10",
        data={
            "problem_description": "No hay red en la oficina",
            "requester_name": "Laura Méndez Ortiz",
            "equipment_location": "Dirección de la Mujer",
            "municipal_infrastructure": True,
        },
    )
    browser = login_as("requester")
    browser.get(P10)
    response = browser.post(P10, p10_form(demo), content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    response.close()
    with demo.app_context():
        assert db.session.scalar(select(func.count(Ticket.id))) == 2
    waiting = rows(demo)
    assert len(waiting) >= 2  # at least the requester's receipt of each
    assert set(waiting.values()) == {("pending", 0)}
    assert mail_files(demo) == []
    return sorted(waiting)


@pytest.mark.parametrize("app_config", [REDIS_DOWN])
def test_redis_down_filing_is_saved_and_its_mail_waits(demo, make_ticket, login_as) -> None:
    file_with_redis_down(demo, make_ticket, login_as)
    with demo.app_context():
        outcomes: Counter[str] = Counter()
        assert outbox.flush(outcomes=outcomes) == 0
        assert outcomes == Counter(waiting=len(rows(demo)))
    assert set(rows(demo).values()) == {("pending", 0)}


@pytest.mark.parametrize("app_config", [REDIS_DOWN])
def test_the_web_tier_gives_up_on_redis_quickly(app) -> None:
    connection = jobs.redis_connection(app, quick=True)
    kwargs = connection.connection_pool.connection_kwargs
    assert kwargs["socket_connect_timeout"] == kwargs["socket_timeout"] == jobs.QUICK_TIMEOUT
    started = time.monotonic()
    with app.app_context():
        assert outbox._enqueue(app, [1, 2, 3]) == Counter(waiting=3)
    assert time.monotonic() - started < jobs.QUICK_TIMEOUT * 2


# --- with Redis ---------------------------------------------------------------------------


@pytest.fixture
def rq_queue(app):
    """The test app's queue on the real Redis; its keys (and its jobs) are removed afterwards."""
    from redis import Redis
    from rq import Queue

    # The test's own reads give up instead of hanging (a worker raises it for its own).
    connection = Redis.from_url(redis_url(), socket_timeout=10, socket_connect_timeout=10)
    queue = Queue(app.config["HELPDESK_QUEUE"], connection=connection)
    before = set(connection.keys("*"))
    yield queue
    doomed = set(connection.keys(f"rq:*{queue.name}*"))  # job ids carry the queue's name
    for key in connection.keys("rq:worker:*"):  # workers that served only this queue
        if (
            connection.type(key) == b"hash"
            and connection.hget(key, "queues") == queue.name.encode()
        ):
            doomed.add(key)
    if doomed:
        connection.delete(*doomed)
    connection.srem("rq:queues", queue.key)
    left = {key for key in set(connection.keys("*")) - before if queue.name.encode() in key}
    assert left == set()


def work(app, queue, name="worker"):
    # The help desk's SimpleWorker: rq's could hang 60 s on its way out.
    simple_worker = jobs.worker_class(simple=True)
    with app.app_context():
        worker = simple_worker([queue], connection=queue.connection, name=f"{queue.name}-{name}")
        assert worker.work(burst=True) is True


def scheduled(queue):
    return list(queue.scheduled_job_registry.get_job_ids())


@needs_redis
@pytest.mark.parametrize("app_config", [REDIS_DOWN])
def test_mail_that_waited_is_delivered_once_redis_is_back(
    demo, make_ticket, login_as, rq_queue, counted_folder
) -> None:
    ids = file_with_redis_down(demo, make_ticket, login_as)

    demo.config["HELPDESK_REDIS_URL"] = redis_url()  # Redis is back
    with demo.app_context():
        assert outbox.flush() == len(ids)
        # Flushed again before a worker ran: nothing is queued twice.
        outcomes: Counter[str] = Counter()
        assert outbox.flush(outcomes=outcomes) == 0
        assert outcomes == Counter(in_queue=len(ids))
    assert rq_queue.count == len(ids)
    assert set(rows(demo).values()) == {("pending", 0)}

    work(demo, rq_queue)
    assert rows(demo) == {message_id: ("sent", 1) for message_id in ids}
    assert counted_folder == Counter(dict.fromkeys(ids, 1))
    assert mail_files(demo) == [eml(message_id) for message_id in ids]
    for message_id in ids:
        assert file_message_id(demo, message_id) == row_of(demo, message_id).message_id
        job = rq_queue.fetch_job(jobs.mail_job_id(demo, message_id))
        assert job.get_status() == "finished"
        assert job.return_value() == "sent"

    # Flush and work again: nothing more is delivered.
    with demo.app_context():
        assert outbox.flush() == 0
    # Even a stray job for a sent message (a retried rq job) sends nothing.
    stray = rq_queue.enqueue(outbox.send_job, ids[0], job_id=f"stray-{rq_queue.name}")
    work(demo, rq_queue, "again")
    assert stray.return_value() == "skipped"
    assert counted_folder == Counter(dict.fromkeys(ids, 1))
    assert rows(demo) == {message_id: ("sent", 1) for message_id in ids}


@needs_redis
def test_with_redis_a_request_hands_the_mail_to_rq_after_the_response(demo, rq_queue) -> None:
    add_notify_route(demo)
    response = demo.test_client().post("/_test/notify")
    assert response.status_code == 200
    message_id = int(response.get_data(as_text=True))
    assert rq_queue.count == 0
    response.close()
    assert rq_queue.job_ids == [jobs.mail_job_id(demo, message_id)]
    assert rows(demo) == {message_id: ("pending", 0)}
    work(demo, rq_queue)
    assert rows(demo) == {message_id: ("sent", 1)}
    assert mail_files(demo) == [eml(message_id)]


@needs_redis
def test_with_redis_a_retry_due_later_is_queued_again_by_the_flush(
    demo, rq_queue, monkeypatch
) -> None:
    transport = Recorder(error=OSError("sin conexión"))
    monkeypatch.setattr(outbox, "transport_for", lambda app: transport)
    message_id = add_message(demo)
    with demo.app_context():
        assert outbox.flush() == 1
    work(demo, rq_queue)
    assert rows(demo) == {message_id: ("pending", 1)}
    with demo.app_context():
        assert outbox.flush() == 0  # not due for a minute
        transport.error = None
        # A minute later (the job sends as of the real clock: move the row instead).
        row = db.session.get(OutboxMessage, message_id)
        row.next_attempt_at = as_utc(row.next_attempt_at) - timedelta(minutes=1)
        db.session.commit()
        # The finished job is replaced by a fresh one.
        assert outbox.flush() == 1
    work(demo, rq_queue, "again")
    assert transport.sent == [message_id]
    assert rows(demo) == {message_id: ("sent", 2)}


@needs_redis
@pytest.mark.parametrize("app_config", [{"HELPDESK_OUTBOX_FLUSH_SECONDS": 60}])
def test_scheduling_the_flush_twice_keeps_one_pending(app, rq_queue) -> None:
    first = jobs.schedule_outbox_flush(app, delay=60)
    second = jobs.schedule_outbox_flush(app, delay=120)
    assert first.id == second.id == jobs.outbox_flush_job_id(app)
    assert first.id == f"{jobs.OUTBOX_FLUSH_JOB_ID}-{rq_queue.name}"
    assert scheduled(rq_queue) == [first.id]
    assert rq_queue.count == 0
    job = rq_queue.fetch_job(first.id)
    assert job.func_name == "helpdesk.jobs.run_outbox_flush"


@needs_redis
@pytest.mark.parametrize("app_config", [{"HELPDESK_OUTBOX_FLUSH_SECONDS": 60}])
def test_a_worker_runs_the_flush_and_schedules_the_next(demo, rq_queue) -> None:
    from rq.scheduler import RQScheduler

    message_id = add_message(demo)
    flush_id = jobs.outbox_flush_job_id(demo)
    jobs.schedule_outbox_flush(demo, delay=1)
    time.sleep(1.1)
    for _ in range(2):
        # The scheduler moves the due flush to the queue; a worker runs it, and the
        # mail job it queues, and the flush schedules the next under the same id.
        scheduler = RQScheduler([rq_queue], connection=rq_queue.connection)
        scheduler.acquire_locks()
        scheduler.enqueue_scheduled_jobs()
        scheduler.release_locks()
        assert rq_queue.job_ids == [flush_id]
        work(demo, rq_queue)
        assert scheduled(rq_queue) == [flush_id]
        # Its record outlives the interval: the scheduler will find it.
        assert rq_queue.connection.ttl(f"rq:job:{flush_id}") > 60
        rq_queue.scheduled_job_registry.schedule(
            rq_queue.fetch_job(flush_id), datetime.now(UTC) - timedelta(seconds=1)
        )
    assert rows(demo) == {message_id: ("sent", 1)}


@needs_redis
@pytest.mark.parametrize(
    "app_config", [{"HELPDESK_OUTBOX_FLUSH_SECONDS": 60, "HELPDESK_SLA_SWEEP_SECONDS": 300}]
)
def test_worker_command_schedules_the_sweep_and_the_flush(app, runner, rq_queue) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert sorted(scheduled(rq_queue)) == sorted(
        [jobs.outbox_flush_job_id(app), jobs.sweep_job_id(app)]
    )


@needs_redis
def test_no_periodic_flush_when_the_interval_is_zero(app, rq_queue) -> None:
    assert app.config["HELPDESK_OUTBOX_FLUSH_SECONDS"] == 0
    assert jobs.schedule_outbox_flush(app) is None
    assert scheduled(rq_queue) == []
