"""``helpdesk ticket file|show|move|comment``: the portal's and desk's rules from a terminal.

Useful for bulk loads of paper requests and for checks; every command goes
through the same functions as the web pages (form validation, requirement
checks, folio series, workflow engine).
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select

from helpdesk import comments
from helpdesk import plugins
from helpdesk import service_forms
from helpdesk import service_settings
from helpdesk import tickets
from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.models import Unit
from helpdesk.models import User
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import TransitionError
from helpdesk.workflow.engine import allowed
from helpdesk.workflow.engine import apply

ticket_group = AppGroup("ticket", help="File, show and move requests.")


def _user(email: str) -> User:
    user = db.session.scalar(
        select(User).where(User.email == email.lower()).execution_options(**{ALL_TENANTS: True})
    )
    if user is None or not user.active:
        raise click.BadParameter(
            f"no hay un usuario activo con el correo «{email}»", param_hint="--as"
        )
    return user


def _ticket(folio: str, tenant_slug: str | None) -> Ticket:
    statement = select(Ticket).where(Ticket.folio == folio)
    if tenant_slug:
        statement = statement.join(Tenant, Tenant.id == Ticket.tenant_id).where(
            Tenant.slug == tenant_slug
        )
    found = db.session.scalars(statement.execution_options(**{ALL_TENANTS: True})).all()
    if not found:
        raise click.ClickException(f"no existe la solicitud con folio «{folio}»")
    if len(found) > 1:
        raise click.ClickException(f"el folio «{folio}» existe en varios gobiernos: use --tenant")
    return found[0]


@ticket_group.command("file")
@click.option("--tenant", "slug", required=True, help="Short name of the tenant.")
@click.option("--service", "code", required=True, help="Service code, e.g. GCH-CCS-P10.")
@click.option("--as", "email", required=True, help="E-mail of the requester.")
@click.option("--data", "data_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--channel", default="cli", type=click.Choice(["cli", "phone", "oficio", "email"]))
@click.option("--by", "by_email", help="E-mail of the staff member registering it (default: --as).")
@click.option(
    "--accept-late",
    "late_justification",
    help="Coordinator's justification to accept a request that breaks the lead-time rule.",
)
def file_command(
    slug: str,
    code: str,
    email: str,
    data_file: str,
    channel: str,
    by_email: str | None,
    late_justification: str | None,
) -> None:
    """File a request exactly as the portal does and print its folio.

    DATA is JSON with the service's fields (see `helpdesk catalog --service CODE
    --json`), plus optional "unit" (name), "liaison" ({name, email, phone}) and
    "attachments" (paths relative to the JSON file).
    """
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
    try:
        payload = json.loads(Path(data_file).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"no es JSON válido: {exc}", param_hint="--data") from None
    if not isinstance(payload, dict):
        raise click.BadParameter("debe ser un objeto JSON", param_hint="--data")
    with scoped_to(tenant):
        requester = _user(email)
        filed_by = _user(by_email) if by_email else requester
        if requester.tenant_id != tenant.id or filed_by.tenant_id != tenant.id:
            raise click.BadParameter("el usuario no pertenece a ese gobierno", param_hint="--as")
        catalog = plugins.host().catalog
        definition = catalog.get(code)
        if definition is None:
            raise click.BadParameter(f"no existe el servicio «{code}»", param_hint="--service")
        rows = service_settings.ensure_rows(tenant, catalog)
        item = service_settings.effective(definition, rows[code], tenant)
        unit_id = _unit_id(payload.pop("unit", None), requester)
        liaison = payload.pop("liaison", None) or {}
        paths = [Path(data_file).parent / p for p in payload.pop("attachments", [])]
        formdata = service_forms.json_to_formdata(
            {
                **payload,
                "liaison_name": liaison.get("name"),
                "liaison_email": liaison.get("email"),
                "liaison_phone": liaison.get("phone"),
            }
        )
        form = service_forms.form_class(definition)(formdata=formdata, meta={"csrf": False})
        form.unit_id.choices = [(unit_id or 0, "")]
        form.unit_id.data = unit_id or 0
        if not form.validate():
            raise click.ClickException(
                "la solicitud tiene errores:\n  " + "\n  ".join(service_forms.errors_as_text(form))
            )
        handles = [path.open("rb") for path in paths]
        try:
            ticket = tickets.file_request(
                tenant=tenant,
                service=item,
                requester=requester,
                filed_by=filed_by,
                data=service_forms.service_data(form, definition),
                unit_id=unit_id,
                liaison=service_forms.liaison_data(form),
                channel=channel,
                uploads=[tickets.Upload(p.name, h) for p, h in zip(paths, handles, strict=True)],
                late_justification=late_justification,
            )
        except tickets.FilingError as exc:
            raise click.ClickException(
                "no cumple los requisitos:\n  " + "\n  ".join(i.message for i in exc.issues)
            ) from None
        finally:
            for handle in handles:
                handle.close()
        click.echo(ticket.folio)


def _unit_id(name: str | None, requester: User) -> int | None:
    if not name:
        return requester.unit_id
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        raise click.BadParameter(f"no existe la unidad «{name}»", param_hint="unit")
    return unit.id


def _iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes; every stored moment is UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _describe(ticket: Ticket) -> dict[str, Any]:
    service = plugins.host().catalog.get(ticket.service_code)
    workflow = workflow_of(service) if service else None
    events = db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.seq)
    ).all()
    people = db.session.scalars(select(User).where(User.active)).all()
    open_to: dict[str, list[str]] = {}
    if workflow is not None:
        for transition in workflow.available_from(ticket.state):
            open_to[transition.name] = list(transition.actors)
    return {
        "folio": ticket.folio,
        "service": ticket.service_code,
        "state": ticket.state,
        "state_label": workflow.state(ticket.state).label if workflow else ticket.state,
        "clock": workflow.state(ticket.state).clock.value if workflow else None,
        "requester": ticket.requester.email,
        "unit": ticket.unit.name if ticket.unit else None,
        "department": ticket.department.code if ticket.department else None,
        "assignee": ticket.assignee.email if ticket.assignee else None,
        "channel": ticket.channel,
        "received_at": _iso(ticket.received_at),
        "version": ticket.version,
        "data": ticket.data,
        "liaison": ticket.liaison,
        "attachments": [a.original_name for a in ticket.attachments],
        "links": [{"direction": d, "folio": t.folio} for d, t in tickets.linked(ticket)],
        "events": [
            {
                "seq": e.seq,
                "at": _iso(e.at),
                "actor": e.actor.email if e.actor else None,
                "transition": e.transition,
                "from": e.from_state,
                "to": e.to_state,
                "reason": e.reason,
                "changes": e.changes,
                # An admin tool shows internal notes, marked: never copy them to a requester.
                "internal": comments.is_internal(e),
            }
            for e in events
        ],
        "transitions": open_to,
        "transitions_by_user": _steps_by_user(workflow, ticket, people),
    }


def _steps_by_user(workflow: Any, ticket: Ticket, people: list[User]) -> dict[str, list[str]]:
    if workflow is None:
        return {}
    steps = {user.email: [t.name for t in allowed(workflow, ticket, user)] for user in people}
    return {email: names for email, names in steps.items() if names}


@ticket_group.command("show")
@click.argument("folio")
@click.option("--tenant", "slug", help="Short name of the tenant, when folios repeat.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_command(folio: str, slug: str | None, as_json: bool) -> None:
    """Print a request with its state, its events and the steps open to each role."""
    ticket = _ticket(folio, slug)
    with scoped_to(db.session.get(Tenant, ticket.tenant_id)):
        described = _describe(ticket)
    if as_json:
        click.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    click.echo(f"{described['folio']}  {described['service']}  {described['state_label']}")
    for event in described["events"]:
        name = "comment (internal)" if event["internal"] else event["transition"]
        click.echo(f"  {event['seq']:>3} {event['at'][:16]} {name:<20} {event['to']}")
    for name, actors in described["transitions"].items():
        click.echo(f"  → {name} ({', '.join(actors)})")


@ticket_group.command("move")
@click.argument("folio")
@click.argument("transition")
@click.option("--as", "email", required=True, help="E-mail of the person taking the step.")
@click.option("--reason", help="The reason, for steps that need one.")
@click.option("--text", help="The description, for steps that need one (conclude).")
@click.option("--department", help="Department code, for turn.")
@click.option("--assignee", help="Technician's e-mail, for assign.")
@click.option("--tenant", "slug", help="Short name of the tenant, when folios repeat.")
def move_command(
    folio: str,
    transition: str,
    email: str,
    reason: str | None,
    text: str | None,
    department: str | None,
    assignee: str | None,
    slug: str | None,
) -> None:
    """Take a workflow step with the same rules as the web."""
    from helpdesk.models import Department

    ticket = _ticket(folio, slug)
    tenant = db.session.get(Tenant, ticket.tenant_id)
    with scoped_to(tenant):
        actor = _user(email)
        service = plugins.host().catalog.get(ticket.service_code)
        if service is None:
            raise click.ClickException(f"el servicio {ticket.service_code} ya no está instalado")
        fields: dict[str, Any] = {"text": text}
        if department:
            dept = db.session.scalar(select(Department).where(Department.code == department))
            if dept is None:
                raise click.BadParameter(f"no existe «{department}»", param_hint="--department")
            fields["department_id"] = dept.id
        if assignee:
            fields["assignee_id"] = _user(assignee).id
        rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
        settings = service_settings.effective(service, rows[service.code], tenant)
        fields["checklist"] = {item: True for item in service.checklist}
        try:
            event = apply(
                ticket.id,
                transition,
                actor,
                workflow=workflow_of(service),
                reason=reason,
                fields=fields,
                context={
                    "checklist": service.checklist,
                    "default_department_id": settings.department.id
                    if settings.department
                    else None,
                },
            )
        except TransitionError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"{folio}: {event.from_state} → {event.to_state}")


@ticket_group.command("comment")
@click.argument("folio")
@click.option("--as", "email", required=True, help="E-mail of the person commenting.")
@click.option("--text", required=True, help="The comment.")
@click.option("--internal", is_flag=True, help="An internal note: staff only, never the requester.")
@click.option("--tenant", "slug", help="Short name of the tenant, when folios repeat.")
def comment_command(folio: str, email: str, text: str, internal: bool, slug: str | None) -> None:
    """Add a comment (public, or an internal note) with the same rules as the web."""
    ticket = _ticket(folio, slug)
    with scoped_to(db.session.get(Tenant, ticket.tenant_id)):
        author = _user(email)
        try:
            event = comments.add_comment(ticket, author, text, internal=internal)
        except comments.CommentError as exc:
            raise click.ClickException(str(exc.message)) from None
        kind = "nota interna" if internal else "comentario"
        click.echo(f"{folio}: {kind} #{event.seq}")
