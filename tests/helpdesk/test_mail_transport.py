"""Where e-mail goes (helpdesk/mail_transport.py): a folder of .eml files, or SMTP.

The SMTP tests run a real local server (aiosmtpd): one that accepts, one that
refuses at DATA or at RCPT. A refused message is tried again with back-off
(1, 2, 4 … minutes after each failure), ends in the failed list after
HELPDESK_MAIL_MAX_ATTEMPTS, and an admin's retry sends it once the server
accepts.
"""

from __future__ import annotations

import socket
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email import message_from_bytes
from email import policy
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from helpdesk import outbox
from helpdesk.extensions import db
from helpdesk.mail_transport import FolderTransport
from helpdesk.mail_transport import SmtpTransport
from helpdesk.mail_transport import build_email
from helpdesk.mail_transport import transport_for
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.sla import as_utc

SENDER = "Mesa de ayuda <mesa-de-ayuda@chalco.example>"
SUBJECT = "Recepción de su solicitud CHALCO-P10-2026-000001: ¿qué sigue? (año, niño)"
TEXT = (
    "Hola, Laura Méndez Ortiz:\n\n"
    "Recibimos su solicitud «Reparación de impresora». ¿Dudas? Escríbanos.\n"
    "Dirección de Tecnologías de la Información — Chalco\n"
)
HTML = (
    "<p>Hola, <strong>Laura Méndez Ortiz</strong>:</p>\n"
    "<p>Recibimos su solicitud «Reparación de impresora». ¿Dudas? Escríbanos.</p>\n"
)
T0 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def message_row(**overrides):
    values = {
        "id": 7,
        "tenant_id": 1,
        "kind": "ticket_filed",
        "recipient": "solicitante@chalco.example",
        "subject": SUBJECT,
        "text_body": TEXT,
        "html_body": HTML,
        "message_id": "<aviso-7@mesa-de-ayuda>",
    }
    values.update(overrides)
    return OutboxMessage(**values)


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def parts(mail):
    return {part.get_content_type(): part.get_content() for part in mail.iter_parts()}


def wire_parts(mail):
    """The parts of a message received over SMTP (CRLF line ends on the wire)."""
    return {kind: text.replace("\r\n", "\n") for kind, text in parts(mail).items()}


# --- the message --------------------------------------------------------------------------


def test_folder_writes_one_parseable_eml_with_accents_intact(tmp_path) -> None:
    FolderTransport(tmp_path / "mail", SENDER).send(message_row())
    files = sorted((tmp_path / "mail").iterdir())
    assert [f.name for f in files] == ["00000007.eml"]
    raw = files[0].read_bytes()
    # 7-bit on disk and on the wire (RFC 2047 subject, quoted-printable bodies).
    assert raw.isascii()
    mail = parse(raw)
    assert mail["Subject"] == SUBJECT
    assert mail["From"] == SENDER
    assert mail["To"] == "solicitante@chalco.example"
    assert mail["Message-ID"] == "<aviso-7@mesa-de-ayuda>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    assert parts(mail) == {"text/plain": TEXT, "text/html": HTML}
    for part in mail.iter_parts():
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"


def test_a_message_without_html_is_plain_text(tmp_path) -> None:
    FolderTransport(tmp_path, SENDER).send(message_row(html_body=""))
    mail = parse((tmp_path / "00000007.eml").read_bytes())
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content() == TEXT


