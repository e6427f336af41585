"""Staff pages: queues with filters, the ticket page, folio search, filing on behalf."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpdesk import plugins
from helpdesk import service_forms
from helpdesk import tickets
from helpdesk.auth import roles_required
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.forms.validators import choices
from helpdesk.models import Department
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import require_tenant
from helpdesk.ticket_access import ticket_by_folio_or_404
from helpdesk.views import monitor
from helpdesk.views import ticket_pages
from helpdesk.views.requests import file_from_form
from helpdesk.views.requests import offered_service
from helpdesk.views.requests import render_request_form
from helpdesk.workflow import ClockKind
from helpdesk.workflow.skeleton import REVIEWABLE

bp = Blueprint("desk", __name__, url_prefix="/<tenant>/mesa")

QUEUES = {
    "new": _l("New"),
    "review": _l("Needs my review"),
    "department": _l("Turned to my department"),
    "mine": _l("Assigned to me"),
    "waiting_requester": _l("Waiting on requester"),
    "waiting_external": _l("Waiting on external party"),
    "closed": _l("Closed"),
    "all": _l("All"),
}
PAGE_SIZE = 50
BEFORE_TURN = (*REVIEWABLE, "needs_completion")


@bp.before_request
@roles_required("coordinator", "agent", "tenant_admin")
def _staff_only() -> None:
    """The desk is for the tenant's staff."""


def _states_with(kind: ClockKind) -> object:
    """SQL: the ticket's state has this clock kind in its own service's workflow."""
    conditions = []
    for service in plugins.host().catalog:
        states = [s.name for s in workflow_of(service).states.values() if s.clock is kind]
        if states:
            conditions.append(and_(Ticket.service_code == service.code, Ticket.state.in_(states)))
    return or_(*conditions) if conditions else false()


def queue_filter(name: str) -> object | None:
    user = current_user
    if name == "new":
        return Ticket.state == "received"
    if name == "review":
        return Ticket.state.in_(REVIEWABLE)
    if name == "department":
        # Only what the coordinator already turned: before that the default
        # department is a proposal, not work of the department.
        return and_(
            Ticket.department_id == user.department_id,
            Ticket.state.not_in(BEFORE_TURN),
            ~_states_with(ClockKind.CLOSED),
        )
    if name == "mine":
        return and_(Ticket.assignee_id == user.id, ~_states_with(ClockKind.CLOSED))
    if name == "waiting_requester":
        return _states_with(ClockKind.WAITING_REQUESTER)
    if name == "waiting_external":
        return _states_with(ClockKind.WAITING_EXTERNAL)
    if name == "closed":
        return _states_with(ClockKind.CLOSED)
    return None


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        flash(_("Dates are written as YYYY-MM-DD."), "error")
        return None


def apply_filters(statement: Select, args: dict[str, str]) -> Select:
    if args.get("service"):
        statement = statement.where(Ticket.service_code == args["service"])
    if args.get("state"):
        statement = statement.where(Ticket.state == args["state"])
    if args.get("unit", "").isdigit():
        statement = statement.where(Ticket.unit_id == int(args["unit"]))
    if args.get("department", "").isdigit():
        statement = statement.where(Ticket.department_id == int(args["department"]))
    start, end = _parse_date(args.get("from")), _parse_date(args.get("to"))
    if start:
        statement = statement.where(Ticket.received_at >= datetime.combine(start, time.min))
    if end:
        statement = statement.where(
            Ticket.received_at < datetime.combine(end + timedelta(days=1), time.min)
        )
    if args.get("folio"):
        statement = statement.where(Ticket.folio.ilike(f"%{args['folio'].strip()}%"))
    if args.get("q"):
        pattern = f"%{args['q'].strip()}%"
        statement = statement.where(or_(Ticket.summary.ilike(pattern), Ticket.folio.ilike(pattern)))
    return statement


