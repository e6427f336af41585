"""The response-time monitor (CAU): open tickets by SLA status, for coordinators and admins.

Everything is aggregate SQL over the stored clocks, so the page costs the
same with ten tickets or a million. The status of a clock is decided in the
query from its due and risk moments, at the moment of the request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import render_template
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk import plugins
from helpdesk.auth import roles_required
from helpdesk.extensions import db
from helpdesk.models import Department
from helpdesk.models import SlaClock
from helpdesk.models import Ticket
from helpdesk.models import User
from helpdesk.models.base import utcnow

bp = Blueprint("monitor", __name__, url_prefix="/<tenant>/monitor")

# Worst first; the rank is what the query aggregates per ticket.
STATUSES = ("breached", "at_risk", "on_time", "paused")
RANK = {"paused": 0, "on_time": 1, "at_risk": 2, "breached": 3}
GROUPS = {
    "department": _l("By department"),
    "service": _l("By service"),
    "agent": _l("By technician"),
}
LIST_LIMIT = 300
REFRESH_SECONDS = 60


def _rank(now: datetime) -> Any:
    return case(
        (SlaClock.due_at.is_(None), RANK["paused"]),
        (SlaClock.due_at < now, RANK["breached"]),
        (SlaClock.risk_at <= now, RANK["at_risk"]),
        else_=RANK["on_time"],
    )


def open_clocks(now: datetime) -> Any:
    """Per open ticket: its worst clock status and its next due moment."""
    return (
        select(
            SlaClock.ticket_id.label("ticket_id"),
            func.max(_rank(now)).label("rank"),
            func.min(SlaClock.due_at).label("next_due"),
        )
        .where(SlaClock.met_at.is_(None))
        .group_by(SlaClock.ticket_id)
        .subquery()
    )


def ticket_statuses(ticket_ids: list[int], now: datetime | None = None) -> dict[int, Any]:
    """For the desk's queues: each open ticket's worst clock status and next due moment."""
    if not ticket_ids:
        return {}
    clocks = open_clocks(now or utcnow())
    status_of = {rank: status for status, rank in RANK.items()}
    rows = db.session.execute(
        select(clocks.c.ticket_id, clocks.c.rank, clocks.c.next_due).where(
            clocks.c.ticket_id.in_(ticket_ids)
        )
    ).all()
    return {row.ticket_id: (status_of[row.rank], row.next_due) for row in rows}


def _filtered(statement: Select, clocks: Any, args: dict[str, str]) -> Select:
    statement = statement.where(Ticket.closed_at.is_(None))
    if args.get("status") in RANK:
        statement = statement.where(clocks.c.rank == RANK[args["status"]])
    if args.get("service"):
        statement = statement.where(Ticket.service_code == args["service"])
    if args.get("department", "").isdigit():
        statement = statement.where(Ticket.department_id == int(args["department"]))
    if args.get("agent", "").isdigit():
        statement = statement.where(Ticket.assignee_id == int(args["agent"]))
    return statement


def _counts(clocks: Any, key: Any, args: dict[str, str]) -> list[dict[str, Any]]:
    columns = [
        func.sum(case((clocks.c.rank == RANK[status], 1), else_=0)).label(status)
        for status in STATUSES
    ]
    statement = select(key.label("key"), *columns).join(clocks, clocks.c.ticket_id == Ticket.id)
    rows = db.session.execute(_filtered(statement, clocks, args).group_by(key)).all()
    return [
        {"key": row.key, **{status: int(getattr(row, status) or 0) for status in STATUSES}}
        for row in rows
    ]


def monitor_data(args: dict[str, str], now: datetime | None = None) -> dict[str, Any]:
    """Totals, breakdowns and the list of open tickets, worst and oldest first."""
    now = now or utcnow()
    clocks = open_clocks(now)
    rows = db.session.execute(
        _filtered(
            select(Ticket, clocks.c.rank, clocks.c.next_due).join(
                clocks, clocks.c.ticket_id == Ticket.id
            ),
            clocks,
            args,
        )
        .order_by(clocks.c.rank.desc(), Ticket.received_at.asc())
        .limit(LIST_LIMIT)
        # The list shows each ticket's department and technician: load them
        # with the page, not one query per row.
        .options(selectinload(Ticket.department), selectinload(Ticket.assignee))
    ).all()
    status_of = {rank: status for status, rank in RANK.items()}
    by_department = _counts(clocks, Ticket.department_id, args)
    by_service = _counts(clocks, Ticket.service_code, args)
    by_agent = _counts(clocks, Ticket.assignee_id, args)
    totals = {s: sum(row[s] for row in by_service) for s in STATUSES}
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    agents = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_([r["key"] for r in by_agent if r["key"]]))
        )
    }
    return {
        "now": now,
        "totals": totals,
        "groups": {
            "department": [
                (departments[r["key"]].name if r["key"] in departments else None, r)
                for r in by_department
            ],
            "service": [(r["key"], r) for r in by_service],
            "agent": [(agents[r["key"]].name if r["key"] in agents else None, r) for r in by_agent],
        },
        "rows": [(ticket, status_of[rank], due) for ticket, rank, due in rows],
    }


@bp.get("/")
@roles_required("coordinator", "tenant_admin")
def index() -> str:
    args = {k: v for k, v in request.args.items() if k != "fragment"}
    data = monitor_data(args)
    template = "monitor/_body.html" if request.args.get("fragment") else "monitor/index.html"
    return render_template(
        template,
        **data,
        args=args,
        statuses=STATUSES,
        group_names=GROUPS,
        catalog=plugins.host().catalog,
        departments=db.session.scalars(select(Department).order_by(Department.name)).all(),
        agents=db.session.scalars(
            select(User).where(User.department_id.is_not(None)).order_by(User.name)
        ).all(),
        refresh_seconds=REFRESH_SECONDS,
    )
