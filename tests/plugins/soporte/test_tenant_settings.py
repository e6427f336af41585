"""A tenant admin turns a support service off: it leaves the portal, its tickets stay."""

import re

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from plugins.soporte.services import CAU
from plugins.soporte.services import P09
from plugins.soporte.services import P10

from .test_cau_pages import cau_form
from .test_p09_pages import p09_form
from .test_p10_pages import p10_form

SERVICE_RE = re.compile(r'<li class="service" id="([^"]+)"')


def catalog(browser, tenant):
    return set(SERVICE_RE.findall(browser.get(f"/{tenant}/").get_data(as_text=True)))


def setting_id(app, tenant, code):
    with app.app_context():
        return db.session.scalar(
            select(TenantService.id)
            .join(Tenant, Tenant.id == TenantService.tenant_id)
            .where(Tenant.slug == tenant, TenantService.service_code == code)
            .execution_options(all_tenants=True)
        )


@pytest.mark.parametrize(
    ("tenant", "service", "department", "form", "document", "steps"),
    [
        ("chalco", P09, "DGD", p09_form, "oficio-entrega-acceso", ("start", "deliver_access")),
        ("chalco", P10, "DGD", p10_form, "formato-servicio", ("start",)),
        ("edomex", CAU, "DGSYTI", cau_form, None, ("start",)),
    ],
    ids=["P09", "P10", "CAU"],
)
def test_a_disabled_service_leaves_the_portal_and_its_tickets_stay(
    request, demo, login_as, tenant, service, department, form, document, steps
):
    office = request.getfixturevalue(tenant)
    code = service.code
    requester = login_as("requester", tenant=tenant)
    coordinator = login_as("coordinator", tenant=tenant)
    agent = login_as("agent", tenant=tenant)
    folio = office.file(requester, code, form(office))
    turn = {"department_id": office.department(department), "checklist": list(service.checklist)}
    if code == "CAU":
        turn["assignee_id"] = office.user(f"tecnico@{tenant}.example")
    office.ok(coordinator, folio, "turn", **turn)
    for step in steps:
        office.ok(agent, folio, step)

    admin = login_as("tenant_admin", tenant=tenant)
    assert code in catalog(requester, tenant)
    toggled = admin.post(f"/{tenant}/admin/services/{setting_id(demo, tenant, code)}/toggle")
    assert toggled.status_code == 302

    # Gone from the portal and from the desk's "file on behalf" list; not fileable.
    assert code not in catalog(requester, tenant)
    assert requester.get(f"/{tenant}/servicios/{code}/solicitar").status_code == 404
    assert f"/nueva/{code}" not in coordinator.get(f"/{tenant}/mesa/nueva").get_data(as_text=True)
    # The tickets already filed stay readable, with their documents.
    for person in (coordinator, agent):
        assert folio in office.page(person, folio)
    assert folio in office.page(requester, folio, staff=False)
    if document:
        assert office.document(agent, folio, document).status_code == 200
    # Other services of the tenant are untouched.
    assert catalog(requester, tenant) - {code}
