"""GCH-CCS-P09 through the pages: the oficio, the requirements loop, the written delivery."""

import pytest

from plugins.soporte.forms import HEAD_NAME_REQUIRED
from plugins.soporte.services import P09

from .conftest import pdf_text

CODE = "GCH-CCS-P09"
HEAD = "Mtra. Rosa Elena Castañeda Ruiz"


def p09_form(office, **changes):
    data = {
        "unit_id": office.unit("Dirección de la Mujer"),
        "liaison_name": "Mariana Torres Gil",
        "liaison_email": "enlace.mujer@chalco.example",
        "liaison_phone": "55 5975 0101",
        "request_kind": "new_account",
        "mailbox": "mujer.juridico@chalco.gob.mx",
        "holder_name": "Ana Karen Pineda Soto",
        "holder_position": "Jefa de la Unidad Jurídica",
        "head_name": HEAD,
        "head_position": "Directora de la Mujer",
    }
    data.update(changes)
    return data


def turn_to_dgd(office, coordinator, folio):
    return office.ok(
        coordinator,
        folio,
        "turn",
        department_id=office.department("DGD"),
        checklist=list(P09.checklist),
    )


def test_new_account_from_oficio_to_written_delivery_to_the_head(chalco, login_as):
    requester = login_as("requester")
    coordinator = login_as("coordinator")
    agent = login_as("agent")
    folio = chalco.file(requester, CODE, p09_form(chalco))
    assert chalco.state(folio) == "received"

    # 2-4, twice: the Coordinador asks in writing to complete, the dependencia corrects.
    reasons = [
        "El cargo de la titular de la cuenta no corresponde a la plantilla.",
        "El cargo sigue sin coincidir con el nombramiento.",
    ]
    for round_, reason in enumerate(reasons):
        assert chalco.ok(coordinator, folio, "review") == "in_review"
        assert chalco.step(coordinator, folio, "request_completion").status_code == 400
        assert chalco.ok(coordinator, folio, "request_completion", reason=reason) == (
            "needs_completion"
        )
        assert reason in chalco.page(requester, folio, staff=False)
        position = f"Jefa de la Unidad Jurídica ({round_ + 1})"
        assert chalco.correct(requester, folio, p09_form(chalco, holder_position=position)) == (
            "corrected"
        )
    assert chalco.ticket(folio).data["holder_position"] == "Jefa de la Unidad Jurídica (2)"

    # 5: turned to the Departamento de Gobierno Digital.
    assert chalco.ok(coordinator, folio, "review") == "in_review"
    assert turn_to_dgd(chalco, coordinator, folio) == "turned"
    assert chalco.document(agent, folio, "oficio-entrega-acceso").status_code == 404

    # 6: DGD receives the oficio and creates the mailbox.
    assert chalco.ok(agent, folio, "start") == "in_progress"
    page = chalco.page(agent, folio)
    assert "/pasos/deliver_access" in page and "/pasos/conclude" not in page
    # The guard hides the step and refuses it if posted anyway.
    assert chalco.step(agent, folio, "conclude", text="Cuenta creada").status_code == 302
    assert chalco.state(folio) == "in_progress"

    # 9.7: the access goes in writing directly to the head, with the oficio.
    assert chalco.ok(agent, folio, "deliver_access") == "access_delivered"
    oficio = chalco.document(agent, folio, "oficio-entrega-acceso")
    assert oficio.status_code == 200
    assert oficio.mimetype == "application/pdf"
    text = pdf_text(oficio.data)
    for expected in (
        folio,
        "Oficio de entrega de acceso",
        "mujer.juridico@chalco.gob.mx",
        HEAD,
        "Directora de la Mujer",
        "Dirección de la Mujer",
        "Ana Karen Pineda Soto",
        "la contraseña no se registra en el sistema ni se imprime en este oficio",
        "Recibí los accesos por escrito",
        "Miguel Ángel Torres Ruiz",
    ):
        assert expected in text, expected
    assert "contraseña:" not in text.lower()
    assert chalco.document(coordinator, folio, "oficio-entrega-acceso").status_code == 200
    # Delivered to the head, not through the portal: the requester is not offered it.
    assert chalco.document(requester, folio, "oficio-entrega-acceso").status_code == 404
    assert "oficio-entrega-acceso" not in chalco.page(requester, folio, staff=False)
    assert "oficio-entrega-acceso.pdf" in chalco.page(agent, folio)

    # 7: DGD registers and concludes.
    assert chalco.step(agent, folio, "conclude").status_code == 400
    assert chalco.ok(agent, folio, "conclude", text="Cuenta creada y registrada") == "concluded"
    assert "Concluida" in chalco.page(requester, folio, staff=False)
    assert chalco.transitions(folio) == [
        "file",
        "review",
        "request_completion",
        "resubmit",
        "review",
        "request_completion",
        "resubmit",
        "review",
        "turn",
        "start",
        "deliver_access",
        "conclude",
    ]
    # The oficio stays available, dated at the delivery.
    assert chalco.document(agent, folio, "oficio-entrega-acceso").status_code == 200


