"""apply(): who may take which step, what it needs, and what it records."""

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User
from helpdesk.models.tickets import AppendOnlyError
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import StaleTicketError
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import allowed
from helpdesk.workflow.engine import apply

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def ticket_id(make_ticket):
    return make_ticket("SAMPLE-01", data={"summary": "Proyector"})


@pytest.fixture
def move(demo):
    """move(ticket_id, "turn", "coordinador@chalco.example", reason=..., fields=...)"""

    def _move(ticket_id, name, email, **kwargs):
        with demo.app_context():
            ticket = db.session.get(Ticket, ticket_id)
            with scoped_to(ticket.requester.tenant):
                actor = db.session.scalar(
                    select(User).where(User.email == email).execution_options(all_tenants=True)
                )
                workflow = workflow_of(demo.extensions["helpdesk"].catalog.get(ticket.service_code))
                event = apply(ticket_id, name, actor, workflow=workflow, **kwargs)
                return event.to_state

    return _move


def dgd(app):
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == "DGD"))


def state_and_events(app, ticket_id):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        events = db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.seq)
        ).all()
        return ticket.state, [(e.transition, e.from_state, e.to_state) for e in events]


COORD = "coordinador@chalco.example"
AGENT = "tecnico@chalco.example"
REQUESTER = "solicitante@chalco.example"


def test_happy_path_records_one_event_per_step(demo, ticket_id, move):
    assert move(ticket_id, "review", COORD) == "in_review"
    assert move(ticket_id, "turn", COORD, fields={"department_id": dgd(demo)}) == "turned"
    assert move(ticket_id, "start", AGENT) == "in_progress"
    assert move(ticket_id, "conclude", AGENT, fields={"text": "Se entregó el proyector"}) == (
        "concluded"
    )
    state, events = state_and_events(demo, ticket_id)
    assert state == "concluded"
    assert events == [
        ("file", None, "received"),
        ("review", "received", "in_review"),
        ("turn", "in_review", "turned"),
        ("start", "turned", "in_progress"),
        ("conclude", "in_progress", "concluded"),
    ]
    with demo.app_context():
        assert db.session.get(Ticket, ticket_id).closed_at is not None


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("review", REQUESTER),  # the requester cannot review
        ("review", AGENT),  # nor can a technician
        ("turn", "admin@chalco.example"),  # admins administer, coordinators turn
        ("start", AGENT),  # not yet turned
        ("resubmit", REQUESTER),  # nothing was asked
        ("review", "coordinador@sinaloa.example"),  # another tenant's coordinator
    ],
)
def test_refused_transitions_change_nothing(demo, ticket_id, move, name, email):
    with pytest.raises(TransitionError):
        move(ticket_id, name, email, fields={"department_id": dgd(demo)})
    assert state_and_events(demo, ticket_id) == ("received", [("file", None, "received")])


