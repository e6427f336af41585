"""Helpers shared by the outbox tests (test_outbox.py and test_outbox_redis.py)."""

from __future__ import annotations

import threading
import time
from datetime import UTC
from datetime import datetime
from email import policy
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path

from sqlalchemy import select

from helpdesk import outbox
from helpdesk.extensions import db
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.tenancy import ALL_TENANTS

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
