"""Background jobs: rq where Redis is configured, in-process on the embedded default.

The web tier never waits on a job. With ``HELPDESK_REDIS_URL`` set,
``helpdesk worker`` runs an rq worker with its scheduler; the SLA sweep
re-schedules itself under one fixed job id, so however many workers start,
one sweep is pending at a time. Without Redis, the sweep runs in-process after
a response, at most once per ``HELPDESK_SLA_SWEEP_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask
from flask import current_app
from flask import has_app_context

SWEEP_JOB_ID = "helpdesk-sla-sweep"
_worker_app: Flask | None = None
_sweep_lock = threading.Lock()


def _app() -> Flask:
    """The app a job runs in: the caller's, or one built once per worker process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        from helpdesk import create_app

        _worker_app = create_app()
    return _worker_app


def redis_connection(app: Flask) -> Any:
    from redis import Redis

    return Redis.from_url(app.config["HELPDESK_REDIS_URL"])


def queue(app: Flask) -> Any:
    from rq import Queue

    return Queue(app.config["HELPDESK_QUEUE"], connection=redis_connection(app))


def run_sla_sweep() -> dict[str, list[str]]:
    """The job: sweep every tenant, then schedule the next sweep (rq only)."""
    from helpdesk import sla_sweep

    app = _app()
    with app.app_context():
        result = sla_sweep.sweep()
        if app.config.get("HELPDESK_REDIS_URL"):
            schedule_sla_sweep(app)
    return {"at_risk": result.at_risk, "breached": result.breached}


def schedule_sla_sweep(app: Flask, delay: float | None = None) -> Any:
    """Schedule the next sweep under the fixed id (replacing any pending one)."""
    seconds = app.config["HELPDESK_SLA_SWEEP_SECONDS"] if delay is None else delay
    return queue(app).enqueue_in(
        timedelta(seconds=max(seconds, 1)),
        run_sla_sweep,
        job_id=SWEEP_JOB_ID,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def start_worker(app: Flask, *, burst: bool = False) -> bool:
    """Run an rq worker with the scheduler for the app's queue (blocks unless ``burst``)."""
    from rq import Worker

    schedule_sla_sweep(app, delay=1)
    worker = Worker([queue(app)], connection=redis_connection(app))
    return worker.work(with_scheduler=True, burst=burst)


def install_in_process_sweep(app: Flask) -> None:
    """On the embedded default (no Redis), sweep after responses, throttled."""
    interval = app.config.get("HELPDESK_SLA_SWEEP_SECONDS", 0)
    if app.config.get("HELPDESK_REDIS_URL") or interval <= 0:
        return
    last_run = {"at": 0.0}

    @app.after_request
    def _schedule_sweep(response: Any) -> Any:
        now = time.monotonic()
        if now - last_run["at"] < interval or not _sweep_lock.acquire(blocking=False):
            return response
        last_run["at"] = now

        def _sweep() -> None:
            from helpdesk import sla_sweep

            try:
                with app.app_context():
                    sla_sweep.sweep()
            finally:
                _sweep_lock.release()

        # After the response is sent: the visitor never waits on the sweep.
        response.call_on_close(_sweep)
        return response
