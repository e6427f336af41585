"""The ``helpdesk`` command: Flask's CLI with the help desk's own commands."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from flask.cli import FlaskGroup
from sqlalchemy import select

from helpdesk import create_app
from helpdesk.config import ConfigError
from helpdesk.plugins import PluginLoadError


def _create_app() -> Flask:
    try:
        return create_app()
    except (ConfigError, PluginLoadError) as exc:
        # One clear line, no traceback: the operator fixes the variable and retries.
        click.echo(f"Error de configuración: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """Mesa de ayuda: servicios de TI y comunicación para gobiernos."""


# The help desk's own commands live on a group that create_app() attaches to
# app.cli, so `helpdesk X`, `flask X` and app.test_cli_runner() all see them.
commands = AppGroup("helpdesk")


def _tenant_or_fail(slug: str) -> Any:
    from helpdesk.tenancy import tenant_by_slug

    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
    return tenant


@commands.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema through the migrations."""
    from flask_migrate import upgrade

    from helpdesk import tallies
    from helpdesk.extensions import db

    upgrade()
    # Tickets written before the daily tally existed (or by a bulk load) are
    # counted once here; on an up-to-date database this finds none.
    counted = tallies.count_missing()
    db.session.commit()
    if counted:
        click.echo(f"Cifras diarias: {counted} solicitudes contadas.")
    click.echo("Base de datos al día.")


@commands.command("demo")
def demo() -> None:
    """Load (or refresh) the demo tenants, offices, users and services."""
    from helpdesk import demo as demo_data
    from helpdesk import plugins

    tenants = demo_data.load(plugins.host().catalog)
    for tenant in tenants:
        click.echo(f"{tenant.slug}: {tenant.name}")
    click.echo(f"Contraseña de todos los usuarios de demostración: {demo_data.DEMO_PASSWORD}")


@commands.command("catalog")
@click.option("--tenant", "slug", help="Short name of a tenant (chalco, sinaloa, edomex).")
@click.option("--service", "code", help="Describe one service's request form.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def catalog(slug: str | None, code: str | None, as_json: bool) -> None:
    """List the services of the catalog (and whether the tenant offers each)."""
    from helpdesk import plugins
    from helpdesk import service_forms
    from helpdesk import service_settings
    from helpdesk.extensions import db
    from helpdesk.tenancy import scoped_to

    host = plugins.host()
    if code:
        service = host.catalog.get(code)
        if service is None:
            raise click.BadParameter(f"no existe el servicio «{code}»", param_hint="--service")
        described = {
            "code": service.code,
            "name": service.name,
            "plugin": service.plugin,
            "liaison_required": service.liaison_required,
            "fields": service_forms.describe(service),
            "checklist": list(service.checklist),
        }
        if slug:
            tenant = _tenant_or_fail(slug)
            with scoped_to(tenant):
                rows_by_code = service_settings.ensure_rows(tenant, host.catalog)
                described["enabled"] = rows_by_code[code].enabled
                db.session.commit()
        if as_json:
            click.echo(json.dumps(described, ensure_ascii=False, indent=2))
        else:
            for field in described["fields"]:
                mark = "*" if field["required"] else " "
                click.echo(f"{mark} {field['name']:<28} {field['type']:<20} {field['label']}")
        return
    rows: list[dict[str, Any]] = []
    if slug:
        tenant = _tenant_or_fail(slug)
        with scoped_to(tenant):
            items = service_settings.tenant_services(tenant, host.catalog)
            db.session.commit()
            for item in items:
                rows.append(
                    {
                        "code": item.definition.code,
                        "name": item.definition.name,
                        "plugin": item.definition.plugin,
                        "enabled": item.enabled,
                        "department": item.department.code if item.department else None,
                    }
                )
    else:
        for service in host.catalog:
            rows.append({"code": service.code, "name": service.name, "plugin": service.plugin})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        flag = "" if "enabled" not in row else ("  [activo]" if row["enabled"] else "  [inactivo]")
        click.echo(f"{row['code']:<20} {row['plugin']:<20} {row['name']}{flag}")


@commands.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_command(as_json: bool) -> None:
    """List the loaded plugins, their hooks and the services each contributes."""
    from helpdesk import plugins

    host = plugins.host()
    rows = []
    for info in host.plugin_infos():
        services = [s.code for s in host.catalog if s.plugin == info.name]
        rows.append(
            {
                "name": info.name,
                "module": info.module,
                "distribution": info.distribution,
                "version": info.version,
                "hooks": list(info.hooks),
                "services": services,
                "default": info.builtin_default,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        origin = "núcleo" if row["default"] else f"{row['distribution']} {row['version']}"
        click.echo(f"{row['name']:<32} {origin:<28} {', '.join(row['services']) or '-'}")


@commands.command("users")
@click.option("--tenant", "slug", required=True, help="Short name of the tenant.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def users(slug: str, as_json: bool) -> None:
    """List the tenant's users with their e-mail, roles and unit or department."""
    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.tenancy import scoped_to

    tenant = _tenant_or_fail(slug)
    with scoped_to(tenant):
        people = db.session.scalars(select(User).order_by(User.email)).all()
        rows = [
            {
                "email": user.email,
                "name": user.name,
                "roles": sorted(user.roles),
                "kind": user.kind,
                "unit": user.unit.name if user.unit else None,
                "department": user.department.code if user.department else None,
                "organization": user.organization,
                "active": user.active,
            }
            for user in people
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        where = row["unit"] or row["department"] or row["organization"] or "-"
        click.echo(f"{row['email']:<32} {','.join(row['roles']):<24} {where}")


def init_app(app: Flask) -> None:
    from helpdesk.cli_calendar import calendar_group
    from helpdesk.cli_indicators import indicators_command
    from helpdesk.cli_indicators import sla_refresh_command
    from helpdesk.cli_indicators import tally_command
    from helpdesk.cli_jobs import outbox_group
    from helpdesk.cli_jobs import periodic_group
    from helpdesk.cli_jobs import sla_sweep_command
    from helpdesk.cli_jobs import worker_command
    from helpdesk.cli_serve import serve_command
    from helpdesk.cli_surveys import survey_group
    from helpdesk.cli_tickets import ticket_group

    for command in commands.commands.values():
        app.cli.add_command(command)
    app.cli.add_command(ticket_group)
    app.cli.add_command(calendar_group)
    app.cli.add_command(indicators_command)
    app.cli.add_command(sla_refresh_command)
    app.cli.add_command(tally_command)
    app.cli.add_command(sla_sweep_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(periodic_group)
    app.cli.add_command(survey_group)
    app.cli.add_command(serve_command)


def main() -> None:
    cli(prog_name="helpdesk")