def test_writing_again_replaces_the_file_and_keeps_the_message_id(tmp_path) -> None:
    transport = FolderTransport(tmp_path, SENDER)
    transport.send(message_row(subject="Primer intento"))
    first = parse((tmp_path / "00000007.eml").read_bytes())
    transport.send(message_row(subject="Segundo intento: Recepción"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00000007.eml"]  # no .part left
    second = parse((tmp_path / "00000007.eml").read_bytes())
    assert second["Subject"] == "Segundo intento: Recepción"
    assert first["Message-ID"] == second["Message-ID"] == "<aviso-7@mesa-de-ayuda>"


def test_the_message_id_is_the_rows_across_builds() -> None:
    row = message_row()
    ids = {build_email(row, SENDER)["Message-ID"] for _ in range(3)}
    assert ids == {"<aviso-7@mesa-de-ayuda>"}


# --- which transport ----------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"HELPDESK_SMTP_HOST": None}])
def test_embedded_default_is_the_folder(app) -> None:
    transport = transport_for(app)
    assert isinstance(transport, FolderTransport)
    assert transport.folder == Path(app.config["HELPDESK_MAIL_FOLDER"])


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "HELPDESK_SMTP_HOST": "smtp.chalco.example",
            "HELPDESK_SMTP_PORT": 587,
            "HELPDESK_SMTP_USER": "mesa",
            "HELPDESK_SMTP_PASSWORD": "secreto",
            "HELPDESK_SMTP_SECURITY": "starttls",
            "HELPDESK_SMTP_TIMEOUT": 7,
            "HELPDESK_MAIL_FROM": SENDER,
        }
    ],
)
def test_smtp_settings_come_from_the_config(app) -> None:
    transport = transport_for(app)
    assert isinstance(transport, SmtpTransport)
    assert (transport.host, transport.port, transport.user, transport.password) == (
        "smtp.chalco.example",
        587,
        "mesa",
        "secreto",
    )
    assert (transport.security, transport.timeout, transport.sender) == ("starttls", 7.0, SENDER)


# --- a local SMTP server ------------------------------------------------------------------


class Handler:
    """Accepts and keeps each message, or refuses at DATA or RCPT while ``refuse`` is set."""

    def __init__(self) -> None:
        self.refuse: str | None = None  # None, "data" or "rcpt"
        self.received: list = []
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse == "rcpt":
            self.refused += 1
            return "550 5.1.1 Buzón no disponible"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse == "data":
            self.refused += 1
            return "554 5.7.1 Mensaje rechazado por política"
        self.received.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def app_config(smtp_server):
    """Every app of this module sends through the local server."""
    return {
        "HELPDESK_SMTP_HOST": "127.0.0.1",
        "HELPDESK_SMTP_PORT": smtp_server.port,
        "HELPDESK_SMTP_TIMEOUT": 5,
        "HELPDESK_MAIL_FROM": SENDER,
        "HELPDESK_MAIL_MAX_ATTEMPTS": 4,
        "HELPDESK_REDIS_URL": None,
    }


def add_pending(app, **overrides) -> int:
    """A pending row of chalco, written without being dispatched; its id."""
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        values = {
            "tenant_id": tenant.id,
            "kind": "ticket_filed",
            "recipient": "solicitante@chalco.example",
            "subject": SUBJECT,
            "text_body": TEXT,
            "html_body": HTML,
            "message_id": make_msgid(domain="mesa-de-ayuda"),
            "next_attempt_at": T0,
        }
        values.update(overrides)
        row = OutboxMessage(**values)
        db.session.add(row)
        db.session.commit()
        return row.id


def state(app, message_id):
    with app.app_context():
        row = db.session.get(OutboxMessage, message_id)
        return {
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": as_utc(row.next_attempt_at),
            "last_error": row.last_error,
            "message_id": row.message_id,
            "sent": row.sent_at is not None,
        }


def send(app, message_id, now):
    with app.app_context():
        return outbox.send(message_id, now)


def test_an_accepting_server_gets_the_message_once(demo, smtp_server) -> None:
    message_id = add_pending(demo)
    assert send(demo, message_id, T0) == "sent"
    assert send(demo, message_id, T0 + timedelta(hours=1)) == "skipped"

    received = smtp_server.handler.received
    assert len(received) == 1
    envelope = received[0]
    assert envelope.mail_from == "mesa-de-ayuda@chalco.example"
    assert envelope.rcpt_tos == ["solicitante@chalco.example"]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"] == SUBJECT
    assert mail["To"] == "solicitante@chalco.example"
    assert mail["Message-ID"] == state(demo, message_id)["message_id"]
    assert wire_parts(mail) == {"text/plain": TEXT, "text/html": HTML}
    after = state(demo, message_id)
    assert (after["status"], after["attempts"], after["last_error"], after["sent"]) == (
        "sent",
        1,
        None,
        True,
    )


