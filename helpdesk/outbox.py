"""The transactional outbox: e-mails written with the change, sent after the commit.

:func:`track` adds a message to the caller's transaction. When that
transaction commits, the ids are dispatched: in a request, after the response
has been sent; to rq where Redis is configured (if Redis is down the rows
simply wait, the request never sees the error), or sent in-process on the
embedded default.

:func:`send` claims a row with a conditional update (pending and due, or
claimed longer than :data:`LEASE` ago by a worker that died), so two jobs, two
threads or two workers never send one message twice; the claim's attempt
number fences the outcome, written only while the claim is still its own. A
failure retries with back-off (1, 2, 4 … minutes) and, after
``HELPDESK_MAIL_MAX_ATTEMPTS``, ends in the failed list, where :func:`retry`
(an admin's decision) puts it back. :func:`flush` re-dispatches whatever is
due: from the worker's schedule, after responses on the embedded default, or
``helpdesk outbox flush``.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import Flask
from flask import after_this_request
from flask import current_app
from flask import g
from flask import has_app_context
from flask import has_request_context
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction

from helpdesk.extensions import db
from helpdesk.mail_transport import transport_for
from helpdesk.models import OutboxMessage
from helpdesk.models.base import utcnow
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.transactions import is_retryable

log = logging.getLogger(__name__)

_SESSION_KEY = "helpdesk_outbox_messages"
_AFTER_RESPONSE_KEY = "helpdesk_outbox_after_response"
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)
# A row claimed longer ago than this is taken to belong to a dead worker.
LEASE = timedelta(minutes=10)
# rq jobs waiting for (or running) a message: flush does not hand it over again.
_BUSY_JOB_STATUSES = {"queued", "scheduled", "deferred", "started"}
_CLAIM_TRIES = 10


def backoff(attempts: int, base: timedelta = BACKOFF) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt."""
    return base * (2 ** max(attempts - 1, 0))


def _utc(moment: datetime | None) -> datetime:
    """Now, or ``moment`` in UTC (naive values are taken as UTC, as SQLite returns them)."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- tracking: dispatch what the transaction committed ------------------------------------


def track(message: OutboxMessage) -> None:
    """Add ``message`` to the current transaction; it is dispatched once that commits."""
    db.session.add(message)
    db.session.info.setdefault(_SESSION_KEY, []).append(message)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    messages = session.info.pop(_SESSION_KEY, None)
    if not messages or not has_app_context():
        return
    # Still loaded here (the commit expires them afterwards); a message added
    # in a savepoint that was rolled back is no longer persistent: skipped.
    ids = [m.id for m in messages if inspect(m).persistent and m.id is not None]
    try:
        dispatch(ids)
    except Exception:  # noqa: BLE001 - the change is saved; the rows wait for a flush
        log.exception("outbox: could not dispatch %d message(s); they wait", len(ids))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction: a savepoint rolled back inside it leaves
    # the messages tracked before it in line. A commit has already taken them.
    if transaction.parent is None:
        session.info.pop(_SESSION_KEY, None)


def dispatch(ids: Iterable[int]) -> None:
    """Hand messages on: to rq with Redis, else send them in-process.

    In a request both happen after the response has been sent; the caller's
    session is never used (it may be finishing a commit).
    """
    ids = list(ids)
    if not ids:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if has_request_context():
        _after_response(app, ids)
    else:
        _hand_on(app, ids)


def _after_response(app: Flask, ids: list[int]) -> None:
    pending = g.get(_AFTER_RESPONSE_KEY)
    if pending is None:
        pending = []
        setattr(g, _AFTER_RESPONSE_KEY, pending)

        @after_this_request
        def _later(response: Any) -> Any:
            response.call_on_close(lambda: _detached(app, pending))
            return response

    pending.extend(ids)


def _detached(app: Flask, ids: list[int]) -> None:
    """Run once the response is sent (outside the request): errors are only logged."""
    try:
        with app.app_context():
            _hand_on(app, ids)
    except Exception:  # noqa: BLE001 - the visitor already has the page; a flush retries
        log.exception("outbox: could not dispatch %d message(s); they wait", len(ids))


def _hand_on(app: Flask, ids: list[int], now: datetime | None = None) -> Counter[str]:
    if app.config.get("HELPDESK_REDIS_URL"):
        return _enqueue(app, ids)
    return _send_all(ids, now)


def _send_all(ids: Iterable[int], now: datetime | None = None) -> Counter[str]:
    """Send in this process through a session of its own; one failure stops nothing."""
    outcomes: Counter[str] = Counter()
    with Session(db.engine) as session:
        for message_id in ids:
            try:
                outcomes[send(message_id, now, session=session)] += 1
            except Exception:  # noqa: BLE001 - e.g. the database is busy; a flush retries
                session.rollback()
                outcomes["error"] += 1
                log.exception("outbox: message %s could not be sent", message_id)
    return outcomes


def _enqueue(app: Flask, ids: list[int]) -> Counter[str]:
    """Queue a send job per message not already waiting in rq; never raises.

    Counts "queued", "in_queue" (a job already waits for it) and "waiting"
    (Redis unreachable: the rows wait in the outbox for the next flush; the
    connection is a quick one, so a request never hangs on it).
    """
    from helpdesk import jobs

    outcomes: Counter[str] = Counter()
    try:
        queue = jobs.queue(app, quick=True)
        for message_id in ids:
            job_id = jobs.mail_job_id(app, message_id)
            job = queue.fetch_job(job_id)
            if job is not None:
                if job.get_status(refresh=False) in _BUSY_JOB_STATUSES:
                    outcomes["in_queue"] += 1
                    continue
                # A finished run (a retry now due, or an admin's retry): a fresh job.
                job.delete()
            queue.enqueue(
                send_job,
                message_id,
                job_id=job_id,
                result_ttl=24 * 3600,
                failure_ttl=7 * 24 * 3600,
            )
            outcomes["queued"] += 1
    except Exception as exc:  # noqa: BLE001 - Redis down: the rows wait for the next flush
        outcomes["waiting"] = len(ids) - outcomes["queued"] - outcomes["in_queue"]
        log.warning("outbox: Redis unreachable (%s); %d message(s) wait", exc, outcomes["waiting"])
    return outcomes


def send_job(message_id: int) -> str:
    """The rq job: send one message (in the worker's app)."""
    from helpdesk import jobs

    app = jobs.app_for_job()
    with app.app_context():
        return send(message_id)


# --- sending ------------------------------------------------------------------------------


def _claim(session: Session, message_id: int, now: datetime) -> int | None:
    """Take the message for one attempt; its attempt number, or None if not ours to send."""
    claimable = or_(
        OutboxMessage.status == "pending",
        OutboxMessage.status == "sending",  # an expired lease: its worker died
    )
    for attempt in range(1, _CLAIM_TRIES + 1):
        try:
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    claimable,
                    OutboxMessage.next_attempt_at <= now,
                )
                .values(
                    status="sending",
                    attempts=OutboxMessage.attempts + 1,
                    next_attempt_at=now + LEASE,
                )
                .execution_options(synchronize_session=False, **{ALL_TENANTS: True})
            ).rowcount
            number = None
            if claimed == 1:
                # Read inside the claiming transaction: our own update.
                number = session.scalar(
                    select(OutboxMessage.attempts)
                    .where(OutboxMessage.id == message_id)
                    .execution_options(**{ALL_TENANTS: True})
                )
            session.commit()
            return number
        except Exception as exc:
            session.rollback()
            if attempt == _CLAIM_TRIES or not is_retryable(exc):
                raise
            time.sleep(min(0.5, 0.01 * attempt) * (1 + random.random()))
    return None  # pragma: no cover - the loop returns or raises