@bp.get("/")
def index() -> str:
    queue = request.args.get("queue", "review" if current_user.has_role("coordinator") else "mine")
    if queue not in QUEUES:
        queue = "all"
    counts = {}
    for name in QUEUES:
        condition = queue_filter(name)
        statement = select(func.count()).select_from(Ticket)
        if condition is not None:
            statement = statement.where(condition)
        counts[name] = db.session.scalar(statement)
    statement = select(Ticket)
    condition = queue_filter(queue)
    if condition is not None:
        statement = statement.where(condition)
    statement = apply_filters(statement, request.args.to_dict())
    page = max(1, request.args.get("page", 1, type=int))
    rows = db.session.scalars(
        statement.order_by(
            Ticket.received_at.asc() if queue != "closed" else Ticket.closed_at.desc()
        )
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    catalog = plugins.host().catalog
    labels = {}
    for row in rows:
        service = catalog.get(row.service_code)
        state = workflow_of(service).states.get(row.state) if service else None
        labels[row.id] = state.label if state else row.state
    return render_template(
        "desk/index.html",
        queues=QUEUES,
        queue=queue,
        counts=counts,
        rows=rows[:PAGE_SIZE],
        sla_status=monitor.ticket_statuses([row.id for row in rows[:PAGE_SIZE]]),
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        labels=labels,
        catalog=catalog,
        units=db.session.scalars(select(Unit).order_by(Unit.name)).all(),
        departments=db.session.scalars(select(Department).order_by(Department.name)).all(),
        args=request.args,
    )


@bp.get("/buscar")
def search() -> Response:
    folio = request.args.get("folio", "").strip()
    ticket = db.session.scalar(select(Ticket).where(func.upper(Ticket.folio) == folio.upper()))
    if ticket is None:
        flash(_("No request of this government has the folio “%(folio)s”.", folio=folio), "error")
        return redirect(request.referrer or url_for(".index"))
    return redirect(url_for(".ticket", folio=ticket.folio))


@bp.get("/solicitudes/<folio>")
def ticket(folio: str) -> str:
    return ticket_pages.render_ticket(ticket_by_folio_or_404(folio), audience="staff")


@bp.post("/solicitudes/<folio>/pasos/<name>")
def take(folio: str, name: str) -> Response | str:
    return ticket_pages.take_transition(ticket_by_folio_or_404(folio), name, audience="staff")


@bp.post("/solicitudes/<folio>/comentarios")
def comment(folio: str) -> Response | str | tuple[str, int]:
    return ticket_pages.add_comment(ticket_by_folio_or_404(folio), audience="staff")


@bp.get("/nueva")
def choose_service() -> str:
    from helpdesk import service_settings

    items = [
        item
        for item in service_settings.tenant_services(require_tenant(), plugins.host().catalog)
        if item.enabled and not item.definition.internal
    ]
    return render_template("desk/choose.html", items=items)


@bp.route("/nueva/<code>", methods=["GET", "POST"])
def file_on_behalf(code: str) -> str | Response:
    """A request that arrived by phone, paper oficio or e-mail (PSDT-05's orden de servicio)."""
    item = offered_service(code)
    definition = item.definition
    form = service_forms.form_class(definition, on_behalf=True)()
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.name)).all()
    service_forms.set_unit_choices(form, units, required=False)
    people = [
        u
        for u in db.session.scalars(select(User).where(User.active).order_by(User.name))
        if "requester" in u.roles and tickets.may_request(definition, u)
    ]
    form.requester_id.choices = choices([(u.id, f"{u.name} <{u.email}>") for u in people])
    issues: list = []
    if request.method == "POST" and service_forms.add_requested_row(form, request.form):
        pass
    elif form.validate_on_submit():
        requester = next(u for u in people if u.id == form.requester_id.data)
        ticket, issues = file_from_form(
            form,
            item,
            requester=requester,
            unit_id=form.unit_id.data or requester.unit_id,
            channel=form.channel.data,
        )
        if ticket is not None:
            flash(_("Request registered with folio %(folio)s.", folio=ticket.folio), "success")
            return redirect(url_for(".ticket", folio=ticket.folio))
    return render_request_form(form, item, issues, on_behalf=True)
