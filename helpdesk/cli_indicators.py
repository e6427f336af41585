"""``helpdesk indicators``: every indicator of a scope, from a terminal or a script.

The same engine as the dashboards (:mod:`helpdesk.indicators`), so a figure
printed here is the one an office head sees on the page and in the exports.
"""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from helpdesk import indicators
from helpdesk import periods
from helpdesk import plugins
from helpdesk import sla
from helpdesk import tallies
from helpdesk.extensions import db
from helpdesk.indicators import Reading
from helpdesk.indicators import Scope
from helpdesk.models import Department
from helpdesk.models import Tenant
from helpdesk.models import Ticket
from helpdesk.models import Unit
from helpdesk.tenancy import scoped_to
from helpdesk.tenancy import tenant_by_slug


def _tenant(slug: str) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
    return tenant


def _period(text: str) -> periods.Period:
    try:
        return periods.parse(text)
    except periods.PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None


def _filters(
    tenant: Tenant | None, service: str | None, unit: str | None, department: str | None
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if service is not None:
        if plugins.host().catalog.get(service) is None:
            raise click.BadParameter(f"no existe el servicio «{service}»", param_hint="--service")
        found["service_code"] = service
    if unit is not None:
        row = db.session.scalar(select(Unit).where(Unit.name == unit))
        if row is None:
            raise click.BadParameter(
                f"no existe la unidad administrativa «{unit}» en este gobierno",
                param_hint="--unit",
            )
        found["unit_id"] = row.id
    if department is not None:
        row = db.session.scalar(select(Department).where(Department.code == department))
        if row is None:
            raise click.BadParameter(
                f"no existe el departamento «{department}» en este gobierno",
                param_hint="--department",
            )
        found["department_id"] = row.id
    return found


def reading_as_dict(reading: Reading) -> dict[str, Any]:
    definition = reading.definition
    return {
        "code": definition.code,
        "name": definition.name,
        "value": reading.value,
        "unit": definition.unit,
        "formula": definition.formula,
        "periodicity": definition.periodicity,
        "responsible": definition.responsible,
        "service": definition.service_code,
        "numerator": reading.numerator,
        "denominator": reading.denominator,
        "computed": reading.computed,
    }


def _value(reading: Reading) -> str:
    if not reading.computed:
        return "sin dato (no se registra en la mesa de ayuda)"
    if reading.value is None:
        return "—"
    value = reading.value
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{text} {reading.definition.unit}"


@click.command("indicators")
@with_appcontext
@click.option("--tenant", "slug", help="Slug del gobierno (municipio).")
@click.option("--all-tenants", is_flag=True, help="Todos los gobiernos juntos.")
@click.option("--period", "period_text", required=True, help=periods.FORMS)
@click.option("--service", default=None, help="Código del servicio (por ejemplo PSDT-05).")
@click.option("--unit", default=None, help="Nombre de la unidad administrativa solicitante.")
@click.option("--department", default=None, help="Código del departamento que atiende.")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON.")
def indicators_command(
    slug: str | None,
    all_tenants: bool,
    period_text: str,
    service: str | None,
    unit: str | None,
    department: str | None,
    as_json: bool,
) -> None:
    """Print every indicator of the scope with its value, unit and formula."""
    if bool(slug) == all_tenants:
        raise click.UsageError("Indique --tenant SLUG o --all-tenants (uno de los dos).")
    tenant = _tenant(slug) if slug else None
    period = _period(period_text)
    if tenant is None and (unit or department):
        raise click.UsageError("--unit y --department requieren --tenant.")
    with scoped_to(tenant):
        filters = _filters(tenant, service, unit, department)
        scope = Scope.of(tenant, period, **filters)
        readings = indicators.read_all(scope)
    if as_json:
        start, end = periods.bounds(period, scope.zone)
        click.echo(
            json.dumps(
                {
                    "tenant": tenant.slug if tenant else None,
                    "period": {
                        "key": period.key,
                        "label": period.label,
                        "first_day": period.start.isoformat(),
                        "last_day": period.last_day.isoformat(),
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                    },
                    "service": service,
                    "unit": unit,
                    "department": department,
                    "indicators": [reading_as_dict(reading) for reading in readings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    where = tenant.name if tenant else "Todos los gobiernos"
    click.echo(f"{where} — {period.label} ({period.key})")
    for reading in readings:
        click.echo(f"{reading.definition.code:<45} {_value(reading)}")


@click.command("sla-refresh")
@with_appcontext
@click.option("--tenant", "slug", required=True, help="Slug del gobierno (municipio).")
@click.option(
    "--closed",
    is_flag=True,
    help="Recalcular también el tiempo trabajado de las solicitudes cerradas que no lo tienen.",
)
def sla_refresh_command(slug: str, closed: bool) -> None:
    """Recompute the SLA clocks of open tickets (and the worked time of closed ones)."""
    tenant = _tenant(slug)
    with scoped_to(tenant):
        count = sla.refresh_open(tenant)
        filled = 0
        if closed:
            statement = select(Ticket).where(
                Ticket.closed_at.is_not(None), Ticket.work_seconds.is_(None)
            )
            for ticket in db.session.scalars(statement.order_by(Ticket.id)):
                ticket.work_seconds = sla.ticket_work_seconds(ticket)
                filled += ticket.work_seconds is not None
        db.session.commit()
    click.echo(f"Relojes recalculados: {count} abiertas; tiempo trabajado: {filled} cerradas.")


@click.command("tally")
@with_appcontext
@click.option("--tenant", "slug", required=True, help="Slug del gobierno (municipio).")
@click.option("--rebuild", is_flag=True, help="Volver a contar todas las solicitudes desde cero.")
def tally_command(slug: str, rebuild: bool) -> None:
    """Check the daily tally of the indicators against a fresh count (or rebuild it).

    Exits 1 when a row differs, naming it; ``--rebuild`` counts every request
    again, e.g. after restoring tickets from a backup by hand.
    """
    tenant = _tenant(slug)
    if rebuild:
        counted = tallies.rebuild(tenant.id)
        db.session.commit()
        click.echo(f"Cifras diarias recontadas: {counted} solicitudes.")
        return
    problems = tallies.drift(tenant.id)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} filas no coinciden; corrija con --rebuild.", err=True)
        raise SystemExit(1)
    click.echo("Las cifras diarias coinciden con las solicitudes.")
