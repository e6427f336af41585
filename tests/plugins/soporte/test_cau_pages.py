"""The CAU through the pages: one registration format, channelled by request type to
one technician, concluded with the evidence of the service given."""

import pytest
from sqlalchemy import select

from helpdesk import demo as demo_data
from helpdesk.auth import hash_password
from helpdesk.extensions import db
from helpdesk.models import RoleMembership
from helpdesk.models import Tenant
from helpdesk.models import User
from helpdesk.testing import Browser
from plugins.soporte.services import CAU

SECOND = "tecnico2@edomex.example"


def cau_form(office, **changes):
    data = {
        "unit_id": office.unit("Secretaría de Salud"),
        "request_type": "printer",
        "description": "La impresora del área de oficialía de partes marca atasco de papel.",
        "location": "Edificio B, piso 2, oficialía de partes",
        "phone_extension": "ext. 60163",
        "inventory_number": "IMP-0042",
    }
    data.update(changes)
    return data


@pytest.fixture
def second_technician(demo):
    """Another of the CAU's technicians, in the same department."""
    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "edomex"))
        first = db.session.scalar(
            select(User)
            .where(User.email == "tecnico@edomex.example")
            .execution_options(all_tenants=True)
        )
        user = User(
            email=SECOND,
            password_hash=hash_password(demo_data.DEMO_PASSWORD),
            tenant_id=tenant.id,
            name="Óscar Díaz Mercado",
            kind="staff",
            department_id=first.department_id,
        )
        user.memberships.append(RoleMembership(role="agent"))
        db.session.add(user)
        db.session.commit()
    browser = Browser(demo.test_client())
    assert browser.login(SECOND, demo_data.DEMO_PASSWORD).status_code == 302
    return browser


def channel(office, desk, folio, technician="tecnico@edomex.example", **changes):
    data = {
        "department_id": office.department("DGSYTI"),
        "assignee_id": office.user(technician),
        "checklist": list(CAU.checklist),
        **changes,
    }
    return office.step(desk, folio, "turn", **data)


def test_one_format_channelled_to_one_technician_with_evidence(edomex, login_as, second_technician):
    requester = login_as("requester", tenant="edomex")
    coordinator = login_as("coordinator", tenant="edomex")
    technician = login_as("agent", tenant="edomex")
    folio = edomex.file(requester, "CAU", cau_form(edomex))
    assert folio.startswith("EDOMEX-CAU-")
    assert edomex.ticket(folio).department_id == edomex.department("DGSYTI")

    # The CAU asks to complete the format, twice; the second time the requester
    # also corrects the request type, which changes its group.
    for round_, request_type in enumerate(("printer", "network"), start=1):
        assert edomex.ok(coordinator, folio, "review") == "in_review"
        reason = f"Describa el mensaje de error que muestra el equipo ({round_})."
        assert edomex.ok(coordinator, folio, "request_completion", reason=reason) == (
            "needs_completion"
        )
        assert reason in edomex.page(requester, folio, staff=False)
        corrected = cau_form(
            edomex, request_type=request_type, description=f"Sin conexión, error {round_}."
        )
        assert edomex.correct(requester, folio, corrected) == "corrected"
    assert edomex.ticket(folio).data["request_type"] == "network"

    # Channelled by its type to one technician: no technician, no channelling.
    assert channel(edomex, coordinator, folio, assignee_id="").status_code == 400
    assert edomex.state(folio) == "corrected"
    assert channel(edomex, coordinator, folio).status_code == 302
    ticket = edomex.ticket(folio)
    assert ticket.state == "turned"
    assert ticket.assignee_id == edomex.user("tecnico@edomex.example")

    # Only the assigned technician attends it.
    assert "/pasos/start" not in edomex.page(second_technician, folio)
    assert edomex.step(second_technician, folio, "start").status_code == 302  # not offered
    assert edomex.ok(technician, folio, "start") == "in_progress"

    # Reassigned: the service passes to the other technician alone.
    assert edomex.ok(coordinator, folio, "assign", assignee_id=edomex.user(SECOND)) == (
        "in_progress"
    )
    assert edomex.step(technician, folio, "conclude", text="Hecho").status_code == 302
    # Evidence of the service given is required to conclude.
    assert edomex.step(second_technician, folio, "conclude").status_code == 400
    evidence = "Se reemplazó el cable de red del nodo 2-14; se verificó la navegación."
    assert edomex.ok(second_technician, folio, "conclude", text=evidence) == "concluded"
    assert evidence in edomex.page(requester, folio, staff=False)
    assert edomex.transitions(folio) == [
        "file",
        "review",
        "request_completion",
        "resubmit",
        "review",
        "request_completion",
        "resubmit",
        "turn",
        "start",
        "assign",
        "conclude",
    ]


def test_a_technician_of_the_cau_channels_and_attends(edomex, login_as):
    requester = login_as("requester", tenant="edomex")
    technician = login_as("agent", tenant="edomex")
    folio = edomex.file(requester, "CAU", cau_form(edomex, request_type="password_reset"))
    assert channel(edomex, technician, folio).status_code == 302
    assert edomex.ok(technician, folio, "start") == "in_progress"
    assert edomex.ok(technician, folio, "conclude", text="Contraseña restablecida") == ("concluded")


@pytest.mark.parametrize("role", ["coordinator", "agent"])
def test_a_request_handled_by_oficio_is_rejected_with_its_reason(edomex, login_as, role):
    requester = login_as("requester", tenant="edomex")
    desk = login_as(role, tenant="edomex")
    folio = edomex.file(requester, "CAU", cau_form(edomex, request_type="system_access"))
    assert edomex.step(desk, folio, "reject").status_code == 400
    reason = "El acceso a sistemas se gestiona vía oficio (protocolo de documentación)."
    assert edomex.ok(desk, folio, "reject", reason=reason) == "rejected"
    assert reason in edomex.page(requester, folio, staff=False)


def test_the_requester_withdraws(edomex, login_as):
    requester = login_as("requester", tenant="edomex")
    folio = edomex.file(requester, "CAU", cau_form(edomex))
    response = edomex.step(requester, folio, "withdraw", staff=False, reason="Ya se resolvió")
    assert response.status_code == 302
    assert edomex.state(folio) == "withdrawn"


def test_the_format_shows_each_groups_service_level(edomex, login_as):
    page = login_as("requester", tenant="edomex").get("/edomex/servicios/CAU/solicitar")
    html = page.get_data(as_text=True)
    assert "Correo y cuentas de usuario (canalización en 2 horas hábiles; atención en 1 día" in (
        html
    )
    assert 'value="password_reset"' in html
