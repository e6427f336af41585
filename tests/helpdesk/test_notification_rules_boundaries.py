"""Tenants, inactive people, preferences and rollbacks: who is told
(helpdesk/notification_rules.py).

See notification_rules_support.py for how a step is observed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import notification_rules
from helpdesk import notifications
from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import NotificationPreference
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.workflow.engine import StaleTicketError
from helpdesk.workflow.engine import TransitionError
from tests.helpdesk import notification_rules_support as support
from tests.helpdesk.notification_rules_support import AGENT
from tests.helpdesk.notification_rules_support import COORD
from tests.helpdesk.notification_rules_support import REQUESTER
from tests.helpdesk.notification_rules_support import SINALOA
from tests.helpdesk.notification_rules_support import add_user
from tests.helpdesk.notification_rules_support import assert_nothing_since
from tests.helpdesk.notification_rules_support import department_id
from tests.helpdesk.notification_rules_support import mark
from tests.helpdesk.notification_rules_support import news
from tests.helpdesk.notification_rules_support import state_of
from tests.helpdesk.notification_rules_support import user_id

# The shared fixtures, bound here so that pytest uses them (app_config overrides
# the conftest one) for this module only.
app_config = support.app_config
file = support.file
move = support.move
ticket_id = support.ticket_id
turned = support.turned
in_progress = support.in_progress


# --- tenants, inactive people, preferences ------------------------------------------------


def test_no_other_tenant_ever_hears_of_a_chalco_ticket(demo, file, move):
    # Sinaloa's staff made to look like Chalco's: same department ids, same roles.
    with demo.app_context():
        dgd = department_id(demo, "DGD")
        ccs = department_id(demo, "CCS")
        for email, dept in (
            ("tecnico@sinaloa.example", dgd),
            ("coordinador@sinaloa.example", ccs),
            ("admin@sinaloa.example", dgd),
        ):
            user = db.session.scalar(
                select(User).where(User.email == email).execution_options(all_tenants=True)
            )
            user.department_id = dept
        db.session.commit()
    add_user(
        demo, "tecnico2@sinaloa.example", "Luis Ñeco", "agent", department="DGE", tenant="sinaloa"
    )
    with demo.app_context():
        user = db.session.scalar(
            select(User)
            .where(User.email == "tecnico2@sinaloa.example")
            .execution_options(all_tenants=True)
        )
        user.department_id = dgd
        db.session.commit()

    before = mark(demo)
    # An enlace e-mail that belongs to a Sinaloa account must not reach it either.
    ticket_id = file(liaison={"name": "Héctor", "email": "coordinador@sinaloa.example"})
    move(ticket_id, "review", COORD)
    move(ticket_id, "request_completion", COORD, reason="Falta el oficio")
    move(ticket_id, "resubmit", REQUESTER, fields={"data": {"summary": "Proyector"}})
    move(ticket_id, "turn", COORD, fields={"department_id": dgd})
    move(ticket_id, "assign", COORD, fields={"assignee_id": user_id(demo, AGENT)})
    move(ticket_id, "start", AGENT)
    move(ticket_id, "conclude", AGENT, fields={"text": "Listo"})
    other = file()
    move(other, "withdraw", REQUESTER, reason="Ya no")
    seen = news(demo, before)
    assert seen.told == sorted(
        [
            (COORD, "ticket_received"),  # file
            (REQUESTER, "ticket_filed"),
            (REQUESTER, "state_changed"),  # review
            (REQUESTER, "completion_requested"),
            (COORD, "ticket_updated"),  # resubmit
            (AGENT, "ticket_updated"),
            (AGENT, "ticket_turned"),  # turn
            (REQUESTER, "state_changed"),
            (AGENT, "ticket_assigned"),
            (REQUESTER, "state_changed"),  # start
            (REQUESTER, "ticket_concluded"),
            (COORD, "ticket_received"),  # the other ticket
            (REQUESTER, "ticket_filed"),
            (COORD, "ticket_updated"),  # withdraw
            (AGENT, "ticket_updated"),
        ]
    )
    assert seen.mailed == seen.told
    with demo.app_context():
        sinaloa = db.session.scalar(select(Tenant.id).where(Tenant.slug == "sinaloa"))
        every = {ALL_TENANTS: True}
        assert (
            db.session.scalar(
                select(func.count(Notification.id))
                .join(User, User.id == Notification.user_id)
                .where(User.tenant_id == sinaloa)
                .execution_options(**every)
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id))
                .where(OutboxMessage.recipient.like("%@sinaloa.example"))
                .execution_options(**every)
            )
            == 0
        )


def test_a_sinaloa_ticket_is_told_only_in_sinaloa(demo, file):
    before = mark(demo)
    file(tenant="sinaloa", requester="solicitante@sinaloa.example")
    seen = news(demo, before)
    assert seen.told == [
        ("coordinador@sinaloa.example", "ticket_received"),
        ("solicitante@sinaloa.example", "ticket_filed"),
    ]


def test_notify_drops_other_tenants_inactive_and_repeated_people(demo, ticket_id):
    sleeping = add_user(demo, "dormida@chalco.example", "Inés Ríos", "agent", active=False)
    with demo.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        every = {ALL_TENANTS: True}
        people = {
            u.email: u
            for u in db.session.scalars(select(User).execution_options(**every))
            if u.email in {*SINALOA, AGENT, REQUESTER} or u.id == sleeping
        }
        rows = notifications.notify(
            [
                people["coordinador@sinaloa.example"],
                people["tecnico@sinaloa.example"],
                None,
                people["dormida@chalco.example"],
                people[AGENT],
                people[AGENT],
                people[REQUESTER],
            ],
            kind="state_changed",
            ticket=ticket,
            exclude=people[REQUESTER],
        )
        assert [(r.user.email, r.kind, r.tenant_id) for r in rows] == [
            (AGENT, "state_changed", ticket.tenant_id)
        ]
        db.session.rollback()


def test_inactive_people_get_nothing(demo, file, move):
    add_user(demo, "coordinadora.baja@chalco.example", "Ema Ortíz", "coordinator", active=False)
    add_user(
        demo, "tecnico.baja@chalco.example", "Raúl Peña", "agent", department="DGD", active=False
    )
    add_user(demo, "enlace.baja@chalco.example", "Úrsula Díaz", "requester", active=False)
    before = mark(demo)
    ticket_id = file(liaison={"name": "Úrsula", "email": "enlace.baja@chalco.example"})
    move(ticket_id, "turn", COORD, fields={"department_id": department_id(demo, "DGD")})
    assert news(demo, before).told == [
        (COORD, "ticket_received"),
        (REQUESTER, "state_changed"),
        (REQUESTER, "ticket_filed"),
        (AGENT, "ticket_turned"),
    ]


def test_email_turned_off_keeps_the_in_app_notification(demo, file):
    with demo.app_context():
        db.session.add_all(
            [
                NotificationPreference(
                    user_id=user_id(demo, REQUESTER), kind="ticket_filed", email=False
                ),
                # Another kind turned off, and this kind explicitly on: both still mail.
                NotificationPreference(
                    user_id=user_id(demo, COORD), kind="ticket_rejected", email=False
                ),
                NotificationPreference(
                    user_id=user_id(demo, COORD), kind="ticket_received", email=True
                ),
            ]
        )
        db.session.commit()
    before = mark(demo)
    file()
    seen = news(demo, before)
    assert seen.told == [(COORD, "ticket_received"), (REQUESTER, "ticket_filed")]
    assert seen.mailed == [(COORD, "ticket_received")]
    assert len(seen.files) == 1


def test_preference_is_per_kind(demo, ticket_id, move):
    with demo.app_context():
        db.session.add(
            NotificationPreference(
                user_id=user_id(demo, REQUESTER), kind="ticket_rejected", email=False
            )
        )
        db.session.commit()
    before = mark(demo)
    move(ticket_id, "review", COORD)
    assert news(demo, before).mailed == [(REQUESTER, "state_changed")]
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="No procede")
    seen = news(demo, before)
    assert seen.told == [(REQUESTER, "ticket_rejected")]
    assert seen.mailed == []


# --- rolled back: nothing told ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "email", "kwargs"),
    [
        ("review", REQUESTER, {}),  # not the requester's step
        ("start", AGENT, {}),  # not turned yet
        ("reject", COORD, {"reason": "  "}),  # a reason is required
        ("review", "coordinador@sinaloa.example", {}),  # another tenant's coordinator
    ],
)
def test_refused_transition_tells_no_one(demo, ticket_id, move, name, email, kwargs):
    before, version = mark(demo), state_of(demo, ticket_id)
    with pytest.raises(TransitionError):
        move(ticket_id, name, email, **kwargs)
    assert_nothing_since(demo, before)
    assert state_of(demo, ticket_id) == version


def test_stale_version_tells_no_one(demo, ticket_id, move):
    state, version = state_of(demo, ticket_id)
    move(ticket_id, "review", COORD)
    before = mark(demo)
    with pytest.raises(StaleTicketError):
        move(
            ticket_id,
            "turn",
            COORD,
            expected_version=version,
            fields={"department_id": department_id(demo, "DGD")},
        )
    assert_nothing_since(demo, before)
    assert state_of(demo, ticket_id)[0] == "in_review"


def test_conflict_after_the_notices_were_written_rolls_them_back(
    demo, ticket_id, move, monkeypatch
):
    real = notification_rules.on_event
    written = []

    def then_conflict(ticket, event, workflow):
        real(ticket, event, workflow)
        written.append(
            db.session.scalar(
                select(func.count(Notification.id)).execution_options(**{ALL_TENANTS: True})
            )
        )
        raise StaleDataError("simulated concurrent update")

    monkeypatch.setattr(notification_rules, "on_event", then_conflict)
    before = mark(demo)
    with pytest.raises(StaleTicketError):
        move(ticket_id, "reject", COORD, reason="No procede")
    assert written and written[0] > before.notification  # they were there, then undone
    assert_nothing_since(demo, before)
    assert state_of(demo, ticket_id)[0] == "received"

    # The next step that commits sends its own messages and nothing left over.
    monkeypatch.setattr(notification_rules, "on_event", real)
    before = mark(demo)
    move(ticket_id, "reject", COORD, reason="No procede")
    seen = news(demo, before)
    assert seen.mailed == [(REQUESTER, "ticket_rejected")]
    assert len(seen.files) == 1


def test_failed_filing_tells_no_one(demo, file, monkeypatch):
    real = notification_rules.on_event

    def then_fail(ticket, event, workflow):
        real(ticket, event, workflow)
        raise RuntimeError("boom")

    monkeypatch.setattr(notification_rules, "on_event", then_fail)
    before = mark(demo)
    with demo.app_context():
        tickets_before = db.session.scalar(
            select(func.count(Ticket.id)).execution_options(**{ALL_TENANTS: True})
        )
    with pytest.raises(RuntimeError):
        file()
    assert_nothing_since(demo, before)
    with demo.app_context():
        assert (
            db.session.scalar(
                select(func.count(Ticket.id)).execution_options(**{ALL_TENANTS: True})
            )
            == tickets_before
        )