@pytest.mark.parametrize("name", ["reject", "request_completion"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_is_required(demo, ticket_id, move, name, reason):
    with pytest.raises(TransitionError, match="motivo") as excinfo:
        move(ticket_id, name, COORD, reason=reason)
    assert excinfo.value.field == "reason"
    assert state_and_events(demo, ticket_id)[0] == "received"


def test_completion_loop_repeats_and_each_round_is_recorded(demo, ticket_id, move):
    for round_number in (1, 2):
        move(ticket_id, "request_completion", COORD, reason=f"Falta el oficio ({round_number})")
        move(ticket_id, "resubmit", REQUESTER, fields={"data": {"summary": f"v{round_number}"}})
    state, events = state_and_events(demo, ticket_id)
    assert state == "corrected"
    assert [e[0] for e in events] == [
        "file",
        "request_completion",
        "resubmit",
        "request_completion",
        "resubmit",
    ]
    with demo.app_context():
        reasons = db.session.scalars(
            select(TicketEvent.reason).where(TicketEvent.transition == "request_completion")
        ).all()
        assert reasons == ["Falta el oficio (1)", "Falta el oficio (2)"]
        last = db.session.scalar(select(TicketEvent).order_by(TicketEvent.id.desc()))
        assert last.changes["data"]["summary"] == ["v1", "v2"]


def test_liaison_may_take_requester_steps(demo, make_ticket, move):
    ticket_id = make_ticket("SAMPLE-01", liaison={"name": "Enlace", "email": AGENT})
    move(ticket_id, "request_completion", COORD, reason="Falta información")
    assert move(ticket_id, "resubmit", AGENT, fields={"data": {"summary": "ok"}}) == "corrected"


def test_agent_of_another_department_cannot_start(demo, ticket_id, move):
    with demo.app_context():
        dcii = db.session.scalar(select(Department.id).where(Department.code == "DCII"))
    move(ticket_id, "turn", COORD, fields={"department_id": dcii})
    with pytest.raises(TransitionError):
        move(ticket_id, "start", AGENT)


def test_allowed_lists_only_what_the_user_may_do(demo, ticket_id):
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        workflow = workflow_of(demo.extensions["helpdesk"].catalog.get("SAMPLE-01"))
        users = {u.email: u for u in db.session.scalars(select(User))}
        names = {
            email: {t.name for t in allowed(workflow, ticket, users[email])} for email in users
        }
    assert names[COORD] == {"review", "request_completion", "turn", "reject"}
    assert names[REQUESTER] == {"withdraw"}
    assert names[AGENT] == set()


def test_stale_version_is_refused(demo, ticket_id, move):
    with pytest.raises(StaleTicketError):
        move(ticket_id, "review", COORD, expected_version=99)
    assert move(ticket_id, "review", COORD, expected_version=1) == "in_review"


def test_conflicting_transitions_at_once_apply_exactly_one(demo, ticket_id, move):
    barrier = threading.Barrier(2)
    outcomes = {}

    def take(name, kwargs):
        barrier.wait()
        try:
            outcomes[name] = move(ticket_id, name, COORD, expected_version=1, **kwargs)
        except TransitionError as exc:
            outcomes[name] = exc

    threads = [
        threading.Thread(target=take, args=("reject", {"reason": "No procede"})),
        threading.Thread(target=take, args=("turn", {"fields": {"department_id": dgd(demo)}})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    applied = [name for name, result in outcomes.items() if isinstance(result, str)]
    refused = [result for result in outcomes.values() if isinstance(result, TransitionError)]
    assert len(applied) == 1 and len(refused) == 1
    assert isinstance(refused[0], StaleTicketError)
    state, events = state_and_events(demo, ticket_id)
    assert [e[0] for e in events] == ["file", applied[0]]
    assert state == {"reject": "rejected", "turn": "turned"}[applied[0]]


def test_events_are_append_only(demo, ticket_id):
    with demo.app_context():
        event = db.session.scalar(select(TicketEvent))
        event.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(TicketEvent)))
        with pytest.raises(AppendOnlyError):
            db.session.commit()


def test_only_the_engine_writes_the_state():
    offenders = []
    for path in list((ROOT / "helpdesk").rglob("*.py")) + list((ROOT / "plugins").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.state\s*=(?!=)", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == ["helpdesk/workflow/engine.py:" + offenders[0].rsplit(":", 1)[1]]


def _assignee_and_start_changes(app, ticket_id):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        start = db.session.scalar(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.transition == "start"
            )
        )
        email = ticket.assignee.email if ticket.assignee else None
        return email, start.changes


def test_a_technician_who_starts_an_unassigned_ticket_becomes_its_technician(demo, ticket_id, move):
    move(ticket_id, "review", COORD)
    move(ticket_id, "turn", COORD, fields={"department_id": dgd(demo)})
    move(ticket_id, "start", AGENT)
    email, changes = _assignee_and_start_changes(demo, ticket_id)
    assert email == AGENT
    with demo.app_context():
        agent = db.session.scalar(
            select(User).where(User.email == AGENT).execution_options(all_tenants=True)
        )
        assert changes["assignee"] == [None, agent.id]


def test_a_coordinator_who_starts_it_does_not_become_its_technician(demo, ticket_id, move):
    move(ticket_id, "review", COORD)
    move(ticket_id, "turn", COORD, fields={"department_id": dgd(demo)})
    move(ticket_id, "start", COORD)
    email, changes = _assignee_and_start_changes(demo, ticket_id)
    assert email is None
    assert "assignee" not in changes


def test_starting_an_assigned_ticket_keeps_its_technician(demo, ticket_id, move):
    move(ticket_id, "review", COORD)
    move(ticket_id, "turn", COORD, fields={"department_id": dgd(demo)})
    with demo.app_context():
        agent = db.session.scalar(
            select(User).where(User.email == AGENT).execution_options(all_tenants=True)
        )
    move(ticket_id, "assign", COORD, fields={"assignee_id": agent.id})
    move(ticket_id, "start", AGENT)
    email, changes = _assignee_and_start_changes(demo, ticket_id)
    assert email == AGENT
    assert "assignee" not in changes
