"""The transactional outbox (helpdesk/outbox.py), its jobs and `helpdesk outbox`.

A message is written in the transaction of its change and dispatched once
that commits: sent in-process on the embedded default (after the response,
in a request), or handed to rq with Redis. Redis being down never fails the
request: the rows wait and leave once Redis is back, each exactly once.

The tests with Redis (down, or a real one) are in test_outbox_redis.py; the
helpers both files share are in outbox_support.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import jobs
from helpdesk import outbox
from helpdesk.extensions import db
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.sla import as_utc
from tests.helpdesk.outbox_support import IN_PROCESS
from tests.helpdesk.outbox_support import NO_REDIS
from tests.helpdesk.outbox_support import REDIS_DOWN
from tests.helpdesk.outbox_support import T0
from tests.helpdesk.outbox_support import Recorder
from tests.helpdesk.outbox_support import add_message
from tests.helpdesk.outbox_support import add_notify_route
from tests.helpdesk.outbox_support import eml
from tests.helpdesk.outbox_support import file_message_id
from tests.helpdesk.outbox_support import get
from tests.helpdesk.outbox_support import mail_files
from tests.helpdesk.outbox_support import mail_folder
from tests.helpdesk.outbox_support import new_message
from tests.helpdesk.outbox_support import row_of
from tests.helpdesk.outbox_support import rows

# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def recorder(monkeypatch):
    transport = Recorder()
    monkeypatch.setattr(outbox, "transport_for", lambda app: transport)
    return transport


# --- back-off -----------------------------------------------------------------------------


def test_backoff_doubles_from_one_minute() -> None:
    assert [outbox.backoff(n) for n in range(0, 6)] == [
        timedelta(minutes=m) for m in (1, 1, 2, 4, 8, 16)
    ]


# --- tracked with the transaction ---------------------------------------------------------


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_committed_message_is_sent_in_process(demo) -> None:
    with demo.app_context():
        message = new_message(demo)
        outbox.track(message)
        assert mail_files(demo) == []
        db.session.commit()
        message_id = message.id
    assert rows(demo) == {message_id: ("sent", 1)}
    assert mail_files(demo) == [eml(message_id)]
    assert file_message_id(demo, message_id) == row_of(demo, message_id).message_id


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_rolled_back_message_is_neither_saved_nor_sent(demo) -> None:
    with demo.app_context():
        outbox.track(new_message(demo))
        db.session.flush()
        db.session.rollback()
        assert outbox._SESSION_KEY not in db.session.info
        # A later commit in the same session dispatches nothing left over.
        db.session.scalar(select(func.count(Tenant.id)))
        db.session.commit()
    assert rows(demo) == {}
    assert mail_files(demo) == []


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_savepoint_rolled_back_keeps_the_messages_tracked_before_it(demo) -> None:
    with demo.app_context():
        kept = new_message(demo)
        outbox.track(kept)
        savepoint = db.session.begin_nested()
        outbox.track(new_message(demo, recipient="otro@chalco.example"))
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
        kept_id = kept.id
    assert rows(demo) == {kept_id: ("sent", 1)}
    assert mail_files(demo) == [eml(kept_id)]


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_in_a_request_the_mail_leaves_after_the_response(demo) -> None:
    add_notify_route(demo)
    response = demo.test_client().post("/_test/notify")
    assert response.status_code == 200
    message_id = int(response.get_data(as_text=True))
    # The row is saved with the change; the page is answered before the mail leaves.
    assert rows(demo) == {message_id: ("pending", 0)}
    assert mail_files(demo) == []
    response.close()
    assert rows(demo) == {message_id: ("sent", 1)}
    assert mail_files(demo) == [eml(message_id)]


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_failing_dispatch_after_the_response_is_only_logged(demo, monkeypatch, caplog) -> None:
    add_notify_route(demo)

    def broken(*args, **kwargs):
        raise RuntimeError("base de datos ocupada")

    monkeypatch.setattr(outbox, "_send_all", broken)
    response = demo.test_client().post("/_test/notify")
    assert response.status_code == 200
    response.close()  # does not raise into the server
    message_id = int(response.get_data(as_text=True))
    assert rows(demo) == {message_id: ("pending", 0)}
    assert "could not dispatch 1 message(s)" in caplog.text


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_filed_request_writes_its_spanish_mail_with_accents_intact(demo, make_ticket) -> None:
    make_ticket(
        "GCH-CCS-P10",
        data={
            "problem_description": "La impresora de la Dirección no enciende",
            "requester_name": "Laura Méndez Ortiz",
            "equipment_location": "Dirección de la Mujer",
            "municipal_infrastructure": True,
        },
    )
    with demo.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
    assert messages and {m.status for m in messages} == {"sent"}
    assert mail_files(demo) == [eml(m.id) for m in messages]
    # What was rendered is what was written, every accent included.
    assert any(not (m.subject + m.text_body).isascii() for m in messages)
    for message in messages:
        raw = (mail_folder(demo) / eml(message.id)).read_bytes()
        assert raw.isascii()  # encoded for any mail server
        mail = BytesParser(policy=policy.default).parsebytes(raw)
        assert mail["Subject"] == message.subject
        assert mail["To"] == message.recipient
        text = mail.get_body(("plain",)).get_content()
        assert text.rstrip("\n") == message.text_body.rstrip("\n")
        if message.html_body:
            html = mail.get_body(("html",)).get_content()
            assert html.rstrip("\n") == message.html_body.rstrip("\n")


# --- exactly once -------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_sending_twice_sends_once(demo, recorder) -> None:
    message_id = add_message(demo, next_attempt_at=T0)
    with demo.app_context():
        assert outbox.send(message_id, T0) == "sent"
        assert outbox.send(message_id, T0) == "skipped"
        assert outbox.send(message_id, T0 + timedelta(days=1)) == "skipped"
    assert recorder.sent == [message_id]
    assert rows(demo) == {message_id: ("sent", 1)}


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_the_callers_own_instance_stays_in_its_session_and_current(demo, recorder) -> None:
    message_id = add_message(demo, next_attempt_at=T0)
    with demo.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert outbox.send(message_id, T0) == "sent"
        assert message in db.session
        assert (message.status, message.attempts, message.sent_at is not None) == (
            "sent",
            1,
            True,
        )


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_two_threads_at_once_send_once(demo, recorder) -> None:
    recorder.delay = 0.2  # both threads are inside send() together
    ids = [add_message(demo, next_attempt_at=T0) for _ in range(3)]
    for message_id in ids:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def worker(message_id=message_id, barrier=barrier, outcomes=outcomes, errors=errors):
            try:
                with demo.app_context():
                    barrier.wait()
                    outcomes.append(outbox.send(message_id, T0))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert sorted(outcomes) == ["sent", "skipped"]
    assert recorder.sent == ids
    assert rows(demo) == {message_id: ("sent", 1) for message_id in ids}


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_claim_of_a_dead_worker_is_taken_back_after_the_lease(demo, monkeypatch) -> None:
    message_id = add_message(demo, next_attempt_at=T0)

    class Killed:
        def send(self, message):
            raise SystemExit("worker killed mid-send")

    monkeypatch.setattr(outbox, "transport_for", lambda app: Killed())
    with demo.app_context(), pytest.raises(SystemExit):
        outbox.send(message_id, T0)
    assert rows(demo) == {message_id: ("sending", 1)}

    transport = Recorder()
    monkeypatch.setattr(outbox, "transport_for", lambda app: transport)
    lease_ends = T0 + outbox.LEASE
    with demo.app_context():
        # Within the lease nobody else takes it.
        assert outbox.due_ids(lease_ends - timedelta(seconds=1)) == []
        assert outbox.send(message_id, lease_ends - timedelta(seconds=1)) == "skipped"
        assert outbox.due_ids(lease_ends) == [message_id]
        assert outbox.send(message_id, lease_ends) == "sent"
        # The first claim's late outcome cannot overwrite the second's.
        assert not outbox._finish(db.session, message_id, 1, {"status": "failed"})
    assert transport.sent == [message_id]
    assert rows(demo) == {message_id: ("sent", 2)}


# --- retries, flush, retry ----------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{**NO_REDIS, "HELPDESK_MAIL_MAX_ATTEMPTS": 3}])
def test_failures_back_off_then_fail(demo, recorder) -> None:
    recorder.error = OSError("sin conexión")
    message_id = add_message(demo, next_attempt_at=T0)
    moments = []
    with demo.app_context():
        now = T0
        for expected in ("retry", "retry", "failed"):
            assert outbox.send(message_id, now) == expected
            row = db.session.get(OutboxMessage, message_id)
            moments.append(as_utc(row.next_attempt_at))
            now = as_utc(row.next_attempt_at)
        row = db.session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts, row.last_error) == ("failed", 3, "OSError: sin conexión")
    # 1 then 2 minutes; the last attempt keeps its lease moment (nothing more is due).
    assert moments[:2] == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=3)]
    assert recorder.sent == []


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_flush_sends_what_is_due_and_leaves_the_rest(demo) -> None:
    due = add_message(demo, next_attempt_at=T0)
    later = add_message(demo, next_attempt_at=T0 + timedelta(hours=1))
    failed = add_message(demo, next_attempt_at=T0, status="failed", attempts=5)
    sent = add_message(demo, next_attempt_at=T0, status="sent", attempts=1)
    with demo.app_context():
        assert outbox.due_ids(T0) == [due]
        outcomes: Counter[str] = Counter()
        assert outbox.flush(T0, outcomes=outcomes) == 1
        assert outcomes == Counter(sent=1)
        assert outbox.flush(T0) == 0
    assert rows(demo) == {
        due: ("sent", 1),
        later: ("pending", 0),
        failed: ("failed", 5),
        sent: ("sent", 1),
    }
    assert mail_files(demo) == [eml(due)]


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_retry_puts_only_a_failed_message_back_and_it_leaves_on_commit(demo) -> None:
    failed = add_message(demo, status="failed", attempts=5, last_error="SMTPDataError: 554")
    sent = add_message(demo, status="sent", attempts=1)
    with demo.app_context():
        assert outbox.retry(db.session.get(OutboxMessage, sent)) is False
        assert outbox.retry(db.session.get(OutboxMessage, failed)) is True
        db.session.commit()
    assert rows(demo) == {failed: ("sent", 1), sent: ("sent", 1)}
    assert row_of(demo, failed).last_error is None
    assert mail_files(demo) == [eml(failed)]


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_a_retry_from_a_stale_page_does_not_send_again(demo) -> None:
    failed = add_message(demo, status="failed", attempts=5)
    with demo.app_context():
        stale = db.session.get(OutboxMessage, failed)  # one admin's page, loaded
        with demo.app_context():  # another admin retries first; it is sent
            assert outbox.retry(db.session.get(OutboxMessage, failed)) is True
            db.session.commit()
        assert stale.status == "failed"
        assert outbox.retry(stale) is False
        db.session.commit()
    assert rows(demo) == {failed: ("sent", 1)}
    assert mail_files(demo) == [eml(failed)]


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_send_job_runs_in_the_callers_app(demo) -> None:
    message_id = add_message(demo)
    with demo.app_context():
        assert outbox.send_job(message_id) == "sent"
        assert outbox.send_job(message_id) == "skipped"
    assert mail_files(demo) == [eml(message_id)]


# --- the in-process flush after responses -------------------------------------------------


@pytest.mark.parametrize("app_config", [IN_PROCESS])
def test_in_process_flush_runs_after_a_response_at_most_once_per_interval(
    demo, client, monkeypatch
) -> None:
    first = add_message(demo)
    get(client)
    assert rows(demo) == {first: ("sent", 1)}

    second = add_message(demo)
    get(client)
    get(client, "/chalco/")
    assert rows(demo)[second] == ("pending", 0)

    later = time.monotonic() + 61
    monkeypatch.setattr(jobs.time, "monotonic", lambda: later)
    get(client)
    assert rows(demo) == {first: ("sent", 1), second: ("sent", 1)}
    assert mail_files(demo) == [eml(first), eml(second)]


@pytest.mark.parametrize(
    "app_config",
    [
        {"HELPDESK_REDIS_URL": None, "HELPDESK_OUTBOX_FLUSH_SECONDS": 0},
        # With Redis the worker flushes; the web tier never does.
        {**REDIS_DOWN, "HELPDESK_OUTBOX_FLUSH_SECONDS": 60},
    ],
    ids=["interval-0", "redis"],
)
def test_no_in_process_flush_when_disabled_or_with_redis(demo, client) -> None:
    message_id = add_message(demo)
    get(client)
    get(client, "/chalco/")
    assert rows(demo) == {message_id: ("pending", 0)}
    assert mail_files(demo) == []


def test_the_flush_interval_is_a_setting(tmp_path) -> None:
    from helpdesk.config import ConfigError
    from helpdesk.config import from_environment

    # Its own instance folder: without a key, reading the settings writes one.
    base = {"HELPDESK_INSTANCE_PATH": str(tmp_path)}
    assert from_environment(base)["HELPDESK_OUTBOX_FLUSH_SECONDS"] == 60
    assert (
        from_environment({**base, "HELPDESK_OUTBOX_FLUSH_SECONDS": "0"})[
            "HELPDESK_OUTBOX_FLUSH_SECONDS"
        ]
        == 0
    )
    with pytest.raises(ConfigError, match="HELPDESK_OUTBOX_FLUSH_SECONDS"):
        from_environment({**base, "HELPDESK_OUTBOX_FLUSH_SECONDS": "-1"})


# --- `helpdesk outbox` --------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_outbox_flush_command_sends_what_is_due(demo, runner) -> None:
    due = add_message(demo, next_attempt_at=T0)
    add_message(demo, next_attempt_at=T0 + timedelta(hours=1))
    result = runner.invoke(args=["outbox", "flush", "--at", "2026-03-02T16:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert result.output == "Mensajes por enviar: 1\n  enviados: 1\n"
    assert mail_files(demo) == [eml(due)]
    result = runner.invoke(args=["outbox", "flush", "--at", "2026-03-02T16:00:00", "--json"])
    assert json.loads(result.output) == {"handed_on": 0, "redis": False}
    result = runner.invoke(args=["outbox", "flush", "--at", "ayer"])
    assert result.exit_code == 2
    assert "«ayer» no es una fecha ISO" in result.output


@pytest.mark.parametrize("app_config", [REDIS_DOWN])
def test_outbox_flush_command_says_when_redis_is_down(demo, runner) -> None:
    add_message(demo)
    add_message(demo)
    result = runner.invoke(args=["outbox", "flush"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Mensajes entregados a la cola: 0\n  Redis no responde; esperan en la bandeja: 2\n"
    )


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_outbox_list_command(demo, runner) -> None:
    assert runner.invoke(args=["outbox", "list"]).output == "No hay mensajes.\n"
    pending = add_message(demo, next_attempt_at=T0, recipient="uno@chalco.example")
    failed = add_message(
        demo,
        next_attempt_at=T0,
        status="failed",
        attempts=5,
        recipient="dos@chalco.example",
        subject="Aviso: solicitud concluida",
        last_error="SMTPDataError: (554, b'5.7.1 Rechazado')",
    )
    add_message(demo, status="sent", attempts=1, recipient="tres@chalco.example")
    sinaloa = add_message(demo, tenant="sinaloa", status="failed", attempts=5)

    result = runner.invoke(args=["outbox", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:4] for line in lines if line[:6].strip().isdigit()] == [
        [str(pending), "pendiente", "0", "chalco"],
        [str(failed), "fallido", "5", "chalco"],
        [str(sinaloa), "fallido", "5", "sinaloa"],
    ]
    assert "        último error: SMTPDataError: (554, b'5.7.1 Rechazado')" in lines
    assert lines[-1] == "Total: 3"

    result = runner.invoke(
        args=["outbox", "list", "--status", "failed", "--tenant", "chalco", "--json"]
    )
    items = json.loads(result.output)
    assert datetime.fromisoformat(items[0].pop("created_at")).tzinfo == UTC
    assert items == [
        {
            "id": failed,
            "tenant": "chalco",
            "status": "failed",
            "kind": "ticket_filed",
            "recipient": "dos@chalco.example",
            "subject": "Aviso: solicitud concluida",
            "attempts": 5,
            "last_error": "SMTPDataError: (554, b'5.7.1 Rechazado')",
            "next_attempt_at": "2026-03-02T16:00:00+00:00",
            "sent_at": None,
        }
    ]
    sent = json.loads(runner.invoke(args=["outbox", "list", "--status", "sent", "--json"]).output)
    assert [item["recipient"] for item in sent] == ["tres@chalco.example"]
    result = runner.invoke(args=["outbox", "list", "--tenant", "nadie"])
    assert result.exit_code == 2
    assert "no existe el gobierno «nadie»" in result.output


@pytest.mark.parametrize("app_config", [NO_REDIS])
def test_outbox_retry_command(demo, runner) -> None:
    failed = add_message(demo, status="failed", attempts=5, last_error="OSError: sin red")
    result = runner.invoke(args=["outbox", "retry", str(failed)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Mensaje {failed} devuelto a la cola; estado: enviado.\n"
    assert rows(demo) == {failed: ("sent", 1)}
    assert mail_files(demo) == [eml(failed)]

    result = runner.invoke(args=["outbox", "retry", str(failed)])
    assert result.exit_code == 1
    assert f"El mensaje {failed} no está en la lista de fallidos (estado: enviado)." in (
        result.output
    )
    result = runner.invoke(args=["outbox", "retry", "999"])
    assert result.exit_code == 1
    assert "No existe el mensaje 999." in result.output
    assert mail_files(demo) == [eml(failed)]