def _finish(session: Session, message_id: int, attempt: int, values: dict[str, Any]) -> bool:
    """Record the attempt's outcome, only while the claim is still this attempt's."""
    done = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == attempt,
        )
        .values(**values)
        .execution_options(synchronize_session=False, **{ALL_TENANTS: True})
    ).rowcount
    session.commit()
    if done != 1:
        log.warning("outbox: message %s was reclaimed while attempt %s ran", message_id, attempt)
    return done == 1


def _copy(row: OutboxMessage) -> OutboxMessage:
    """A transient copy of ``row``'s columns (never added to a session)."""
    columns = inspect(OutboxMessage).column_attrs
    return OutboxMessage(**{column.key: getattr(row, column.key) for column in columns})


def send(message_id: int, now: datetime | None = None, session: Session | None = None) -> str:
    """Send one message if it is due and not taken; returns what happened.

    "sent", "retry" (failed, will be tried again), "failed" (no attempts
    left), or "skipped" (already sent or failed, taken by another worker, or
    not due). Commits ``session`` (``db.session`` by default).
    """
    session = session or db.session
    now = _utc(now)
    attempt = _claim(session, message_id, now)
    if attempt is None:
        return "skipped"
    row = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(populate_existing=True, **{ALL_TENANTS: True})
    )
    if row is None:  # deleted meanwhile (its tenant removed)
        session.commit()
        return "skipped"
    # A copy for the transport, and the read ended: no transaction stays open
    # while the mail server answers (the caller's own instance is left alone).
    message = _copy(row)
    session.commit()
    try:
        transport_for(current_app).send(message)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        limit = current_app.config.get("HELPDESK_MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS)
        if attempt >= limit:
            outcome = "failed"
            values: dict[str, Any] = {"status": "failed", "last_error": error}
        else:
            outcome = "retry"
            values = {
                "status": "pending",
                "last_error": error,
                "next_attempt_at": now + backoff(attempt),
            }
        _finish(session, message_id, attempt, values)
        log.warning("outbox: mail %s to %s (%s): %s", message_id, message.recipient, outcome, error)
        return outcome
    _finish(
        session, message_id, attempt, {"status": "sent", "sent_at": utcnow(), "last_error": None}
    )
    return "sent"


# --- what is due, and putting failed ones back --------------------------------------------


def due_ids(now: datetime | None = None) -> list[int]:
    """Messages waiting to be sent now (pending and due, or claimed by a dead worker)."""
    now = _utc(now)
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .execution_options(**{ALL_TENANTS: True})
        )
    )


def flush(now: datetime | None = None, *, outcomes: Counter[str] | None = None) -> int:
    """Hand on every due message (to rq, or sent here); returns how many were handed on.

    ``outcomes``, when given, is updated with what happened: with Redis
    "queued" / "in_queue" / "waiting" (Redis down), else "sent" / "retry" /
    "failed" / "skipped" / "error".
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ids = due_ids(now)
    result = _hand_on(app, ids, now) if ids else Counter()
    if outcomes is not None:
        outcomes.update(result)
    if app.config.get("HELPDESK_REDIS_URL"):
        return result["queued"]
    return len(ids)


def retry(message: OutboxMessage) -> bool:
    """Put a failed message back in line (an admin's decision); the caller commits.

    Only a failed message (a conditional update: two admins clicking at once,
    or a page loaded before another's retry, never resend one already sent);
    False when it is pending, being sent or sent. It is dispatched once the
    caller's transaction commits, its attempts counted from zero.
    """
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), last_error=None)
        .execution_options(synchronize_session="fetch", **{ALL_TENANTS: True})
    ).rowcount
    if changed != 1:
        return False
    db.session.info.setdefault(_SESSION_KEY, []).append(message)
    return True
