"""The transactional outbox (helpdesk/outbox.py), its jobs and `helpdesk outbox`.

A message is written in the transaction of its change and dispatched once
that commits: sent in-process on the embedded default (after the response,
in a request), or handed to rq with Redis. Redis being down never fails the
request: the rows wait and leave once Redis is back, each exactly once.

The rq tests need a real Redis and run only with HELPDESK_TEST_REDIS_URL set;
every test app has its own queue name, and its keys are removed afterwards.
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
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from helpdesk import jobs
from helpdesk import outbox
from helpdesk.extensions import db
from helpdesk.mail_transport import FolderTransport
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.sla import as_utc
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.testing import redis_url

needs_redis = pytest.mark.skipif(not redis_url(), reason="needs HELPDESK_TEST_REDIS_URL")
NO_REDIS = {"HELPDESK_REDIS_URL": None}
# Nothing listens on port 1: a Redis that is configured but down.
REDIS_DOWN = {"HELPDESK_REDIS_URL": "redis://127.0.0.1:1/0"}
IN_PROCESS = {"HELPDESK_REDIS_URL": None, "HELPDESK_OUTBOX_FLUSH_SECONDS": 60}
T0 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
P10 = "/chalco/servicios/GCH-CCS-P10/solicitar"


# --- helpers ------------------------------------------------------------------------------


def new_message(app, tenant="chalco", **overrides) -> OutboxMessage:
    """An unsaved message of ``tenant`` (call inside an app context)."""
    tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == tenant))
    values = {
        "tenant_id": tenant_id,
        "kind": "ticket_filed",
        "recipient": f"solicitante@{tenant}.example",
        "subject": "Recepción de su solicitud",
        "text_body": "Hola:\n\nRecibimos su solicitud. ¿Dudas? Escríbanos.\n",
        "html_body": "<p>Recibimos su solicitud. ¿Dudas? Escríbanos.</p>\n",
        "message_id": make_msgid(domain="mesa-de-ayuda"),
    }
    values.update(overrides)
    return OutboxMessage(**values)


def add_message(app, **overrides) -> int:
    """A row written without being dispatched (not tracked); its id."""
    with app.app_context():
        row = new_message(app, **overrides)
        db.session.add(row)
        db.session.commit()
        return row.id


def rows(app):
    """Every message as {id: (status, attempts)}."""
    with app.app_context():
        found = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts)
            .order_by(OutboxMessage.id)
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        return {row.id: (row.status, row.attempts) for row in found}


def row_of(app, message_id):
    with app.app_context():
        found = db.session.get(OutboxMessage, message_id)
        db.session.expunge(found)
        return found


def mail_folder(app) -> Path:
    return Path(app.config["HELPDESK_MAIL_FOLDER"])


def mail_files(app) -> list[str]:
    folder = mail_folder(app)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def eml(message_id: int) -> str:
    return f"{message_id:08d}.eml"


def file_message_id(app, message_id) -> str:
    raw = (mail_folder(app) / eml(message_id)).read_bytes()
    return BytesParser(policy=policy.default).parsebytes(raw)["Message-ID"]


class Recorder:
    """A transport that records every message it is handed (optionally slow, or failing)."""

    def __init__(self, delay: float = 0.0, error: Exception | None = None) -> None:
        self.delay = delay
        self.error = error
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message) -> None:
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        with self.lock:
            self.sent.append(message.id)


@pytest.fixture
def recorder(monkeypatch):
    transport = Recorder()
    monkeypatch.setattr(outbox, "transport_for", lambda app: transport)
    return transport


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


def add_notify_route(app):
    """A page that tracks one message and commits, as a real step does."""

    from helpdesk.extensions import csrf

    @app.post("/_test/notify")
    @csrf.exempt
    def _test_notify() -> str:
        message = new_message(app)
        outbox.track(message)
        db.session.commit()
        return str(message.id)


def p10_form(app):
    from helpdesk.models import Unit

    with app.app_context():
        unit = db.session.scalar(select(Unit.id).where(Unit.name == "Dirección de la Mujer"))
    return {
        "problem_description": "La impresora de la oficina no enciende",
        "requester_name": "Laura Méndez Ortiz",
        "equipment_location": "Oficina de la Dirección de la Mujer, planta baja",
        "inventory_number": "INV-2024-0042",
        "municipal_infrastructure": "y",
        "unit_id": unit,
    }


def get(client, url="/login"):
    response = client.get(url)
    assert response.status_code == 200
    response.close()


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


def test_the_flush_interval_is_a_setting() -> None:
    from helpdesk.config import ConfigError
    from helpdesk.config import from_environment

    assert from_environment({})["HELPDESK_OUTBOX_FLUSH_SECONDS"] == 60
    assert (
        from_environment({"HELPDESK_OUTBOX_FLUSH_SECONDS": "0"})["HELPDESK_OUTBOX_FLUSH_SECONDS"]
        == 0
    )
    with pytest.raises(ConfigError, match="HELPDESK_OUTBOX_FLUSH_SECONDS"):
        from_environment({"HELPDESK_OUTBOX_FLUSH_SECONDS": "-1"})


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


# --- with Redis ---------------------------------------------------------------------------


@pytest.fixture
def rq_queue(app):
    """The test app's queue on the real Redis; its keys (and its jobs) are removed afterwards."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url())
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
    import rq

    with app.app_context():
        worker = rq.SimpleWorker([queue], connection=queue.connection, name=f"{queue.name}-{name}")
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
