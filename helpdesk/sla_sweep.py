"""The periodic SLA sweep: announce clocks that reached their risk mark or their due moment.

Reads the stored clocks (due and risk moments are kept current by every
transition), records one event per newly reached level and notifies the
assignee and the tenant's coordinators. Running it again changes nothing:
each level is announced once, and the conditional UPDATE makes two sweeps
running at the same moment announce it once between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from helpdesk import notifications
from helpdesk.extensions import db
from helpdesk.lead_times import spanish_date
from helpdesk.models import SlaClock
from helpdesk.models import Tenant
from helpdesk.models.base import utcnow
from helpdesk.sla import as_utc
from helpdesk.tenancy import scoped_to
from helpdesk.workflow.engine import record_event

TARGET_NAMES = {"respond": "el plazo para turnar o responder", "resolve": "el plazo para atender"}


@dataclass
class SweepResult:
    at_risk: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.at_risk) + len(self.breached)


def _due_clocks(now: datetime) -> list[SlaClock]:
    return list(
        db.session.scalars(
            select(SlaClock)
            .where(
                SlaClock.met_at.is_(None),
                SlaClock.due_at.is_not(None),
                or_(
                    and_(SlaClock.alerted == "", SlaClock.risk_at <= now),
                    and_(SlaClock.alerted != "breached", SlaClock.due_at < now),
                ),
            )
            .order_by(SlaClock.due_at)
        )
    )


def sweep_tenant(tenant: Tenant, now: datetime, result: SweepResult) -> None:
    with scoped_to(tenant):
        for clock in _due_clocks(now):
            level = "breached" if as_utc(clock.due_at) < now else "at_risk"
            claimed = db.session.execute(
                update(SlaClock)
                .where(SlaClock.id == clock.id, SlaClock.alerted == clock.alerted)
                .values(alerted=level)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue  # another sweep announced it first
            ticket = clock.ticket
            record_event(
                ticket,
                f"sla_{level}",
                ticket.state,
                ticket.state,
                None,
                None,
                {"sla_target": clock.target, "due_at": as_utc(clock.due_at).isoformat()},
                bump_version=False,
            )
            due = as_utc(clock.due_at).astimezone(ZoneInfo(tenant.timezone))
            notifications.notify(
                [ticket.assignee, *notifications.coordinators(tenant.id)],
                kind=f"sla_{level}",
                ticket=ticket,
                context={"text": TARGET_NAMES[clock.target], "due": spanish_date(due)},
            )
            (result.breached if level == "breached" else result.at_risk).append(
                f"{ticket.folio}:{clock.target}"
            )
        db.session.commit()


def sweep(now: datetime | None = None) -> SweepResult:
    """Sweep every active tenant; returns what was announced."""
    now = as_utc(now or utcnow())
    result = SweepResult()
    tenants = db.session.scalars(select(Tenant).where(Tenant.active.is_(True))).all()
    for tenant in tenants:
        sweep_tenant(tenant, now, result)
    return result
