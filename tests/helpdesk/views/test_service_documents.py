"""A service's own documents: offered after their step, to the right people, as real PDFs."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from helpdesk.catalog import CatalogError
from helpdesk.catalog import DocumentDefinition
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import apply

COORD = "coordinador@chalco.example"
AGENT = "tecnico@chalco.example"


def move(app, ticket_id, name, email, **kwargs):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(ticket.requester.tenant):
            actor = db.session.scalar(select(User).where(User.email == email))
            workflow = workflow_of(app.extensions["helpdesk"].catalog.get(ticket.service_code))
            apply(ticket_id, name, actor, workflow=workflow, **kwargs)


def folio_of(app, ticket_id):
    with app.app_context():
        return db.session.get(Ticket, ticket_id).folio


def dgd(app):
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == "DGD"))


def text_of_pdf(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def loan(demo, make_ticket):
    return make_ticket("SAMPLE-01", data={"summary": "Proyector para la sala de cabildo"})


def test_a_document_appears_only_after_its_step(demo, loan, login_as):
    folio = folio_of(demo, loan)
    requester = login_as("requester")
    url = f"/chalco/solicitudes/{folio}/documentos/vale.pdf"
    assert requester.get(url).status_code == 404
    assert "vale.pdf" not in requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    move(demo, loan, "review", COORD)
    move(demo, loan, "turn", COORD, fields={"department_id": dgd(demo)})
    move(demo, loan, "start", AGENT)
    move(demo, loan, "conclude", AGENT, fields={"text": "Entregado"})
    page = requester.get(f"/chalco/solicitudes/{folio}").get_data(as_text=True)
    assert "documentos/vale.pdf" in page and "Vale de préstamo (PDF)" in page
    response = requester.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = text_of_pdf(response.data)
    assert folio in text
    assert "Proyector para la sala de cabildo" in text
    assert "Entregado el" in text


def test_a_staff_only_document_is_404_for_the_requester(demo, loan, login_as):
    move(demo, loan, "review", COORD)
    move(demo, loan, "turn", COORD, fields={"department_id": dgd(demo)})
    move(demo, loan, "start", AGENT)
    folio = folio_of(demo, loan)
    url = f"/chalco/solicitudes/{folio}/documentos/control.pdf"
    assert login_as("requester").get(url).status_code == 404
    staff = login_as("coordinator")
    assert staff.get(url).status_code == 200
    assert "documentos/control.pdf" in staff.get(f"/chalco/mesa/solicitudes/{folio}").get_data(
        as_text=True
    )


def test_unknown_documents_and_other_tenants_get_404(demo, loan, login_as):
    folio = folio_of(demo, loan)
    coordinator = login_as("coordinator")
    assert coordinator.get(f"/chalco/solicitudes/{folio}/documentos/nada.pdf").status_code == 404
    other = login_as("coordinator", tenant="sinaloa")
    assert other.get(f"/chalco/solicitudes/{folio}/documentos/vale.pdf").status_code == 404


def test_documents_are_checked_when_the_plugin_loads():
    base = {
        "code": "X-01",
        "name": "X",
        "description": "x",
        "source_document": "x",
        "area": "x",
        "department": "DGD",
    }
    document = DocumentDefinition(name="a", title="A", template="x.html")
    with pytest.raises(CatalogError, match="share a name"):
        ServiceDefinition(**base, documents=(document, document))
    with pytest.raises(CatalogError, match="unknown steps"):
        ServiceDefinition(
            **base,
            documents=(DocumentDefinition(name="b", title="B", template="x", after=("sign",)),),
        )
    with pytest.raises(CatalogError, match="invalid document name"):
        DocumentDefinition(name="a b", title="A", template="x.html")


def test_plugin_template_folders_are_found(app):
    folders = app.extensions["helpdesk"].template_folders()
    assert any(f.endswith("helpdesk_sample_plugin/templates") for f in folders)
