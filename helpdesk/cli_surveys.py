"""`helpdesk survey remind`: recall unanswered satisfaction surveys (from cron, or by hand).

The worker and the in-process sweep already run it with the SLA sweep; the
command is for installations that schedule the sweep from cron, and for checks.
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from helpdesk import surveys
from helpdesk.cli_jobs import moment_option

survey_group = AppGroup("survey", help="Satisfaction surveys: send the due reminders.")


@survey_group.command("remind")
@click.option("--at", "at", help="Send what is due as of this ISO moment (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def survey_remind_command(at: str | None, as_json: bool) -> None:
    """Send the reminder of every due, unanswered survey once; safe to repeat."""
    reminded = surveys.remind_due(moment_option(at))
    if as_json:
        click.echo(json.dumps({"reminded": reminded}))
        return
    click.echo(f"Recordatorios de encuesta enviados: {len(reminded)}")
    for folio in reminded:
        click.echo(f"  {folio}")
