"""A service whose targets depend on what is asked (``ServiceDefinition.sla_for``)."""

import types
from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from helpdesk import demo as demo_data
from helpdesk import hookimpl
from helpdesk import plugins
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import SlaPolicy
from helpdesk.extensions import db
from helpdesk.models import SlaClock
from helpdesk.models import Tenant
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose

MX = ZoneInfo("America/Mexico_City")
URGENT = SlaPolicy(respond=BusinessDuration(amount=1, unit="hours"))


def by_group(data):
    return URGENT if data.get("group") == "urgent" else None


GROUPED = ServiceDefinition(
    code="GRP-01",
    name="Servicio con grupos",
    description="Cada grupo del catálogo tiene su propio acuerdo de nivel de servicio.",
    source_document="Prueba",
    area="Soporte",
    department="DGD",
    sla=SlaPolicy(
        respond=BusinessDuration(amount=1, unit="days"),
        resolve=BusinessDuration(amount=3, unit="days"),
    ),
    sla_for=by_group,
)


@pytest.fixture
def app(tmp_path):
    module = types.ModuleType("grouped_plugin")

    @hookimpl
    def helpdesk_services():
        return [GROUPED]

    module.helpdesk_services = helpdesk_services
    application = build_test_app(
        tmp_path, HELPDESK_LOAD_PLUGINS=[], HELPDESK_PLUGIN_OBJECTS=[("grouped", module)]
    )
    with application.app_context():
        demo_data.load(plugins.host().catalog)
    yield application
    dispose(application)


def file(app, group, *, respond_hours_override=None):
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=MX).astimezone(UTC)
    with time_machine.travel(moment, tick=False), app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        with scoped_to(tenant):
            requester = db.session.scalar(
                select(User).where(User.email == "solicitante@chalco.example")
            )
            rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
            rows["GRP-01"].enabled = True
            if respond_hours_override:
                rows["GRP-01"].respond_amount = respond_hours_override
                rows["GRP-01"].respond_unit = "hours"
            db.session.commit()
            service = service_settings.effective(GROUPED, rows["GRP-01"], tenant)
            ticket = tickets.file_request(
                tenant=tenant,
                service=service,
                requester=requester,
                filed_by=requester,
                data={"group": group},
                unit_id=requester.unit_id,
            )
            return {
                row.target: row.budget_seconds
                for row in db.session.scalars(
                    select(SlaClock).where(SlaClock.ticket_id == ticket.id)
                )
            }


def test_the_requests_group_sets_its_targets(app):
    # Urgent: answer within 1 business hour, and no resolve target of its own.
    assert file(app, "urgent") == {"respond": 3600}
    # Any other group: the service's targets (one and three business days of 7 h).
    assert file(app, "normal") == {"respond": 7 * 3600, "resolve": 21 * 3600}


def test_the_tenants_override_still_wins(app):
    assert file(app, "urgent", respond_hours_override=4) == {"respond": 4 * 3600}
