"""The periodic SLA sweep (helpdesk/sla_sweep.py) and `helpdesk sla-sweep`.

Clocks are set by hand on the stored SlaClock rows around a chosen moment, so
what the sweep must announce is known exactly.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from helpdesk import sla_sweep
from helpdesk.extensions import db
from helpdesk.models import Notification
from helpdesk.models import SlaClock
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import User

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=2)  # martes 10 de marzo de 2026, 14:00 in Mexico City
DUE_TEXT = "martes 10 de marzo de 2026, 14:00"
SERVICE_NAME = "Préstamo de proyector"  # SAMPLE-01
CHALCO_STAFF = ("tecnico@chalco.example", "coordinador@chalco.example")


# --- helpers ------------------------------------------------------------------------------


def set_clock(app, ticket_id, target="respond", **values):
    with app.app_context():
        clock = db.session.scalar(
            select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.target == target)
        )
        for column, value in values.items():
            setattr(clock, column, value)
        db.session.commit()


def clock_of(app, ticket_id, target="respond"):
    with app.app_context():
        clock = db.session.scalar(
            select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.target == target)
        )
        return {"alerted": clock.alerted, "due_at": clock.due_at, "risk_at": clock.risk_at}


def assign(app, ticket_id, email):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        ticket.assignee_id = db.session.scalar(select(User.id).where(User.email == email))
        db.session.commit()


def ticket_of(app, ticket_id):
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        return {"folio": ticket.folio, "state": ticket.state, "version": ticket.version}


def sla_events(app, ticket_id):
    with app.app_context():
        events = db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.transition.like("sla_%"))
            .order_by(TicketEvent.seq)
        )
        return [
            (e.seq, e.transition, e.from_state, e.to_state, e.actor_id, e.reason, e.changes)
            for e in events
        ]


def notices(app):
    """Every SLA notification as (recipient e-mail, kind, ticket id, message), sorted."""
    with app.app_context():
        rows = db.session.execute(
            select(User.email, Notification.kind, Notification.ticket_id, Notification.message)
            .join(User, User.id == Notification.user_id)
            .where(Notification.kind.like("sla_%"))
            .order_by(User.email, Notification.id)
        ).all()
        return [tuple(row) for row in rows]


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(TicketEvent.id))),
            db.session.scalar(
                select(func.count(Notification.id)).where(Notification.kind.like("sla_%"))
            ),
        )


def sweep(app, now):
    with app.app_context():
        return sla_sweep.sweep(now)


def at_risk_message(folio):
    return (
        f"La solicitud {folio} ({SERVICE_NAME}) está en riesgo: el plazo para turnar o "
        f"responder vence el {DUE_TEXT}."
    )


def breached_message(folio):
    return (
        f"La solicitud {folio} ({SERVICE_NAME}) venció el plazo para turnar o responder: "
        f"{DUE_TEXT}."
    )


def risky_ticket(demo, make_ticket, tenant="chalco"):
    """A SAMPLE-01 ticket whose respond clock is at risk at NOW and due at DUE."""
    ticket_id = make_ticket("SAMPLE-01", tenant=tenant)
    set_clock(demo, ticket_id, risk_at=NOW - timedelta(hours=1), due_at=DUE)
    return ticket_id


# --- the sweep ------------------------------------------------------------------------------


def test_risk_then_breach_are_each_announced_once(demo, make_ticket) -> None:
    ticket_id = risky_ticket(demo, make_ticket)
    assign(demo, ticket_id, "tecnico@chalco.example")
    before = ticket_of(demo, ticket_id)
    folio = before["folio"]
    due_iso = "2026-03-10T20:00:00+00:00"

    result = sweep(demo, NOW)
    assert (result.at_risk, result.breached, result.changed) == ([f"{folio}:respond"], [], 1)
    assert sla_events(demo, ticket_id) == [
        (
            2,
            "sla_at_risk",
            "received",
            "received",
            None,
            None,
            {"sla_target": "respond", "due_at": due_iso},
        )
    ]
    assert notices(demo) == [
        ("coordinador@chalco.example", "sla_at_risk", ticket_id, at_risk_message(folio)),
        ("tecnico@chalco.example", "sla_at_risk", ticket_id, at_risk_message(folio)),
    ]
    assert clock_of(demo, ticket_id)["alerted"] == "at_risk"
    # The sweep never makes a person's open form stale.
    assert ticket_of(demo, ticket_id) == before

    # Again at the same moment, and later but before the due moment: nothing new.
    for moment in (NOW, DUE - timedelta(minutes=1), DUE):
        again = sweep(demo, moment)
        assert (again.at_risk, again.breached, again.changed) == ([], [], 0)
        assert counts(demo) == (2, 2)  # the filing event and the risk; two notices

    result = sweep(demo, DUE + timedelta(minutes=1))
    assert (result.at_risk, result.breached, result.changed) == ([], [f"{folio}:respond"], 1)
    assert sla_events(demo, ticket_id)[1:] == [
        (
            3,
            "sla_breached",
            "received",
            "received",
            None,
            None,
            {"sla_target": "respond", "due_at": due_iso},
        )
    ]
    assert notices(demo) == [
        ("coordinador@chalco.example", "sla_at_risk", ticket_id, at_risk_message(folio)),
        ("coordinador@chalco.example", "sla_breached", ticket_id, breached_message(folio)),
        ("tecnico@chalco.example", "sla_at_risk", ticket_id, at_risk_message(folio)),
        ("tecnico@chalco.example", "sla_breached", ticket_id, breached_message(folio)),
    ]
    assert clock_of(demo, ticket_id)["alerted"] == "breached"
    assert ticket_of(demo, ticket_id) == before

    for moment in (DUE + timedelta(minutes=1), DUE + timedelta(days=30)):
        again = sweep(demo, moment)
        assert (again.at_risk, again.breached, again.changed) == ([], [], 0)
        assert counts(demo) == (3, 4)


def test_a_clock_found_overdue_is_announced_as_breached_only(demo, make_ticket) -> None:
    ticket_id = risky_ticket(demo, make_ticket)
    folio = ticket_of(demo, ticket_id)["folio"]
    result = sweep(demo, DUE + timedelta(hours=1))
    assert (result.at_risk, result.breached) == ([], [f"{folio}:respond"])
    assert [e[1] for e in sla_events(demo, ticket_id)] == ["sla_breached"]
    # Nobody assigned: the coordinators alone are told.
    assert notices(demo) == [
        ("coordinador@chalco.example", "sla_breached", ticket_id, breached_message(folio)),
    ]


def test_paused_and_met_clocks_are_ignored(demo, make_ticket) -> None:
    stopped = make_ticket("SAMPLE-01")
    set_clock(demo, stopped, due_at=None, risk_at=None)
    met = make_ticket("SAMPLE-01")
    set_clock(
        demo, met, risk_at=NOW - timedelta(days=2), due_at=NOW - timedelta(days=1), met_at=NOW
    )
    before = counts(demo)
    for moment in (NOW, NOW + timedelta(days=365)):
        result = sweep(demo, moment)
        assert (result.at_risk, result.breached, result.changed) == ([], [], 0)
    assert counts(demo) == before
    assert clock_of(demo, stopped)["alerted"] == ""
    assert clock_of(demo, met)["alerted"] == ""


def test_a_clock_not_yet_at_risk_is_left_alone(demo, make_ticket) -> None:
    ticket_id = make_ticket("SAMPLE-01")
    set_clock(demo, ticket_id, risk_at=NOW + timedelta(seconds=1), due_at=DUE)
    assert sweep(demo, NOW).changed == 0
    assert sla_events(demo, ticket_id) == []
    # The risk mark itself counts as reached.
    assert sweep(demo, NOW + timedelta(seconds=1)).at_risk == [
        f"{ticket_of(demo, ticket_id)['folio']}:respond"
    ]


def test_only_the_tickets_own_staff_are_told(demo, make_ticket) -> None:
    chalco = risky_ticket(demo, make_ticket)
    assign(demo, chalco, "tecnico@chalco.example")
    sinaloa = risky_ticket(demo, make_ticket, tenant="sinaloa")
    # A forged cross-tenant assignee is never told about this ticket.
    assign(demo, sinaloa, "tecnico@chalco.example")
    folios = {ticket_of(demo, chalco)["folio"], ticket_of(demo, sinaloa)["folio"]}
    result = sweep(demo, NOW)
    assert set(result.at_risk) == {f"{folio}:respond" for folio in folios}
    told = {(email, ticket_id) for email, _, ticket_id, _ in notices(demo)}
    assert told == {
        ("coordinador@chalco.example", chalco),
        ("tecnico@chalco.example", chalco),
        ("coordinador@sinaloa.example", sinaloa),
    }
    with demo.app_context():
        tenants = dict(
            db.session.execute(
                select(Notification.ticket_id, Tenant.slug)
                .join(Tenant, Tenant.id == Notification.tenant_id)
                .where(Notification.kind.like("sla_%"))
            ).all()
        )
    assert tenants == {chalco: "chalco", sinaloa: "sinaloa"}


def test_inactive_tenants_are_not_swept(demo, make_ticket) -> None:
    ticket_id = risky_ticket(demo, make_ticket, tenant="sinaloa")
    with demo.app_context():
        db.session.scalar(select(Tenant).where(Tenant.slug == "sinaloa")).active = False
        db.session.commit()
    before = counts(demo)
    assert sweep(demo, NOW).changed == 0
    assert counts(demo) == before
    assert clock_of(demo, ticket_id)["alerted"] == ""


# --- the command --------------------------------------------------------------------------


def test_command_prints_what_it_announced_and_is_idempotent(demo, make_ticket, runner) -> None:
    ticket_id = risky_ticket(demo, make_ticket)
    folio = ticket_of(demo, ticket_id)["folio"]
    args = ["sla-sweep", "--json", "--at", "2026-03-10T18:00:00+00:00"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"at_risk": [f"{folio}:respond"], "breached": []}
    after_first = counts(demo)
    second = runner.invoke(args=args)
    assert second.exit_code == 0, second.output
    assert json.loads(second.output) == {"at_risk": [], "breached": []}
    assert counts(demo) == after_first
    # A moment without a zone is UTC: 20:01 UTC is past the due moment.
    text = runner.invoke(args=["sla-sweep", "--at", "2026-03-10T20:01:00"])
    assert text.exit_code == 0, text.output
    assert text.output == f"En riesgo: 0; vencidas: 1\n  vencida    {folio}:respond\n"


def test_command_rejects_a_moment_that_is_not_iso(demo, make_ticket, runner) -> None:
    risky_ticket(demo, make_ticket)
    before = counts(demo)
    result = runner.invoke(args=["sla-sweep", "--at", "ayer"])
    assert result.exit_code == 2
    assert "«ayer» no es una fecha ISO" in result.output
    assert counts(demo) == before
