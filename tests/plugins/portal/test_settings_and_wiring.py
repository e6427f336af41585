"""A tenant that stops offering a portal service, and the plugin's contributions."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.models import Ticket

from .helpers import pdf_of

LIAISON = {"name": "Laura Méndez", "email": "solicitante@chalco.example", "phone": "5555"}
CASES = {
    "GCH-CCS-P07": (
        "chalco",
        {
            "request_kind": "creation",
            "system_name": "Sistema de inventario",
            "justification": "El inventario se lleva en papel.",
            "objective": "Consultar el inventario en línea.",
        },
    ),
    "GCH-CCS-P08": (
        "chalco",
        {
            "site": "chalco",
            "section": "Avisos",
            "content": "Aviso de suspensión de labores.",
            "publication_date": (date.today() + timedelta(days=20)).isoformat(),
        },
    ),
    "PSDT-05": (
        "sinaloa",
        {"service_name": "Citas en línea", "service_url": "https://citas.example.gob.mx/"},
    ),
}


def setting_id(app, tenant: str, code: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(TenantService.id)
            .join(Tenant, Tenant.id == TenantService.tenant_id)
            .where(Tenant.slug == tenant, TenantService.service_code == code)
        )


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_disabled_service_leaves_the_portal_but_its_tickets_stay_readable(
    demo, login_as, make_ticket, code
):
    tenant, data = CASES[code]
    kwargs = {"liaison": LIAISON} if code == "GCH-CCS-P07" else {}
    ticket_id = make_ticket(code, tenant=tenant, data=data, **kwargs)
    with demo.app_context():
        folio = db.session.get(Ticket, ticket_id).folio
    requester = login_as("requester", tenant=tenant)
    assert code in requester.get(f"/{tenant}/").get_data(as_text=True)

    admin = login_as("tenant_admin", tenant=tenant)
    admin.get(f"/{tenant}/admin/services")
    toggled = admin.post(f"/{tenant}/admin/services/{setting_id(demo, tenant, code)}/toggle")
    assert toggled.status_code == 302
    with demo.app_context():
        assert not db.session.get(TenantService, setting_id(demo, tenant, code)).enabled

    assert code not in requester.get(f"/{tenant}/").get_data(as_text=True)
    assert requester.get(f"/{tenant}/servicios/{code}/solicitar").status_code == 404
    coordinator = login_as("coordinator", tenant=tenant)
    assert coordinator.get(f"/{tenant}/mesa/nueva/{code}").status_code == 404
    assert code not in coordinator.get(f"/{tenant}/mesa/nueva").get_data(as_text=True)
    # What was filed stays readable, with its documents and pages.
    staff_page = coordinator.get(f"/{tenant}/mesa/solicitudes/{folio}")
    assert staff_page.status_code == 200 and folio in staff_page.get_data(as_text=True)
    assert requester.get(f"/{tenant}/solicitudes/{folio}").status_code == 200
    if code == "PSDT-05":
        assert folio in pdf_of(coordinator, tenant, folio, "orden-de-servicio")
        assert coordinator.get("/sinaloa/s/portal/ligas").status_code == 200
    if code == "GCH-CCS-P07":
        assert coordinator.get("/chalco/s/portal/sistemas").status_code == 200

    admin.post(f"/{tenant}/admin/services/{setting_id(demo, tenant, code)}/toggle")
    assert code in requester.get(f"/{tenant}/").get_data(as_text=True)


def test_the_plugin_contributes_services_pages_and_command(app):
    host = app.extensions["helpdesk"]
    assert {s.code for s in host.catalog if s.plugin == "portal"} == {
        "GCH-CCS-P07",
        "GCH-CCS-P08",
        "PSDT-05",
    }
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert {"/<tenant>/s/portal/sistemas", "/<tenant>/s/portal/ligas"} <= rules
    assert "check-links" in app.cli.commands["portal"].commands
    documents = {
        code: [d.name for d in host.catalog.get(code).documents]
        for code in ("GCH-CCS-P07", "PSDT-05")
    }
    assert documents == {
        "GCH-CCS-P07": ["aprobacion-liberacion"],
        "PSDT-05": ["orden-de-servicio"],
    }


def test_indicators(app):
    indicators = app.extensions["helpdesk"].indicators
    published = indicators["psdt05_services_published"]
    # The document's formula, then what each term counts.
    assert published.formula.startswith(
        "(No. de servicios publicados en el Portal / Total de órdenes recibidas) × 100; "
    )
    assert (published.unit, published.periodicity) == ("%", "trimestral")
    assert published.responsible == "Director de Servicios Compartidos de Tecnología"
    for prefix, code in (("p07", "GCH-CCS-P07"), ("p08", "GCH-CCS-P08")):
        for name in (
            "requests_received",
            "requests_concluded",
            "rejected_requirements",
            "median_time_to_conclude",
            "sla_compliance",
        ):
            indicator = indicators[f"{prefix}_{name}"]
            assert indicator.service_code == code and indicator.plugin == "portal"
            assert indicator.formula and indicator.unit and indicator.periodicity
            assert indicator.responsible == "Coordinador(a) de Comunicación Social"
        assert indicators[f"{prefix}_sla_compliance"].unit == "%"
        assert indicators[f"{prefix}_median_time_to_conclude"].unit == "horas hábiles"
