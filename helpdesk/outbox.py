"""The transactional outbox: e-mails written with the change, sent after the commit.

:func:`track` adds a message to the caller's transaction. When that
transaction commits, the ids are dispatched: to rq where Redis is configured
(if Redis is down the rows simply wait), or sent in-process after the
response on the embedded default. :func:`send` claims a row with a
conditional update, so a job run twice never sends twice; a failure retries
with back-off and ends in the failed list (:func:`retry` puts it back).
:func:`flush` re-dispatches whatever is due, from the worker's schedule or
``helpdesk outbox flush``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import has_app_context
from flask import has_request_context
from sqlalchemy import event
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.mail_transport import transport_for
from helpdesk.models import OutboxMessage
from helpdesk.models.base import utcnow
from helpdesk.tenancy import ALL_TENANTS

log = logging.getLogger(__name__)

_SESSION_KEY = "helpdesk_outbox_ids"
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)
# A row claimed longer ago than this is taken to belong to a dead worker.
LEASE = timedelta(minutes=10)


def backoff(attempts: int, base: timedelta = BACKOFF) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt."""
    return base * (2 ** max(attempts - 1, 0))


def track(message: OutboxMessage) -> None:
    """Add ``message`` to the current transaction; it is dispatched once that commits."""
    db.session.add(message)
    db.session.info.setdefault(_SESSION_KEY, []).append(message)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    messages = session.info.pop(_SESSION_KEY, None)
    if not messages or not has_app_context():
        return
    # The committed session may run no more SQL here: in-process sends use
    # a session of their own.
    dispatch([m.id for m in messages if m.id is not None], isolated=True)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def dispatch(ids: Iterable[int], *, isolated: bool = False) -> None:
    """Hand messages to rq, or send them in-process (after the response, in a request).

    ``isolated`` sends outside a request through a fresh session (called from
    the commit hook, where the current session is finished).
    """
    ids = list(ids)
    if not ids:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("HELPDESK_REDIS_URL"):
        _enqueue(app, ids)
    elif has_request_context():
        pending = g.setdefault("outbox_after_response", [])
        if not pending:
            _send_after_response(app, pending)
        pending.extend(ids)
    elif isolated:
        with Session(db.engine) as session:
            for message_id in ids:
                send(message_id, session=session)
    else:
        for message_id in ids:
            send(message_id)


def _send_after_response(app: Flask, pending: list[int]) -> None:
    from flask import after_this_request

    @after_this_request
    def _later(response: Any) -> Any:
        def _send() -> None:
            with app.app_context():
                for message_id in pending:
                    send(message_id)

        response.call_on_close(_send)
        return response


def _enqueue(app: Flask, ids: list[int]) -> None:
    from helpdesk import jobs

    try:
        queue = jobs.queue(app)
        for message_id in ids:
            queue.enqueue(
                send_job, message_id, job_id=f"mail-{message_id}", failure_ttl=7 * 24 * 3600
            )
    except Exception:  # noqa: BLE001 - Redis down: the rows wait for the next flush
        log.warning("Redis unreachable; %d message(s) wait in the outbox", len(ids))


def send_job(message_id: int) -> str:
    """The rq job: send one message (in the worker's app)."""
    from helpdesk import jobs

    app = jobs.app_for_job()
    with app.app_context():
        return send(message_id)


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    claimable = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.next_attempt_at <= now),
    )
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, claimable)
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + LEASE,
        )
        .execution_options(synchronize_session=False, **{ALL_TENANTS: True})
    ).rowcount
    session.commit()
    return claimed == 1


def send(message_id: int, now: datetime | None = None, session: Session | None = None) -> str:
    """Send one message if it is due and not taken; returns what happened.

    "sent", "retry" (failed, will be tried again), "failed" (no attempts
    left), or "skipped" (already sent, taken by another worker, or not due).
    """
    session = session or db.session
    now = now or utcnow()
    if not _claim(session, message_id, now):
        return "skipped"
    message = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(**{ALL_TENANTS: True})
    )
    try:
        transport_for(current_app).send(message)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= current_app.config.get("HELPDESK_MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS):
            message.status = "failed"
            outcome = "failed"
        else:
            message.status = "pending"
            message.next_attempt_at = now + backoff(message.attempts)
            outcome = "retry"
        session.commit()
        log.warning("mail %s to %s: %s", message.id, message.recipient, message.last_error)
        return outcome
    message.status = "sent"
    message.sent_at = utcnow()
    message.last_error = None
    session.commit()
    return "sent"


def due_ids(now: datetime | None = None) -> list[int]:
    """Messages waiting to be sent now (pending and due, or claimed by a dead worker)."""
    now = now or utcnow()
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


def flush(now: datetime | None = None) -> int:
    """Dispatch every due message; returns how many were handed on."""
    ids = due_ids(now)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("HELPDESK_REDIS_URL"):
        _enqueue(app, ids)
    else:
        for message_id in ids:
            send(message_id, now)
    return len(ids)


def retry(message: OutboxMessage) -> None:
    """Put a failed message back in line (an admin's decision); the caller commits."""
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = None
    db.session.info.setdefault(_SESSION_KEY, []).append(message)
