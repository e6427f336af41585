"""`helpdesk sla-sweep` and `helpdesk outbox …` (from cron, or by hand); `helpdesk worker` (rq)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC
from datetime import datetime
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlalchemy import select

from helpdesk import jobs
from helpdesk import outbox
from helpdesk import sla_sweep
from helpdesk.extensions import db
from helpdesk.models import OutboxMessage
from helpdesk.models import Tenant
from helpdesk.sla import as_utc
from helpdesk.tenancy import ALL_TENANTS
from helpdesk.tenancy import tenant_by_slug


@click.command("sla-sweep")
@click.option("--at", "at", help="Sweep as of this ISO moment (default: now); for checks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def sla_sweep_command(at: str | None, as_json: bool) -> None:
    """Mark tickets at risk or overdue, record the events and notify; safe to repeat."""
    result = sla_sweep.sweep(moment_option(at))
    if as_json:
        click.echo(json.dumps({"at_risk": result.at_risk, "breached": result.breached}))
        return
    click.echo(f"En riesgo: {len(result.at_risk)}; vencidas: {len(result.breached)}")
    for item in result.at_risk:
        click.echo(f"  en riesgo  {item}")
    for item in result.breached:
        click.echo(f"  vencida    {item}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs and stop (for checks).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an rq worker with the scheduler for the help desk's queue (needs Redis).

    It schedules the SLA sweep and the outbox flush (e-mails that waited, retries).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("HELPDESK_REDIS_URL"):
        raise click.ClickException(
            "HELPDESK_REDIS_URL no está configurada: sin Redis los trabajos se ejecutan "
            "dentro de la aplicación y no hace falta un worker."
        )
    jobs.start_worker(app, burst=burst)


# --- helpdesk outbox flush | list | retry -------------------------------------------------

outbox_group = AppGroup("outbox", help="The e-mail outbox: send what is due, list, retry.")

STATUS_NAMES = {
    "pending": "pendiente",
    "sending": "enviando",
    "sent": "enviado",
    "failed": "fallido",
}
OUTCOME_NAMES = {
    "sent": "enviados",
    "retry": "se reintentarán",
    "failed": "fallidos",
    "skipped": "omitidos",
    "error": "con error",
}


def moment_option(at: str | None) -> datetime | None:
    """The ``--at`` option: an ISO moment, UTC when it names no offset (None: now)."""
    if not at:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise click.BadParameter(f"«{at}» no es una fecha ISO", param_hint="--at") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


@outbox_group.command("flush")
@click.option("--at", "at", help="Send what is due as of this ISO moment (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def outbox_flush_command(at: str | None, as_json: bool) -> None:
    """Send (or queue, with Redis) every message that is due; safe to repeat."""
    moment = moment_option(at)
    outcomes: Counter[str] = Counter()
    handed = outbox.flush(moment, outcomes=outcomes)
    with_redis = bool(current_app.config.get("HELPDESK_REDIS_URL"))
    if as_json:
        click.echo(json.dumps({"handed_on": handed, "redis": with_redis, **outcomes}))
        return
    if with_redis:
        click.echo(f"Mensajes entregados a la cola: {handed}")
        if outcomes["in_queue"]:
            click.echo(f"  ya estaban en la cola: {outcomes['in_queue']}")
        if outcomes["waiting"]:
            click.echo(f"  Redis no responde; esperan en la bandeja: {outcomes['waiting']}")
        return
    click.echo(f"Mensajes por enviar: {handed}")
    for outcome, name in OUTCOME_NAMES.items():
        if outcomes[outcome]:
            click.echo(f"  {name}: {outcomes[outcome]}")


def _listing(status: str | None, slug: str | None, limit: int) -> list[dict[str, Any]]:
    statement = (
        select(OutboxMessage, Tenant.slug)
        .join(Tenant, Tenant.id == OutboxMessage.tenant_id)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .execution_options(**{ALL_TENANTS: True})
    )
    if status:
        statement = statement.where(OutboxMessage.status == status)
    else:
        statement = statement.where(OutboxMessage.status != "sent")
    if slug:
        if tenant_by_slug(slug) is None:
            raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
        statement = statement.where(Tenant.slug == slug)
    return [
        {
            "id": message.id,
            "tenant": tenant,
            "status": message.status,
            "kind": message.kind,
            "recipient": message.recipient,
            "subject": message.subject,
            "attempts": message.attempts,
            "last_error": message.last_error,
            "created_at": _iso(message.created_at),
            "next_attempt_at": _iso(message.next_attempt_at),
            "sent_at": _iso(message.sent_at),
        }
        for message, tenant in db.session.execute(statement)
    ]


@outbox_group.command("list")
@click.option(
    "--status",
    type=click.Choice(list(STATUS_NAMES)),
    help="Only messages in this state (default: every one not yet sent).",
)
@click.option("--tenant", "slug", help="Short name of a tenant (default: all).")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def outbox_list_command(status: str | None, slug: str | None, limit: int, as_json: bool) -> None:
    """List the outbox's messages, oldest first (id, state, attempts, recipient, error)."""
    rows = _listing(status, slug, limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No hay mensajes" + (f" en estado «{STATUS_NAMES[status]}»." if status else "."))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6}  {STATUS_NAMES[row['status']]:<10} {row['attempts']:>2} "
            f"{row['tenant']:<10} {row['recipient']:<32} {row['subject']}"
        )
        if row["last_error"]:
            click.echo(f"{'':>8}último error: {row['last_error']}")
    click.echo(f"Total: {len(rows)}")


