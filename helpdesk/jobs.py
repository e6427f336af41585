"""Background jobs: rq where Redis is configured, in-process on the embedded default.

The web tier never waits on a job. With ``HELPDESK_REDIS_URL`` set,
``helpdesk worker`` runs an rq worker with its scheduler; the SLA sweep
re-schedules itself under one fixed job id, so however many workers start,
one sweep is pending at a time. Without Redis, the sweep runs in-process after
a response, at most once per ``HELPDESK_SLA_SWEEP_SECONDS``.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

from flask import Flask
from flask import current_app
from flask import has_app_context

SWEEP_JOB_ID = "helpdesk-sla-sweep"
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


def redis_connection(app: Flask) -> Any:
    from redis import Redis

    return Redis.from_url(app.config["HELPDESK_REDIS_URL"])


def queue(app: Flask) -> Any:
    from rq import Queue

    return Queue(app.config["HELPDESK_QUEUE"], connection=redis_connection(app))


def run_sla_sweep() -> dict[str, list[str]]:
    """The job: sweep every tenant, then schedule the next sweep (rq only)."""
    from helpdesk import sla_sweep

    app = app_for_job()
    with app.app_context():
        result = sla_sweep.sweep()
        if app.config.get("HELPDESK_REDIS_URL"):
            schedule_sla_sweep(app)
    return {"at_risk": result.at_risk, "breached": result.breached}


def sweep_job_id(app: Flask) -> str:
    """One pending sweep per queue (rq job ids are global to the Redis database)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", app.config["HELPDESK_QUEUE"])
    return f"{SWEEP_JOB_ID}-{name}"


def schedule_sla_sweep(app: Flask, delay: float | None = None) -> Any:
    """Schedule the next sweep under the queue's fixed id (replacing any pending one).

    With ``HELPDESK_SLA_SWEEP_SECONDS`` at 0 nothing is scheduled (sweep from cron).
    """
    interval = app.config["HELPDESK_SLA_SWEEP_SECONDS"]
    if interval <= 0:
        return None
    seconds = interval if delay is None else delay
    return queue(app).enqueue_in(
        timedelta(seconds=max(seconds, 1)),
        run_sla_sweep,
        job_id=sweep_job_id(app),
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
    # Two threads passing the check at once would both sweep: harmless, the
    # sweep announces each level once (conditional update), so no lock to leak.
    last_run = {"at": float("-inf")}

    @app.after_request
    def _schedule_sweep(response: Any) -> Any:
        now = time.monotonic()
        if now - last_run["at"] < interval:
            return response
        last_run["at"] = now

        def _sweep() -> None:
            from helpdesk import sla_sweep

            with app.app_context():
                sla_sweep.sweep()

        # After the response is sent: the visitor never waits on the sweep.
        response.call_on_close(_sweep)
        return response