def test_a_fault_is_concluded_without_new_access(chalco, login_as):
    requester = login_as("requester")
    coordinator = login_as("coordinator")
    agent = login_as("agent")
    data = p09_form(
        chalco,
        request_kind="fault",
        mailbox="mujer@chalco.gob.mx",
        fault_description="No recibe correos externos desde el lunes.",
        holder_name="",
        holder_position="",
    )
    folio = chalco.file(requester, CODE, data)
    assert turn_to_dgd(chalco, coordinator, folio) == "turned"
    assert chalco.ok(agent, folio, "start") == "in_progress"
    assert "/pasos/conclude" in chalco.page(agent, folio)
    assert chalco.ok(agent, folio, "conclude", text="Se liberó el buzón lleno") == "concluded"
    assert chalco.document(agent, folio, "oficio-entrega-acceso").status_code == 404


def test_a_fault_that_needs_new_access_delivers_it_in_writing(chalco, login_as):
    coordinator = login_as("coordinator")
    agent = login_as("agent")
    data = p09_form(
        chalco,
        request_kind="fault",
        mailbox="mujer@chalco.gob.mx",
        fault_description="Se bloqueó la cuenta.",
    )
    folio = chalco.file(login_as("requester"), CODE, data)
    turn_to_dgd(chalco, coordinator, folio)
    chalco.ok(agent, folio, "start")
    assert chalco.ok(agent, folio, "deliver_access") == "access_delivered"
    text = pdf_text(chalco.document(agent, folio, "oficio-entrega-acceso").data)
    assert "atendió la falla de la cuenta" in text and "Se bloqueó la cuenta." in text
    assert chalco.ok(agent, folio, "conclude", text="Cuenta desbloqueada") == "concluded"


def test_the_coordinator_rejects_with_a_written_reason(chalco, login_as):
    requester = login_as("requester")
    coordinator = login_as("coordinator")
    folio = chalco.file(requester, CODE, p09_form(chalco))
    assert chalco.step(coordinator, folio, "reject").status_code == 400
    assert chalco.state(folio) == "received"
    reason = "La cuenta la creó la dependencia fuera del servidor de la Coordinación."
    assert chalco.ok(coordinator, folio, "reject", reason=reason) == "rejected"
    assert reason in chalco.page(requester, folio, staff=False)
    assert "/pasos/" not in chalco.page(coordinator, folio)


def test_the_requester_withdraws_before_the_work(chalco, login_as):
    requester = login_as("requester")
    folio = chalco.file(requester, CODE, p09_form(chalco))
    step = chalco.step(requester, folio, "withdraw", staff=False, reason="Ya no se requiere")
    assert step.status_code == 302
    assert chalco.state(folio) == "withdrawn"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mailbox": "mujer@gmail.com"}, "dominio institucional contratado"),
        ({"head_name": ""}, HEAD_NAME_REQUIRED),
    ],
    ids=["other_domain", "no_head"],
)
def test_the_portal_refuses_what_the_policies_exclude(chalco, login_as, changes, message):
    requester = login_as("requester")
    url = f"/chalco/servicios/{CODE}/solicitar"
    requester.get(url)
    response = requester.post(url, p09_form(chalco, **changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert "Request received" not in response.get_data(as_text=True)
