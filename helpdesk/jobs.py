"""Background jobs: rq where Redis is configured, in-process on the embedded default.

The web tier never waits on a job. With ``HELPDESK_REDIS_URL`` set,
``helpdesk worker`` runs an rq worker with its scheduler; the SLA sweep and
the outbox flush re-schedule themselves, each under one fixed job id per
queue, so however many workers start, one of each is pending at a time.
Without Redis, both run in-process after a response, at most once per
``HELPDESK_SLA_SWEEP_SECONDS`` and ``HELPDESK_OUTBOX_FLUSH_SECONDS``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from flask import Flask
from flask import current_app
from flask import has_app_context

if TYPE_CHECKING:
    from helpdesk.catalog import PeriodicJob

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "helpdesk-sla-sweep"
OUTBOX_FLUSH_JOB_ID = "helpdesk-outbox-flush"
PERIODIC_JOB_ID = "helpdesk-periodic"
MAIL_JOB_ID = "helpdesk-mail"
# The web tier gives up on Redis quickly: a request never hangs on it.
QUICK_TIMEOUT = 2.0
# How long a stopping worker waits for its command listener (see ListenerStopsFirst);
# woken, the listener leaves within milliseconds.
LISTENER_STOP_SECONDS = 5.0
# Published to a stopping worker's own command channel to wake its listener.
WAKE_LISTENER = json.dumps({"command": "helpdesk-wake-listener"}).encode()
_worker_app: Flask | None = None


def app_for_job() -> Flask:
    """The app a job runs in: the caller's, or one built once per worker process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        from helpdesk import create_app

        _worker_app = create_app()
    return _worker_app


