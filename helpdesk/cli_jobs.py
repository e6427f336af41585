"""`helpdesk sla-sweep` (from cron, or by hand) and `helpdesk worker` (rq with Redis)."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk import jobs
from helpdesk import sla_sweep


@click.command("sla-sweep")
@click.option("--at", "at", help="Sweep as of this ISO moment (default: now); for checks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def sla_sweep_command(at: str | None, as_json: bool) -> None:
    """Mark tickets at risk or overdue, record the events and notify; safe to repeat."""
    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter(f"«{at}» no es una fecha ISO", param_hint="--at") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    result = sla_sweep.sweep(moment)
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
    """Run an rq worker with the scheduler for the help desk's queue (needs Redis)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("HELPDESK_REDIS_URL"):
        raise click.ClickException(
            "HELPDESK_REDIS_URL no está configurada: sin Redis los trabajos se ejecutan "
            "dentro de la aplicación y no hace falta un worker."
        )
    jobs.start_worker(app, burst=burst)