@pytest.mark.parametrize("refuse, code", [("data", "554"), ("rcpt", "550")])
def test_a_refusing_server_means_retries_with_backoff_then_the_failed_list(
    demo, smtp_server, login_as, refuse, code
) -> None:
    handler = smtp_server.handler
    handler.refuse = refuse
    message_id = add_pending(demo)

    now = T0
    for attempt, wait in [(1, 1), (2, 2), (3, 4)]:
        assert send(demo, message_id, now) == "retry"
        after = state(demo, message_id)
        assert after["status"] == "pending"
        assert after["attempts"] == attempt
        assert after["next_attempt_at"] == now + timedelta(minutes=wait)
        assert code in after["last_error"]
        # Not due before its time: nothing is tried.
        assert send(demo, message_id, now + timedelta(minutes=wait, seconds=-1)) == "skipped"
        assert state(demo, message_id)["attempts"] == attempt
        now += timedelta(minutes=wait)

    # The fourth attempt (HELPDESK_MAIL_MAX_ATTEMPTS) is the last.
    assert send(demo, message_id, now) == "failed"
    after = state(demo, message_id)
    assert (after["status"], after["attempts"]) == ("failed", 4)
    assert code in after["last_error"]
    assert send(demo, message_id, now + timedelta(days=1)) == "skipped"
    with demo.app_context():
        assert outbox.due_ids(now + timedelta(days=1)) == []
    assert handler.refused == 4
    assert handler.received == []

    # The server accepts again; an admin retries from the outbox page.
    handler.refuse = None
    admin = login_as("tenant_admin")
    page = admin.get("/chalco/admin/outbox").get_data(as_text=True)
    assert f'id="message-{message_id}"' in page and code in page
    response = admin.post(f"/chalco/admin/outbox/{message_id}/retry")
    assert response.status_code == 302
    before_close = state(demo, message_id)
    assert (before_close["status"], before_close["attempts"]) == ("pending", 0)
    assert before_close["last_error"] is None
    response.close()  # the server has sent the page: now the mail leaves
    after = state(demo, message_id)
    assert (after["status"], after["attempts"], after["sent"]) == ("sent", 1, True)
    assert len(handler.received) == 1
    mail = message_from_bytes(handler.received[0].original_content, policy=policy.default)
    assert mail["Message-ID"] == after["message_id"]  # the same across every attempt
    assert mail["Subject"] == SUBJECT


def test_a_server_that_is_not_there_is_a_retry(demo, smtp_server) -> None:
    message_id = add_pending(demo)
    demo.config["HELPDESK_SMTP_PORT"] = free_port()  # nobody listens there
    assert send(demo, message_id, T0) == "retry"
    after = state(demo, message_id)
    assert (after["status"], after["attempts"]) == ("pending", 1)
    assert after["last_error"].startswith("ConnectionRefusedError")
    demo.config["HELPDESK_SMTP_PORT"] = smtp_server.port
    assert send(demo, message_id, T0 + timedelta(minutes=1)) == "sent"
    assert len(smtp_server.handler.received) == 1


def test_long_accented_subjects_come_back_word_for_word(tmp_path) -> None:
    # Folding a subject into several encoded words used to drop the space
    # between two accented words ("concluír más" → "concluírmás").
    words = ["respaldar", "y", "concluír", "más", "acción", "ñandú", "Coordinación", "de"]
    subject = " ".join(words[i % len(words)] for i in range(40))[:300]
    build = build_email(message_row(subject=subject), SENDER)
    assert str(parse(bytes(build))["Subject"]) == subject
