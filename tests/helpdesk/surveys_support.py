"""Shared helpers and fixtures for the satisfaction survey tests (issue 7).

Tickets are filed and moved with notification_rules_support's fixtures (the
engine, as the pages do); the test plugin below adds two services: one whose
workflow can reopen a concluded ticket, and one whose survey asks questions of
its own through ``helpdesk_survey_questions``. The test modules bind the
fixtures by name.
"""

from __future__ import annotations

import email.policy
import re
import types
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from helpdesk import hookimpl
from helpdesk import surveys
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SurveyQuestion
from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import OutboxMessage
from helpdesk.models import Survey
from helpdesk.models import Tenant
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.definition import Transition
from helpdesk.workflow.skeleton import skeleton
from tests.helpdesk import notification_rules_support as rules
from tests.helpdesk.notification_rules_support import AGENT
from tests.helpdesk.notification_rules_support import BASE_URL
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import department_id

MX = ZoneInfo("America/Mexico_City")
STAFF = {"sinaloa": ("coordinador@sinaloa.example", "tecnico@sinaloa.example")}
REOPEN = "TEST-REOPEN"
ASK = "TEST-ASK"
LINK_RE = re.compile(re.escape(BASE_URL) + r"(/chalco/encuesta/([A-Za-z0-9_-]{43}))")
QUESTIONS = [
    SurveyQuestion(
        code="on_time", text="¿El servicio llegó a tiempo?", kind="yes_no", required=True
    ),
    SurveyQuestion(code="staff", text="¿Cómo le atendió el personal?", kind="scale"),
    SurveyQuestion(code="suggestion", text="¿Qué mejoraría?", kind="text"),
]


def _service(code: str, **kwargs: Any) -> ServiceDefinition:
    return ServiceDefinition(
        code=code,
        name=kwargs.pop("name", "Servicio de prueba de encuestas"),
        description="Para probar las encuestas.",
        source_document="Pruebas",
        area="Pruebas",
        department="DGD",
        **kwargs,
    )


def _reopenable():
    builder = skeleton()
    builder.add_transition(
        Transition(
            name="reopen",
            label="Reabrir",
            sources=("concluded",),
            target="in_progress",
            actors=("coordinator",),
        )
    )
    return builder.build()


def question_plugin() -> types.ModuleType:
    module = types.ModuleType("survey_test_plugin")

    @hookimpl
    def helpdesk_services():
        return [
            _service(REOPEN, name="Servicio que se puede reabrir", workflow=_reopenable()),
            _service(ASK, name="Servicio con preguntas propias"),
        ]

    @hookimpl
    def helpdesk_survey_questions(service):
        return list(QUESTIONS) if service.code == ASK else []

    module.helpdesk_services = helpdesk_services
    module.helpdesk_survey_questions = helpdesk_survey_questions
    return module


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "HELPDESK_BASE_URL": BASE_URL,
        "HELPDESK_REDIS_URL": None,
        "HELPDESK_SURVEY_RATE_LIMIT": "10000/minute",
        "HELPDESK_PLUGIN_OBJECTS": [("survey_questions", question_plugin())],
    }


def travel(*args: int):
    """Freeze the clock at a local Mexico City moment."""
    return time_machine.travel(datetime(*args, tzinfo=MX).astimezone(UTC), tick=False)


@pytest.fixture
def conclude(demo, file, move):
    """conclude(service=..., tenant=..., ...) -> the id of a filed, worked and concluded ticket."""

    def _conclude(
        ticket_id: int | None = None,
        *,
        tenant: str = "chalco",
        department: str = "DGD",
        **filing: Any,
    ) -> int:
        if ticket_id is None:
            ticket_id = file(tenant=tenant, **filing)
        coordinator, agent = (COORD, AGENT) if tenant == "chalco" else STAFF[tenant]
        move(
            ticket_id,
            "turn",
            coordinator,
            fields={"department_id": department_id(demo, department, tenant)},
        )
        move(ticket_id, "start", agent)
        move(ticket_id, "conclude", agent, fields={"text": "Se entregó lo solicitado."})
        return ticket_id

    return _conclude


def surveys_of(app, ticket_id: int | None = None) -> list[dict[str, Any]]:
    """Every survey row (of one ticket), as plain values."""
    with app.app_context():
        statement = select(Survey).order_by(Survey.id).execution_options(**{ALL_TENANTS: True})
        if ticket_id is not None:
            statement = statement.where(Survey.ticket_id == ticket_id)
        return [
            {
                column: getattr(row, column)
                for column in (
                    "id",
                    "ticket_id",
                    "tenant_id",
                    "requester_id",
                    "service_code",
                    "token_hash",
                    "nonce",
                    "created_at",
                    "expires_at",
                    "remind_at",
                    "reminded_at",
                    "answered_at",
                    "rating",
                    "comment",
                    "answers",
                    "followed_up_at",
                    "followed_up_by_id",
                    "follow_up_note",
                )
            }
            for row in db.session.scalars(statement)
        ]


def survey_of(app, ticket_id: int) -> dict[str, Any]:
    (row,) = surveys_of(app, ticket_id)
    return row


def token_of(app, ticket_id: int) -> str:
    with app.app_context():
        return surveys.token_for(survey_of(app, ticket_id)["nonce"])


@contextmanager
def in_tenant(app, slug: str = "chalco"):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        with scoped_to(tenant):
            yield tenant


def survey_row(ticket_id: int) -> Survey:
    """The ticket's survey (inside :func:`in_tenant`)."""
    return db.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))


def answer(app, ticket_id: int, rating: Any = "satisfied", **kwargs: Any) -> None:
    with in_tenant(app):
        surveys.answer(survey_row(ticket_id), rating=rating, **kwargs)


def remind(app, now: datetime) -> list[str]:
    with app.app_context():
        return surveys.remind_due(now)


def notices(app, kind: str) -> list[tuple[str, str]]:
    """(recipient e-mail, in-app line) of every notification of ``kind``."""
    with app.app_context():
        rows = db.session.execute(
            select(User.email, Notification.message)
            .join(User, User.id == Notification.user_id)
            .where(Notification.kind == kind)
            .order_by(Notification.id)
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        return [tuple(row) for row in rows]


def mails(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id)
            .execution_options(**{ALL_TENANTS: True})
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def eml_text(app, message_id: int) -> str:
    """The plain-text part of the .eml file the embedded transport wrote."""
    path = rules.mail_folder(app) / f"{message_id:08d}.eml"
    parsed = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    return parsed.get_body(("plain",)).get_content()


def link_in(text: str) -> tuple[str, str]:
    """(path, token) of the survey link in an e-mail's text."""
    found = LINK_RE.search(text)
    assert found, text
    return found.group(1), found.group(2)


def english(browser):
    """Pages in English (the msgids): the assertions hold whatever the Spanish catalog says."""
    browser.post("/idioma", {"locale": "en", "next": "/"})
    return browser
