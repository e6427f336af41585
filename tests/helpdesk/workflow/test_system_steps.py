"""Steps the help desk takes itself (actor "system"): recorded without a person."""

import pytest
from sqlalchemy import select

from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.tenancy import scoped_to
from helpdesk.workflow import Transition
from helpdesk.workflow import WorkflowError
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import allowed
from helpdesk.workflow.engine import apply
from helpdesk.workflow.skeleton import skeleton

CHECK = Transition(
    name="automatic_check",
    label="Verificación automática",
    sources=("received",),
    target="in_review",
    actors=("system",),
    requires=("text",),
)


def workflow():
    return skeleton().add_transition(CHECK).build("SAMPLE-01").validate()


def take(app, ticket_id, name, **kwargs):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(ticket.requester.tenant):
            event = apply(ticket_id, name, None, workflow=workflow(), **kwargs)
            return event.id, event.to_state


def test_the_help_desk_takes_its_own_step_without_a_person(demo, make_ticket, login_as):
    ticket_id = make_ticket("SAMPLE-01", data={"summary": "Proyector"})
    event_id, state = take(demo, ticket_id, "automatic_check", fields={"text": "Liga verificada"})
    assert state == "in_review"
    with demo.app_context():
        row = db.session.scalar(select(TicketEvent).where(TicketEvent.id == event_id))
        assert row.actor_id is None and row.changes["text"] == "Liga verificada"


def test_people_are_never_offered_a_system_step(demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01", data={"summary": "Proyector"})
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        with scoped_to(ticket.requester.tenant):
            from helpdesk.models import User

            for user in db.session.scalars(select(User).where(User.tenant_id == ticket.tenant_id)):
                assert "automatic_check" not in {t.name for t in allowed(workflow(), ticket, user)}


def test_the_help_desk_cannot_take_a_persons_step(demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01", data={"summary": "Proyector"})
    with pytest.raises(TransitionError, match="lo registra una persona"):
        take(demo, ticket_id, "reject", reason="No")
    with demo.app_context():
        assert db.session.get(Ticket, ticket_id).state == "received"


def test_an_unknown_actor_is_still_refused_at_start_up():
    bad = Transition(
        name="x", label="x", sources=("received",), target="in_review", actors=("robot",)
    )
    with pytest.raises(WorkflowError, match="actors"):
        skeleton().add_transition(bad).build("X").validate()


def test_the_timeline_names_the_help_desk(demo, make_ticket, login_as):
    ticket_id = make_ticket("SAMPLE-01", data={"summary": "Proyector"})
    take(demo, ticket_id, "automatic_check", fields={"text": "Liga verificada"})
    with demo.app_context():
        folio = db.session.get(Ticket, ticket_id).folio
    page = login_as("coordinator").get(f"/chalco/mesa/solicitudes/{folio}").get_data(as_text=True)
    assert "Help desk (automatic)" in page or "Mesa de ayuda (automático)" in page


def test_workflow_of_the_sample_service_is_untouched(demo):
    # The extra step lives only in this test's workflow.
    assert (
        workflow_of(demo.extensions["helpdesk"].catalog.get("SAMPLE-01")).transition(
            "automatic_check"
        )
        is None
    )