@outbox_group.command("retry")
@click.argument("message_id", type=int)
def outbox_retry_command(message_id: int) -> None:
    """Put a failed message back in line, with its attempts from zero."""
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .execution_options(**{ALL_TENANTS: True})
    )
    if message is None:
        raise click.ClickException(f"No existe el mensaje {message_id}.")
    if not outbox.retry(message):
        raise click.ClickException(
            f"El mensaje {message_id} no está en la lista de fallidos "
            f"(estado: {STATUS_NAMES[message.status]})."
        )
    db.session.commit()  # dispatched on commit: sent here, or queued with Redis
    status = db.session.scalar(
        select(OutboxMessage.status)
        .where(OutboxMessage.id == message_id)
        .execution_options(**{ALL_TENANTS: True})
    )
    click.echo(f"Mensaje {message_id} devuelto a la cola; estado: {STATUS_NAMES[status]}.")


periodic_group = AppGroup("periodic", help="The plugins' periodic jobs: list them, run them.")


@periodic_group.command("list")
def periodic_list_command() -> None:
    """Each periodic job: name, how often, plugin, what it does."""
    from helpdesk import periodic

    found = periodic.jobs()
    if not found:
        click.echo("Ningún complemento declara trabajos periódicos.")
    for job in found.values():
        click.echo(f"{job.name:<28} cada {job.every_seconds:>6} s  {job.plugin:<14} {job.title}")


@periodic_group.command("run")
@click.argument("name", required=False)
@click.option("--tenant", "slug", help="Short name of one tenant (default: every active one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def periodic_run_command(name: str | None, slug: str | None, as_json: bool) -> None:
    """Run one periodic job (or all of them) now, e.g. from cron."""
    from helpdesk import periodic
    from helpdesk.tenancy import tenant_by_slug

    found = periodic.jobs()
    if name is not None and name not in found:
        known = ", ".join(found) or "ninguno"
        raise click.BadParameter(f"no existe el trabajo «{name}» (hay: {known})", param_hint="NAME")
    tenants = None
    if slug is not None:
        tenant = tenant_by_slug(slug)
        if tenant is None:
            raise click.BadParameter(f"no existe el gobierno «{slug}»", param_hint="--tenant")
        tenants = [tenant]
    runs = [periodic.run(job, tenants) for key, job in found.items() if name in (None, key)]
    if as_json:
        click.echo(
            json.dumps(
                {run.name: {"done": run.done, "failed": run.failed} for run in runs},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for run in runs:
            click.echo(f"{run.name}: {len(run.done)} gobiernos, {len(run.failed)} con error")
            for failed, error in run.failed.items():
                click.echo(f"  {failed}: {error}")
    if any(run.failed for run in runs):
        raise SystemExit(1)