def redis_connection(app: Flask, *, quick: bool = False) -> Any:
    """The app's Redis; ``quick`` fails within seconds and never retries (web tier)."""
    from redis import Redis

    if not quick:
        return Redis.from_url(app.config["HELPDESK_REDIS_URL"])
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Redis.from_url(
        app.config["HELPDESK_REDIS_URL"],
        socket_connect_timeout=QUICK_TIMEOUT,
        socket_timeout=QUICK_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


def queue(app: Flask, *, quick: bool = False) -> Any:
    from rq import Queue

    return Queue(app.config["HELPDESK_QUEUE"], connection=redis_connection(app, quick=quick))


def _job_id(app: Flask, prefix: str) -> str:
    """Job ids are global to the Redis database: the queue's name keeps apps apart."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", app.config["HELPDESK_QUEUE"])
    return f"{prefix}-{name}"


def sweep_job_id(app: Flask) -> str:
    """One pending sweep per queue."""
    return _job_id(app, SWEEP_JOB_ID)


def outbox_flush_job_id(app: Flask) -> str:
    """One pending outbox flush per queue."""
    return _job_id(app, OUTBOX_FLUSH_JOB_ID)


def mail_job_id(app: Flask, message_id: int) -> str:
    """The job that sends one outbox message (one per message and queue)."""
    return f"{_job_id(app, MAIL_JOB_ID)}-{message_id}"


def _schedule(
    app: Flask,
    func: Callable[..., Any],
    job_id: str,
    interval: int,
    delay: float | None,
    *args: Any,
) -> Any:
    if interval <= 0:
        return None
    seconds = interval if delay is None else delay
    return queue(app).enqueue_in(
        timedelta(seconds=max(seconds, 1)),
        func,
        *args,
        job_id=job_id,
        # The worker stores the finished run under the same id as the next one
        # (already scheduled): the record must outlive the interval, or the
        # scheduler finds nothing to run and the chain stops.
        result_ttl=interval + 3600,
        failure_ttl=7 * 24 * 3600,
    )


def run_sla_sweep() -> dict[str, list[str]]:
    """The job: sweep every tenant and send due survey reminders, then schedule the next
    sweep (rq only)."""
    from helpdesk import sla_sweep
    from helpdesk import surveys

    app = app_for_job()
    with app.app_context():
        try:
            result = sla_sweep.sweep()
            surveys.remind_due()  # issue 7: the same periodic cycle
        finally:
            if app.config.get("HELPDESK_REDIS_URL"):
                schedule_sla_sweep(app)
    return {"at_risk": result.at_risk, "breached": result.breached}


def schedule_sla_sweep(app: Flask, delay: float | None = None) -> Any:
    """Schedule the next sweep under the queue's fixed id (replacing any pending one).

    With ``HELPDESK_SLA_SWEEP_SECONDS`` at 0 nothing is scheduled (sweep from cron).
    """
    interval = app.config["HELPDESK_SLA_SWEEP_SECONDS"]
    return _schedule(app, run_sla_sweep, sweep_job_id(app), interval, delay)


def run_outbox_flush() -> int:
    """The job: hand every due e-mail to the queue, then schedule the next flush (rq only)."""
    from helpdesk import outbox

    app = app_for_job()
    with app.app_context():
        try:
            return outbox.flush()
        finally:
            if app.config.get("HELPDESK_REDIS_URL"):
                schedule_outbox_flush(app)


def schedule_outbox_flush(app: Flask, delay: float | None = None) -> Any:
    """Schedule the next outbox flush under the queue's fixed id (replacing any pending one).

    With ``HELPDESK_OUTBOX_FLUSH_SECONDS`` at 0 nothing is scheduled (flush from cron).
    """
    interval = app.config.get("HELPDESK_OUTBOX_FLUSH_SECONDS", 0)
    return _schedule(app, run_outbox_flush, outbox_flush_job_id(app), interval, delay)


def periodic_job_id(app: Flask, name: str) -> str:
    """One pending run per periodic job and queue."""
    return f"{_job_id(app, PERIODIC_JOB_ID)}-{name}"


def run_periodic_job(name: str) -> dict[str, Any]:
    """The job: run a plugin's periodic job for every tenant, then schedule its next run."""
    from helpdesk import periodic

    app = app_for_job()
    with app.app_context():
        job = periodic.jobs().get(name)
        if job is None:
            # The plugin was removed since the run was scheduled: the chain ends here.
            return {"missing": name}
        try:
            result = periodic.run(job)
        finally:
            if app.config.get("HELPDESK_REDIS_URL"):
                schedule_periodic_job(app, job)
    return {"done": result.done, "failed": result.failed}


def schedule_periodic_job(app: Flask, job: PeriodicJob, delay: float | None = None) -> Any:
    """Schedule a periodic job's next run (``HELPDESK_PERIODIC_JOBS`` off: never)."""
    if not app.config.get("HELPDESK_PERIODIC_JOBS", True):
        return None
    return _schedule(
        app, run_periodic_job, periodic_job_id(app, job.name), job.every_seconds, delay, job.name
    )


class ListenerStopsFirst:
    """For rq's workers: on the way out, stop the command listener before letting it go.

    An rq worker listens for commands (``rq shutdown``, stop a job…) in
    redis-py's pub/sub thread, ``PubSubWorkerThread``, which loops on
    ``get_message(timeout=60)`` (rq 3.0.0, rq/worker/base.py ``subscribe``:
    ``run_in_thread(sleep_time=60)``). rq's ``unsubscribe`` (base.py, around
    line 1134) sends UNSUBSCRIBE, then calls the thread's ``stop()``. The
    server's reply wakes the thread, whose ``handle_message`` sees nothing
    subscribed any more and clears ``subscribed_event`` (redis 8.2.0,
    redis/client.py around line 1848). If the thread loops before ``stop()``
    has lowered its running flag, the next ``get_message`` waits up to 60 s
    for a subscription that never comes (client.py around line 1737,
    ``subscribed_event.wait(timeout)``), while ``stop()`` joins the thread
    with no time limit (client.py around line 1956; rq's own ``join(timeout=1)``
    comes after it): the worker, and so ``helpdesk worker --burst``, hangs
    for 60 s, a few bursts in a hundred (more on a busy machine).

    Here the running flag is lowered first, then a message on the worker's own
    channel (sent on the worker's connection, not the listener's) wakes the
    thread, which sees the flag down, leaves and closes its connection; closing
    it ends the subscription, so no UNSUBSCRIBE is needed and the pub/sub object
    is never used from two threads at once. The wait for it is bounded.
    """

    # The attributes and methods below are rq's BaseWorker's.
    connection: Any
    log: logging.Logger
    name: str
    pubsub: Any
    pubsub_thread: Any
    pubsub_channel_name: str

    def handle_payload(self, message: dict[str, Any]) -> None:
        if message.get("data") == WAKE_LISTENER:
            return  # only there to wake the listener (see unsubscribe)
        super().handle_payload(message)  # type: ignore[misc]

    def unsubscribe(self) -> None:
        from redis.exceptions import RedisError

        thread = self.pubsub_thread
        if thread is None:
            return
        self.log.info("Worker %s: stopping its command listener", self.name)
        try:
            thread.stop(timeout=0)  # lower the flag now; wait below, bounded
        except TypeError:  # older redis-py: stop() takes no timeout and only lowers the flag
            thread.stop()
        try:
            self.connection.publish(self.pubsub_channel_name, WAKE_LISTENER)
        except RedisError as error:  # Redis gone: the listener's read fails and it leaves
            self.log.warning("Worker %s: could not wake its listener: %s", self.name, error)
        thread.join(timeout=LISTENER_STOP_SECONDS)
        if thread.is_alive():
            # A daemon thread: it closes its connection itself when it wakes.
            self.log.warning(
                "Worker %s: command listener still running after %s s",
                self.name,
                LISTENER_STOP_SECONDS,
            )
            return
        self.pubsub.close()  # the thread closed it on its way out; this only makes sure
        self.pubsub_thread = None


@functools.cache
def worker_class(*, simple: bool = False) -> type[Any]:
    """rq's ``Worker`` (or ``SimpleWorker``: jobs run in this process) that stops in time."""
    from rq import SimpleWorker
    from rq import Worker

    base = SimpleWorker if simple else Worker
    name = f"Helpdesk{base.__name__}"
    return type(name, (ListenerStopsFirst, base), {"__module__": __name__, "__qualname__": name})


def start_worker(app: Flask, *, burst: bool = False) -> bool:
    """Run an rq worker with the scheduler for the app's queue (blocks unless ``burst``).

    The first sweep and flush come a second after start: e-mails that waited
    while Redis was down leave as soon as a worker is back.
    """
    schedule_sla_sweep(app, delay=1)
    schedule_outbox_flush(app, delay=1)
    for job in app.extensions["helpdesk"].periodic_jobs.values():
        schedule_periodic_job(app, job, delay=1)
    worker = worker_class()([queue(app)], connection=redis_connection(app))
    return worker.work(with_scheduler=True, burst=burst)


def _after_responses(app: Flask, interval: int, task: Callable[[], Any], what: str) -> None:
    """Run ``task`` in the app after a response is sent, at most once per ``interval``."""
    # Two threads passing the check at once would both run it: harmless (the
    # sweep announces each level once, a message is claimed once), so no lock.
    last_run = {"at": float("-inf")}

    @app.after_request
    def _schedule(response: Any) -> Any:
        now = time.monotonic()
        if now - last_run["at"] < interval:
            return response
        last_run["at"] = now

        def _run() -> None:
            try:
                with app.app_context():
                    task()
            except Exception:  # noqa: BLE001 - the visitor already has the page
                log.exception("in-process %s failed", what)

        # After the response is sent: the visitor never waits on it.
        response.call_on_close(_run)
        return response


def install_in_process_sweep(app: Flask) -> None:
    """On the embedded default (no Redis), sweep and flush the outbox after responses.

    Both throttled; ``register_jobs`` calls this one function.
    """
    install_in_process_flush(app)
    install_in_process_periodic_jobs(app)
    interval = app.config.get("HELPDESK_SLA_SWEEP_SECONDS", 0)
    if app.config.get("HELPDESK_REDIS_URL") or interval <= 0:
        return

    def _sweep() -> None:
        from helpdesk import sla_sweep
        from helpdesk import surveys

        sla_sweep.sweep()
        surveys.remind_due()

    _after_responses(app, interval, _sweep, "SLA sweep")


def install_in_process_flush(app: Flask) -> None:
    """On the embedded default (no Redis), send due e-mails (retries) after responses."""
    interval = app.config.get("HELPDESK_OUTBOX_FLUSH_SECONDS", 0)
    if app.config.get("HELPDESK_REDIS_URL") or interval <= 0:
        return

    def _flush() -> None:
        from helpdesk import outbox

        outbox.flush()

    _after_responses(app, interval, _flush, "outbox flush")


def install_in_process_periodic_jobs(app: Flask) -> None:
    """On the embedded default (no Redis), run each plugin's periodic job after responses."""
    if app.config.get("HELPDESK_REDIS_URL") or not app.config.get("HELPDESK_PERIODIC_JOBS", True):
        return
    for job in app.extensions["helpdesk"].periodic_jobs.values():

        def _run(job: PeriodicJob = job) -> None:
            from helpdesk import periodic

            periodic.run(job)

        _after_responses(app, job.every_seconds, _run, f"periodic job {job.name}")
