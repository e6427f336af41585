"""This plugin's pages and command, mounted by the core under /<tenant>/s/portal/.

- ``sistemas``: GCH-CCS-P07's registry of systems (every member of the tenant
  may read it: a modification request must name a system of it);
- ``ligas``: PSDT-05's published orders and their links, checked on demand
  (staff only);
- ``helpdesk portal check-links``: the same check for cron, carried by the
  blueprint's CLI group because the core has no hook for commands.
"""

from __future__ import annotations

import click
from flask import Blueprint
from flask import abort
from flask import flash
from flask import render_template
from flask import request
from flask_login import current_user
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Tenant
from helpdesk.models import TenantService
from helpdesk.models import Ticket
from helpdesk.tenancy import require_tenant
from helpdesk.tenancy import scoped_to
from plugins.portal import links
from plugins.portal import registry
from plugins.portal import services

bp = Blueprint("pages", __name__, cli_group="portal")


def _offered_or_used(tenant: Tenant, code: str) -> bool:
    """The tenant offers the service, or once did (its tickets stay readable)."""
    enabled = db.session.scalar(
        select(TenantService.enabled).where(
            TenantService.tenant_id == tenant.id, TenantService.service_code == code
        )
    )
    if enabled:
        return True
    return (
        db.session.scalar(
            select(Ticket.id)
            .where(Ticket.tenant_id == tenant.id, Ticket.service_code == code)
            .limit(1)
        )
        is not None
    )


@bp.get("/sistemas")
def systems() -> str:
    """GCH-CCS-P07: the systems the Coordinación developed and administers."""
    tenant = require_tenant()
    if not _offered_or_used(tenant, services.P07.code):
        abort(404)
    return render_template(
        "portal/sistemas.html",
        systems=registry.systems(tenant),
        service=services.P07,
        staff=current_user.is_staff,
    )


@bp.route("/ligas", methods=["GET", "POST"])
def published_links() -> str:
    """PSDT-05: every published order with its link; POST checks them all now."""
    tenant = require_tenant()
    if not current_user.is_staff:
        abort(403)
    if not _offered_or_used(tenant, services.PSDT05.code):
        abort(404)
    results = None
    if request.method == "POST":
        results = links.check_links(tenant)
        dead = [r for r in results if not r.check.ok]
        flash(
            f"Se verificaron {len(results)} ligas; {len(dead)} no se pueden ver.",
            "error" if dead else "success",
        )
    orders = [(ticket, links.published_link(ticket)) for ticket in links.published_orders(tenant)]
    return render_template(
        "portal/ligas.html",
        orders=orders,
        results=results,
        service=services.PSDT05,
        labels={name: state.label for name, state in services.PSDT05.workflow.states.items()},
    )


@bp.cli.command("check-links")
@click.option("--tenant", "slug", help="Short name of one tenant (default: every active one).")
@click.option("--timeout", "seconds", type=float, help="Seconds per attempt (default: 5).")
def check_links_command(slug: str | None, seconds: float | None) -> None:
    """PSDT-05: check the link of every published order; a dead one opens the
    non-conformity "servicio no visible en el portal"."""
    statement = select(Tenant).where(Tenant.active).order_by(Tenant.slug)
    if slug:
        statement = statement.where(Tenant.slug == slug)
    tenants = list(db.session.scalars(statement))
    if slug and not tenants:
        raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
    checked = dead = 0
    for tenant in tenants:
        with scoped_to(tenant):
            for item in links.check_links(tenant, seconds=seconds):
                checked += 1
                mark = "visible" if item.check.ok else "NO VISIBLE"
                line = f"{tenant.slug} {item.folio} {mark} {item.check.url}"
                if not item.check.ok:
                    dead += 1
                    line += f" ({item.check.detail})"
                if item.step:
                    line += f" → {item.step}"
                click.echo(line)
    click.echo(f"Ligas verificadas: {checked}; no visibles: {dead}.")
